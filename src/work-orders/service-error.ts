/**
 * A refusal from an application service, mapped by the HTTP layer to its status: 400 bad input, 403 not yours,
 * 404 unknown, 409 the rules forbid it now (with the domain's reason code).
 */
export class ServiceError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 503,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export const badInput = (code: string, message: string) => new ServiceError(400, code, message);
export const notYours = (code: string, message: string) => new ServiceError(403, code, message);
export const notFound = (code: string, message: string) => new ServiceError(404, code, message);
export const conflict = (code: string, message: string) => new ServiceError(409, code, message);
