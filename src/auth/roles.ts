export { ROLES, type Role } from '../store/schema/users.ts';
import { ROLES, type Role } from '../store/schema/users.ts';

export function isRole(x: unknown): x is Role {
  return typeof x === 'string' && (ROLES as readonly string[]).includes(x);
}
