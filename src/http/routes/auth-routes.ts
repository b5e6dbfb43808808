import type { FastifyPluginAsync } from 'fastify';
import { AuthError } from '../../auth/auth-errors.ts';
import type { AuthService } from '../../auth/auth-service.ts';
import type { LoginThrottle } from '../../auth/login-throttle.ts';
import { HttpError } from '../error-handler.ts';
import { errorResponses, errorSchema } from '../error-schema.ts';
import { emptyBodySchema, issuedTokenSchema, publicUserSchema } from './user-schema.ts';

/** Sign-in, token refresh, who-am-I and changing one's own password. */
export function authRoutes(deps: { auth: AuthService; throttle: LoginThrottle }): FastifyPluginAsync {
  const { auth, throttle } = deps;
  return async (app) => {
    app.post<{ Body: { username: string; password: string } }>(
      '/auth/login',
      {
        config: { public: true },
        schema: {
          summary: 'Sign in with username and password; returns a short-lived bearer token',
          tags: ['auth'],
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['username', 'password'],
            properties: {
              username: { type: 'string', minLength: 1, maxLength: 64 },
              password: { type: 'string', minLength: 1, maxLength: 1024 },
            },
          },
          response: { 200: issuedTokenSchema, ...errorResponses, 429: errorSchema },
        },
      },
      async (request, reply) => {
        const { username, password } = request.body;
        // Reserved before the password is hashed, so parallel attempts count while in flight.
        const reserved = throttle.begin(username, request.ip);
        if (!reserved.ok) {
          const seconds = Math.ceil(reserved.retryAfterMs / 1000);
          reply.header('retry-after', String(seconds));
          throw new HttpError(429, 'too-many-attempts', `too many failed sign-ins; try again in ${seconds} s`);
        }
        try {
          const issued = await auth.login(username, password);
          reserved.attempt.succeeded();
          return issued;
        } catch (err) {
          if (err instanceof AuthError && err.code === 'bad-credentials') reserved.attempt.failed();
          else reserved.attempt.abandoned();
          throw err;
        }
      },
    );

    app.post(
      '/auth/refresh',
      {
        config: { permission: 'self:manage' },
        schema: {
          summary: 'Exchange a valid token for a fresh one',
          tags: ['auth'],
          security: [{ bearer: [] }],
          body: emptyBodySchema,
          response: { 200: issuedTokenSchema, ...errorResponses },
        },
      },
      async (request) => auth.refresh(request.principal!),
    );

    app.get(
      '/auth/me',
      {
        config: { permission: 'self:manage' },
        schema: {
          summary: 'The signed-in user and the permissions of their role',
          tags: ['auth'],
          security: [{ bearer: [] }],
          response: {
            200: {
              type: 'object',
              properties: {
                user: publicUserSchema,
                permissions: { type: 'array', items: { type: 'string' } },
                tokenExpiresAt: { type: 'string', format: 'date-time' },
              },
              required: ['user', 'permissions', 'tokenExpiresAt'],
            },
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const p = request.principal!;
        return {
          user: await auth.getUser(p.userId),
          permissions: [...p.permissions].sort(),
          tokenExpiresAt: new Date(p.expiresAt).toISOString(),
        };
      },
    );

    app.post<{ Body: { currentPassword: string; newPassword: string } }>(
      '/auth/password',
      {
        config: { permission: 'self:manage' },
        schema: {
          summary: 'Change one’s own password (all of one’s tokens are revoked; sign in again)',
          tags: ['auth'],
          security: [{ bearer: [] }],
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['currentPassword', 'newPassword'],
            properties: {
              currentPassword: { type: 'string', minLength: 1, maxLength: 1024 },
              newPassword: { type: 'string', minLength: 1, maxLength: 1024 },
            },
          },
          response: { 204: { type: 'null' }, ...errorResponses, 409: errorSchema },
        },
      },
      async (request, reply) => {
        await auth.changeOwnPassword(request.principal!, request.body.currentPassword, request.body.newPassword);
        return reply.code(204).send();
      },
    );
  };
}
