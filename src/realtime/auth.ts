import type { Socket } from 'socket.io';
import { AuthError } from '../auth/auth-errors.ts';
import type { AuthService } from '../auth/auth-service.ts';
import type { Permission } from '../auth/permissions.ts';
import type { Principal } from '../auth/principal.ts';

/** What a refused handshake carries to the client as `err.data` (socket.io `connect_error`). */
export interface HandshakeRefusal {
  statusCode: 401 | 403;
  code: string;
}

/** Data kept on every authorised socket (`socket.data`). */
export interface SocketData {
  principal: Principal;
}

/**
 * socket.io middleware: the handshake must carry `auth: { token }` for a user whose role holds the
 * namespace's permission. Refusals reach the client as a `connect_error` whose message names the reason.
 */
export function socketAuth(auth: AuthService, permission: Permission) {
  return (socket: Socket, next: (err?: Error) => void): void => {
    void check(socket).then(
      () => next(),
      (err: unknown) => next(refusal(err)),
    );
  };

  async function check(socket: Socket): Promise<void> {
    const token = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
    {
      if (token !== undefined && typeof token !== 'string') {
        throw new AuthError(401, 'token-malformed', 'auth.token must be a string');
      }
      const principal = await auth.authenticate(token === undefined || token === '' ? undefined : token);
      if (!principal.permissions.has(permission)) {
        throw new AuthError(403, 'permission-denied', `role ${principal.role} does not have permission ${permission}`);
      }
      (socket.data as SocketData).principal = principal;
    }
  }
}

function refusal(err: unknown): Error {
  const e = new Error(err instanceof AuthError ? err.message : 'authentication failed') as Error & {
    data: HandshakeRefusal;
  };
  if (err instanceof AuthError) {
    const message =
      err.code === 'token-missing' ? 'a token is required: connect with { auth: { token } }' : err.message;
    e.message = message;
    e.data = { statusCode: err.statusCode === 403 ? 403 : 401, code: err.code };
  } else {
    e.data = { statusCode: 401, code: 'authentication-failed' };
  }
  return e;
}
