export { ROLES, type Role } from '../store/schema/users.ts';
