/** Failures the HTTP layer turns into status codes: 401 for who-are-you, 403 for not-allowed, 409/404/400. */
export class AuthError extends Error {
  constructor(
    readonly statusCode: 401 | 403 | 404 | 409 | 400,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

export const unauthenticated = (code: string, message: string) => new AuthError(401, code, message);
export const forbidden = (code: string, message: string) => new AuthError(403, code, message);
