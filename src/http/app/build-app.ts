import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyServerOptions } from 'fastify';
import type { AuthService } from '../../auth/auth-service.ts';
import { createLoginThrottle } from '../../auth/login-throttle.ts';
import type { Clock } from '../../shared/clock.ts';
import type { Logger } from '../../shared/logger.ts';
import { installAuthHook } from '../auth-hook.ts';
import { installErrorHandler } from '../error-handler.ts';
import { requestLogSerializer } from '../request-log.ts';
import '../fastify-types.ts';
import { authRoutes } from '../routes/auth-routes.ts';
import { docsRoutes } from '../routes/docs-routes.ts';
import { healthRoutes, type TelephonyHealth } from '../routes/health-routes.ts';
import { usersRoutes } from '../routes/users-routes.ts';
import { createValidatorCompiler, formatValidationErrors } from '../validation.ts';

/** A plugin that adds routes; see README.md in this folder. */
export type RoutePlugin = FastifyPluginAsync;

export interface AppDeps {
  logger: Logger;
  auth: AuthService;
  clock: Clock;
  /** Largest request body in bytes (config server.bodyLimit). */
  bodyLimit: number;
  /** Whether /docs answers without a token (config server.docsPublic). */
  docsPublic: boolean;
  storeOk: () => boolean;
  telephony: () => TelephonyHealth;
  /** Route plugins of the other parts (work orders, calls, ...), registered after the platform's own. */
  plugins?: readonly RoutePlugin[];
  /** Called for every route as it is registered (tests use it to sweep all routes). */
  onRoute?: (route: {
    method: string | string[];
    url: string;
    schema?: unknown;
    config?: unknown;
    bodyLimit?: number;
  }) => void;
  version?: string;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const NO_QUERY = { type: 'object', additionalProperties: false, properties: {} } as const;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const options: FastifyServerOptions = {
    loggerInstance: deps.logger.child({}, { serializers: { req: requestLogSerializer } }),
    bodyLimit: deps.bodyLimit,
    schemaErrorFormatter: (errors, dataVar) => new Error(formatValidationErrors(errors, dataVar)),
    return503OnClosing: true,
  };
  const app = Fastify(options) as unknown as FastifyInstance;
  const startedAt = deps.clock.now();

  app.setValidatorCompiler(createValidatorCompiler(() => app.getSchemas() as Record<string, unknown>));
  // JSON only; a body in any other type is refused with 415 instead of reaching a handler as a string.
  app.removeContentTypeParser('text/plain');
  // First hook of all, so that refusals (401, 403, 404, 4xx from the error handler) carry it too: no
  // browser may guess a type other than the declared one (an attachment's bytes, a JSON error as HTML).
  // What socket.io answers itself gets it in src/realtime/socket-server.ts.
  app.addHook('onRequest', (_request, reply, done) => {
    void reply.header('x-content-type-options', 'nosniff');
    done();
  });
  installErrorHandler(app, deps.bodyLimit);
  installAuthHook(app, deps.auth);

  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const hidden = (route.schema as { hide?: boolean } | undefined)?.hide === true;
    if (!route.schema && !hidden) {
      throw new Error(
        `route ${methods.join(',')} ${route.url} has no schema: every route declares one (src/http/README.md)`,
      );
    }
    if (methods.some((m) => BODY_METHODS.has(m)) && !route.schema?.body) {
      throw new Error(
        `route ${methods.join(',')} ${route.url} takes a body but declares no body schema (src/http/README.md)`,
      );
    }
    // A route that declares no query parameters accepts none: `?anything` is a 400 naming it.
    if (route.schema && !route.schema.querystring) {
      route.schema = { ...route.schema, querystring: NO_QUERY };
    }
    deps.onRoute?.({
      method: route.method,
      url: route.url,
      schema: route.schema,
      config: route.config,
      bodyLimit: route.bodyLimit,
    });
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Hotline CTI API',
        description: '12345 hotline CTI server. Every route except /health and /auth/login needs a bearer token.',
        version: deps.version ?? '0.1.0',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });

  await app.register(healthRoutes({ clock: deps.clock, startedAt, storeOk: deps.storeOk, telephony: deps.telephony }));
  await app.register(authRoutes({ auth: deps.auth, throttle: createLoginThrottle({ clock: deps.clock }) }));
  await app.register(usersRoutes({ auth: deps.auth }));
  await app.register(docsRoutes({ public: deps.docsPublic }));
  for (const plugin of deps.plugins ?? []) await app.register(plugin);

  await app.ready();
  return app;
}
