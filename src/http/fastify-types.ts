import type { Permission } from '../auth/permissions.ts';
import type { Principal } from '../auth/principal.ts';

// Route options every route declares (see README.md in this folder):
//   config: { permission: 'users:manage' }   or   config: { public: true }
declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission a caller's role must hold (src/auth/permissions.ts). */
    permission?: Permission;
    /** Answer without a token. Only health, sign-in and the API document (and webhooks with their own auth). */
    public?: boolean;
  }
  interface FastifyRequest {
    /** The signed-in caller; set by the auth hook on every non-public route. */
    principal?: Principal;
  }
}

export {};
