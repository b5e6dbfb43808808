import { ROLES } from '../../auth/roles.ts';

export const publicUserSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    username: { type: 'string' },
    displayName: { type: 'string' },
    role: { type: 'string', enum: [...ROLES] },
    unitId: { type: ['string', 'null'] },
    disabled: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
  required: ['id', 'username', 'displayName', 'role', 'unitId', 'disabled', 'createdAt', 'updatedAt'],
} as const;

export const issuedTokenSchema = {
  type: 'object',
  properties: {
    token: { type: 'string' },
    tokenType: { type: 'string', const: 'Bearer' },
    expiresAt: { type: 'string', format: 'date-time' },
    expiresIn: { type: 'integer', description: 'seconds' },
    user: publicUserSchema,
  },
  required: ['token', 'tokenType', 'expiresAt', 'expiresIn', 'user'],
} as const;

export const emptyBodySchema = { type: 'object', additionalProperties: false, properties: {} } as const;
