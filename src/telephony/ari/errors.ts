/**
 * Typed ARI failures. Every REST call rejects with one of these, never with a bare string or a
 * body-only Error, so callers can branch on the HTTP status (Asterisk uses 400/404/409/422
 * with distinct meanings, see the reference's error-status-codes.md).
 */
export type AriMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export abstract class AriError extends Error {
  constructor(
    message: string,
    readonly method: AriMethod,
    readonly path: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Asterisk answered with a non-2xx status. `message` is Asterisk's own `{"message": ...}` text. */
export class AriHttpError extends AriError {
  constructor(
    method: AriMethod,
    path: string,
    readonly status: number,
    readonly ariMessage: string,
  ) {
    super(`ARI ${method} ${path} failed: ${status} ${ariMessage}`, method, path);
  }
}

/** No answer within the call's deadline. The request was aborted; its effect on Asterisk is unknown. */
export class AriTimeoutError extends AriError {
  constructor(
    method: AriMethod,
    path: string,
    readonly timeoutMs: number,
  ) {
    super(`ARI ${method} ${path} timed out after ${timeoutMs} ms`, method, path);
  }
}

/** The request never reached Asterisk (connection refused, reset, DNS, ...). */
export class AriUnreachableError extends AriError {
  constructor(
    method: AriMethod,
    path: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`ARI ${method} ${path}: Asterisk unreachable (${code})`, method, path);
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

/** Asterisk answered 2xx but the body was not what the resource promises (e.g. not JSON). */
export class AriProtocolError extends AriError {
  constructor(method: AriMethod, path: string, detail: string) {
    super(`ARI ${method} ${path}: unexpected response (${detail})`, method, path);
  }
}

export function isAriNotFound(err: unknown): boolean {
  return err instanceof AriHttpError && err.status === 404;
}
