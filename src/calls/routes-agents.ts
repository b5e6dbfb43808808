import type { FastifyPluginAsync } from 'fastify';
import { checkExtension, defaultExtensionPolicy, explainRejection, type ExtensionPolicy } from './agent-extension.ts';
import type { CallController } from './call-controller.ts';
import type { Rejection } from '../domain/calls/decide.ts';
import { agentIdOf } from './namespace-agent.ts';
import { errorResponses, errorSchema } from '../http/error-schema.ts';
import { HttpError } from '../http/error-handler.ts';

const STATUS: Record<Rejection['code'], number> = {
  'unknown-agent': 404,
  'unknown-call': 404,
  'invalid-transition': 409,
  'invalid-input': 400,
  'invalid-extension': 400,
  'extension-in-use': 409,
};

function refuse(r: Rejection | undefined): void {
  if (r) throw new HttpError(STATUS[r.code], r.code, r.message);
}

const rejections = { ...errorResponses, 404: errorSchema, 409: errorSchema };

/** Agent state over HTTP (the /agent namespace offers the same): sign in/out, ready, pause with a reason. */
export function agentRoutes(deps: { controller: CallController; extensions?: ExtensionPolicy }): FastifyPluginAsync {
  const { controller } = deps;
  const extensions = deps.extensions ?? defaultExtensionPolicy;
  return async (app) => {
    app.get(
      '/agents',
      {
        config: { permission: 'calls:monitor' },
        schema: {
          summary: 'Every known agent and its state',
          tags: ['agents'],
          security: [{ bearer: [] }],
          response: { ...errorResponses },
        },
      },
      async () => controller.agents(),
    );

    app.get(
      '/agents/me',
      {
        config: { permission: 'calls:take' },
        schema: {
          summary: 'My agent state and current call',
          tags: ['agents'],
          security: [{ bearer: [] }],
          response: { ...errorResponses },
        },
      },
      async (request) => {
        const id = agentIdOf(request.principal!);
        return {
          agent: controller.agents().find((a) => a.agentId === id) ?? { agentId: id, status: 'signed-out' },
          currentCall: controller.currentCallOf(id)?.state ?? null,
        };
      },
    );

    app.post<{ Body: { extension: string; skills: string[] } }>(
      '/agents/me/sign-in',
      {
        config: { permission: 'calls:take' },
        schema: {
          summary: 'Sign in at a phone to one or more skills (queues)',
          tags: ['agents'],
          security: [{ bearer: [] }],
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['extension', 'skills'],
            properties: {
              extension: { type: 'string', pattern: '^[0-9A-Za-z_-]{1,32}$' },
              skills: {
                type: 'array',
                minItems: 1,
                maxItems: 20,
                items: { type: 'string', minLength: 1, maxLength: 32 },
              },
            },
          },
          response: rejections,
        },
      },
      async (request, reply) => {
        const p = request.principal!;
        const { extension, skills } = request.body;
        const rejected =
          checkExtension(extensions, extension) ?? controller.signIn(agentIdOf(p), { extension, skills });
        refuse(rejected && (await explainRejection(extensions, extension, rejected)));
        return reply.code(204).send();
      },
    );

    const simple = (path: string, summary: string, fn: (agentId: string) => Rejection | undefined) =>
      app.post(
        path,
        {
          config: { permission: 'calls:take' },
          schema: {
            summary,
            tags: ['agents'],
            security: [{ bearer: [] }],
            body: { type: 'object', additionalProperties: false, properties: {} },
            response: rejections,
          },
        },
        async (request, reply) => {
          refuse(fn(agentIdOf(request.principal!)));
          return reply.code(204).send();
        },
      );
    simple('/agents/me/sign-out', 'Sign out (not while ringing or on a call)', (id) => controller.signOut(id));
    simple('/agents/me/ready', 'Become ready for calls', (id) => controller.ready(id));

    app.post<{ Body: { reason: string } }>(
      '/agents/me/pause',
      {
        config: { permission: 'calls:take' },
        schema: {
          summary: 'Pause with a reason code',
          tags: ['agents'],
          security: [{ bearer: [] }],
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['reason'],
            properties: { reason: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,32}$' } },
          },
          response: rejections,
        },
      },
      async (request, reply) => {
        refuse(controller.pause(agentIdOf(request.principal!), request.body.reason));
        return reply.code(204).send();
      },
    );
  };
}
