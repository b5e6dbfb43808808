import type { FastifyInstance, FastifyRequest } from 'fastify';
import { forbidden, unauthenticated } from '../auth/auth-errors.ts';
import type { AuthService } from '../auth/auth-service.ts';

/** Reads `Authorization: Bearer <token>`; undefined when absent, AuthError when present but not Bearer. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (h === undefined || h === '') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  if (!m) throw unauthenticated('bad-authorization-header', 'the Authorization header must be "Bearer <token>"');
  return m[1];
}

/**
 * Default deny: every route needs a valid token and the permission it declares in
 * `config.permission`; a route that declares neither a permission nor `public: true` is refused.
 */
export function installAuthHook(app: FastifyInstance, auth: AuthService): void {
  app.addHook('onRequest', async (request) => {
    // Unknown routes get a plain 404.
    if (request.is404) return;
    const config = request.routeOptions.config;
    if (config.public === true) return;
    const principal = await auth.authenticate(bearerToken(request));
    request.principal = principal;
    const permission = config.permission;
    if (!permission) {
      throw forbidden(
        'no-permission-declared',
        `route ${request.method} ${request.routeOptions.url ?? request.url} declares no permission and is refused by default`,
      );
    }
    if (!principal.permissions.has(permission)) {
      throw forbidden('permission-denied', `role ${principal.role} does not have permission ${permission}`);
    }
  });
}
