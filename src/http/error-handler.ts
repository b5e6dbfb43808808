import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthError } from '../auth/auth-errors.ts';
import { maskUrlForLog } from './request-log.ts';

/** The body of every error answer. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * An error a route handler throws to answer with a 4xx and a reason, e.g.
 * `throw new HttpError(409, 'not-signed', 'the order must be signed before it can be returned')`.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function sendError(reply: FastifyReply, statusCode: number, code: string, message: string): FastifyReply {
  const body: ErrorBody = { statusCode, error: REASONS[statusCode] ?? 'Error', code, message };
  if (statusCode === 401) reply.header('www-authenticate', 'Bearer');
  return reply.code(statusCode).type('application/json; charset=utf-8').send(body);
}

/**
 * Client mistakes become 4xx with a message naming the problem; anything else is a 500 that is
 * logged in full and answered without internals.
 */
export function installErrorHandler(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof AuthError || err instanceof HttpError) {
      if (err.statusCode >= 500) request.log.error({ err }, 'request failed');
      return sendError(reply, err.statusCode, err.code, err.message);
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      return sendError(reply, 400, 'invalid-request', fe.message);
    }
    const status = fe.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendError(reply, status, codeFor(fe), messageFor(fe, request, bodyLimit));
    }
    request.log.error({ err }, 'unhandled error');
    return sendError(reply, 500, 'internal-error', 'internal server error; the incident was logged');
  });

  app.setNotFoundHandler((request, reply) => {
    // The path is echoed masked: answers end up in proxies' and clients' logs too (rules art. 22).
    sendError(reply, 404, 'route-not-found', `no route ${request.method} ${maskUrlForLog(request.url.split('?')[0]!)}`);
  });
}

function codeFor(err: FastifyError): string {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'body-too-large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported-media-type';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'malformed-json';
    default:
      return err.code ? err.code.toLowerCase().replace(/_/g, '-') : 'bad-request';
  }
}

function messageFor(err: FastifyError, request: FastifyRequest, bodyLimit: number): string {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `request body is too large: the limit is ${request.routeOptions.bodyLimit ?? bodyLimit} bytes`;
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return `unsupported content type ${JSON.stringify(request.headers['content-type'] ?? '')}: send application/json`;
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'request body is not valid JSON';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'request body is empty but content-type is application/json';
    default:
      return err.message;
  }
}
