import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ServiceError } from './service-error.ts';
import { callerOf, type Caller } from './work-order-service.ts';
import { HttpError } from '../http/error-handler.ts';
import { errorResponses, errorSchema } from '../http/error-schema.ts';
import { idSchema } from '../http/number-bounds.ts';

/** Service refusals become the platform's HttpError, answered by its error handler as `{ statusCode, code, message }`. */
export function mapServiceErrors(app: FastifyInstance): void {
  app.setErrorHandler((err, _request, _reply) => {
    if (err instanceof ServiceError) throw new HttpError(err.status, err.code, err.message);
    throw err;
  });
}

export function caller(request: FastifyRequest): Caller {
  const p = request.principal;
  if (!p) throw new HttpError(401, 'unauthenticated', 'sign in first');
  return callerOf(p);
}

export const security = [{ bearer: [] }];

/** Every error answer a work-order route can give. */
export const allErrors = { ...errorResponses, 404: errorSchema, 409: errorSchema } as const;

export const idParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: idSchema },
} as const;

/** Objects shown as they are (the order's state has many optional parts); documented in docs/work-orders.md. */
export const openObject = { type: 'object', additionalProperties: true } as const;

export const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
export const unitIdSchema = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' } as const;
