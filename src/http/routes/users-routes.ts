import type { FastifyPluginAsync } from 'fastify';
import type { AuthService, CreateUserInput, UpdateUserInput } from '../../auth/auth-service.ts';
import { USERNAME_PATTERN } from '../../auth/auth-service.ts';
import { ROLES } from '../../auth/roles.ts';
import { errorResponses, errorSchema } from '../error-schema.ts';
import { idSchema } from '../number-bounds.ts';
import { publicUserSchema } from './user-schema.ts';

const idParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: idSchema },
} as const;

const unitId = { type: ['string', 'null'], minLength: 1, maxLength: 64 } as const;

/** Admin: create, list, read, update (role, unit, disable) users, and set a user's password. */
export function usersRoutes(deps: { auth: AuthService }): FastifyPluginAsync {
  const { auth } = deps;
  return async (app) => {
    app.get(
      '/users',
      {
        config: { permission: 'users:manage' },
        schema: {
          summary: 'List users',
          tags: ['users'],
          security: [{ bearer: [] }],
          response: { 200: { type: 'array', items: publicUserSchema }, ...errorResponses },
        },
      },
      async () => auth.listUsers(),
    );

    app.post<{ Body: CreateUserInput }>(
      '/users',
      {
        config: { permission: 'users:manage' },
        schema: {
          summary: 'Create a user',
          tags: ['users'],
          security: [{ bearer: [] }],
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['username', 'password', 'role'],
            properties: {
              username: { type: 'string', pattern: USERNAME_PATTERN },
              password: { type: 'string', minLength: 1, maxLength: 1024 },
              role: { type: 'string', enum: [...ROLES] },
              unitId,
              displayName: { type: 'string', maxLength: 100 },
            },
          },
          response: { 201: publicUserSchema, ...errorResponses, 409: errorSchema },
        },
      },
      async (request, reply) => reply.code(201).send(await auth.createUser(request.body)),
    );

    app.get<{ Params: { id: number } }>(
      '/users/:id',
      {
        config: { permission: 'users:manage' },
        schema: {
          summary: 'Read a user',
          tags: ['users'],
          security: [{ bearer: [] }],
          params: idParams,
          response: { 200: publicUserSchema, ...errorResponses, 404: errorSchema },
        },
      },
      async (request) => auth.getUser(request.params.id),
    );

    app.patch<{ Params: { id: number }; Body: UpdateUserInput }>(
      '/users/:id',
      {
        config: { permission: 'users:manage' },
        schema: {
          summary: 'Change a user’s role, unit, display name, or disable/enable the account',
          tags: ['users'],
          security: [{ bearer: [] }],
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: {
              role: { type: 'string', enum: [...ROLES] },
              unitId,
              displayName: { type: 'string', maxLength: 100 },
              disabled: { type: 'boolean' },
            },
          },
          response: { 200: publicUserSchema, ...errorResponses, 404: errorSchema, 409: errorSchema },
        },
      },
      async (request) => auth.updateUser(request.params.id, request.body, request.principal!),
    );

    app.put<{ Params: { id: number }; Body: { password: string } }>(
      '/users/:id/password',
      {
        config: { permission: 'users:manage' },
        schema: {
          summary: 'Set a user’s password (revokes their tokens)',
          tags: ['users'],
          security: [{ bearer: [] }],
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['password'],
            properties: { password: { type: 'string', minLength: 1, maxLength: 1024 } },
          },
          response: { 204: { type: 'null' }, ...errorResponses, 404: errorSchema },
        },
      },
      async (request, reply) => {
        await auth.setPassword(request.params.id, request.body.password);
        return reply.code(204).send();
      },
    );
  };
}
