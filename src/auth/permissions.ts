/**
 * What each role may do. DEFAULT DENY: a role holds a permission only if it is listed here, and an
 * HTTP route or socket.io namespace that declares no permission is refused (unless marked public).
 *
 * To add a permission, add ONE line to PERMISSIONS:  'resource:action': ['role', 'role'],
 * then declare it on the route   `config: { permission: 'resource:action' }`
 * or the namespace               `socketServer.namespace('/x', { permission: 'resource:action' })`.
 * The `Permission` type is derived from this table, so a misspelt permission is a compile error.
 *
 * Naming: `<resource>:<action>` in kebab-case, e.g. `work-orders:read`, `calls:monitor`, `phone:see-full`.
 * Roles: agent, supervisor, auditor, unit_handler (a handling unit's staff), admin.
 */
import { ROLES, type Role } from './roles.ts';

export const PERMISSIONS = {
  // Own account: read oneself, refresh one's token, change one's password.
  'self:manage': ['agent', 'supervisor', 'auditor', 'unit_handler', 'admin'],
  // Create, list, disable users and change their roles.
  'users:manage': ['admin'],
  // The OpenAPI document, when DOCS_PUBLIC=false.
  'docs:read': ['agent', 'supervisor', 'auditor', 'unit_handler', 'admin'],
  // Work orders (issue 3). Unit handlers see only their unit's orders; confidential ones need work-orders:see-confidential (art. 22).
  'work-orders:read': ['agent', 'supervisor', 'auditor', 'unit_handler', 'admin'],
  'work-orders:create': ['agent', 'supervisor', 'admin'],
  'work-orders:dispatch': ['agent', 'supervisor', 'admin'],
  'work-orders:handle': ['unit_handler'],
  'work-orders:supervise': ['supervisor', 'admin'],
  'work-orders:see-confidential': ['supervisor', 'auditor', 'admin'],
  'work-orders:tasks': ['agent', 'supervisor', 'admin'],
  // A requester's phone number in full; everyone else sees 138****1234 (art. 22).
  'phone:see-full': ['supervisor', 'admin'],
  'organisation:read': ['agent', 'supervisor', 'auditor', 'unit_handler', 'admin'],
  'organisation:manage': ['admin'],
  'knowledge:read': ['agent', 'supervisor', 'auditor', 'unit_handler', 'admin'],
  'knowledge:write': ['unit_handler', 'admin'],
  'knowledge:ask': ['agent', 'supervisor', 'admin'],
  'calendar:read': ['agent', 'supervisor', 'auditor', 'unit_handler', 'admin'],
  'calendar:manage': ['admin'],
  // Hot-topic statistics over intakes (art. 17).
  'statistics:read': ['supervisor', 'auditor', 'admin'],
  'assessment:read': ['supervisor', 'auditor', 'unit_handler', 'admin'],
  'assessment:appeal': ['unit_handler'],
  'assessment:decide': ['supervisor', 'admin'],
  // Calls (issue 4): take calls on the agent desktop; watch live figures and alerts; callback list; CDR; recordings (art. 28).
  'calls:take': ['agent', 'supervisor'],
  'calls:monitor': ['supervisor', 'admin'],
  // The leader rota (art. 23): who takes calls when, at which seat.
  'rota:manage': ['admin'],
  // Force an agent's state (pause, ready, sign out) from the wallboard, with a reason; audited.
  'agents:force': ['supervisor'],
  /** Listen, whisper and barge in on a live call (issue 10): supervisors only. */
  'calls:snoop': ['supervisor'],
  'calls:read': ['supervisor', 'auditor', 'admin'],
  'callbacks:read': ['agent', 'supervisor', 'admin'],
  'callbacks:handle': ['agent', 'supervisor'],
  'recordings:read': ['auditor', 'supervisor', 'admin'],
  // Legal hold on a recording (a complaint under investigation outlives the 3 years), and its release.
  'recordings:hold': ['supervisor', 'auditor'],
  // Run (or dry-run) the purge of recordings past their retention; walk the hash chains and re-hash files.
  'recordings:purge': ['admin'],
  'recordings:verify': ['auditor', 'supervisor', 'admin'],
  // Who listened to, downloaded or searched which recording (issue 11 item 5).
  'recordings:access-log': ['auditor', 'admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

const byRole: ReadonlyMap<Role, ReadonlySet<Permission>> = new Map(
  ROLES.map((role) => [
    role,
    new Set(
      (Object.keys(PERMISSIONS) as Permission[]).filter((p) => (PERMISSIONS[p] as readonly Role[]).includes(role)),
    ),
  ]),
);

const EMPTY: ReadonlySet<Permission> = new Set();

export function permissionsOf(role: Role): ReadonlySet<Permission> {
  return byRole.get(role) ?? EMPTY;
}

export function roleHas(role: Role, permission: string): boolean {
  return (permissionsOf(role) as ReadonlySet<string>).has(permission);
}
