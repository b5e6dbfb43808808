import type { Permission } from './permissions.ts';
import type { Role } from './roles.ts';

/** Who is making a request or holds a socket: attached to `request.principal` and `socket.data.principal`. */
export interface Principal {
  userId: number;
  username: string;
  displayName: string;
  role: Role;
  /** Handling unit, for role unit_handler. */
  unitId: string | null;
  permissions: ReadonlySet<Permission>;
  /** Token expiry, ms since the epoch. */
  expiresAt: number;
}

export function can(principal: Principal | undefined, permission: Permission): boolean {
  return principal?.permissions.has(permission) === true;
}
