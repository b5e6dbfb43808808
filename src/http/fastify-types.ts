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
    /**
     * A public route that checks its own credentials first (e.g. an HMAC-signed webhook), so unsigned
     * requests are refused (401, or 503 while its secret is not configured) before body validation.
     * The bad-input sweep then accepts those refusals instead of expecting a 400 naming the field.
     */
    selfAuthenticated?: boolean;
  }
  interface FastifyRequest {
    /** The signed-in caller; set by the auth hook on every non-public route. */
    principal?: Principal;
  }
}
