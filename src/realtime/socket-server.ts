import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import { Server, type Namespace, type ServerOptions } from 'socket.io';
import type { AuthService } from '../auth/auth-service.ts';
import type { Permission } from '../auth/permissions.ts';
import type { Logger } from '../shared/logger.ts';
import { socketAuth, type SocketData } from './auth.ts';

export interface SocketServer {
  readonly io: Server;
  /**
   * Declares a namespace and the permission its clients need, e.g.
   * `sockets.namespace('/agent', { permission: 'calls:answer' })`. Every connection must present a
   * valid token (`io('/agent', { auth: { token } })`); others are refused before `connection`.
   */
  namespace(name: `/${string}`, opts: { permission: Permission }): Namespace;
  close(): Promise<void>;
}

export interface SocketServerOptions {
  auth: AuthService;
  logger: Logger;
  /** Largest accepted socket.io message, in bytes (default 1 MiB). */
  maxHttpBufferSize?: number;
  /** Extra socket.io options (tests, CORS for a desktop served elsewhere). */
  io?: Partial<ServerOptions>;
}

/**
 * socket.io on the Fastify HTTP server. Default deny: the main namespace `/` refuses every client, and
 * only namespaces declared through `namespace()` (each with its permission) accept connections.
 */
export function attachSocketServer(httpServer: HttpServer, opts: SocketServerOptions): SocketServer {
  const log = opts.logger.child({ component: 'socket.io' });
  const io = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: opts.maxHttpBufferSize ?? 1_048_576,
    ...opts.io,
  });
  // socket.io answers its own requests (polling, handshake errors) before Fastify sees them: set the
  // header for those at the HTTP server. socket.io took over the 'request' listeners above, so this one,
  // put in front, runs for every request; a later writeHead keeps it.
  const nosniff = (_req: IncomingMessage, res: ServerResponse) => res.setHeader('x-content-type-options', 'nosniff');
  httpServer.prependListener('request', nosniff);
  io.of('/').use((_socket, next) => {
    const err = new Error('the main namespace is closed: connect to a declared namespace such as /agent') as Error & {
      data: unknown;
    };
    err.data = { statusCode: 403, code: 'namespace-closed' };
    next(err);
  });
  const declared = new Map<string, Permission>();
  let closing: Promise<void> | undefined;

  // A token is checked at the handshake only; a live socket lasts as long as its account is not
  // revoked. When it is (disabled, role, unit or password changed), its sockets are closed at once.
  const stopRevoked = opts.auth.onRevoked((userId, reason) => {
    for (const nsp of io._nsps.values()) {
      for (const socket of nsp.sockets.values()) {
        const p = (socket.data as Partial<SocketData>).principal;
        if (p?.userId !== userId) continue;
        socket.emit('auth:revoked', { code: 'token-revoked', message: `signed out: ${reason}` });
        socket.disconnect(true);
      }
    }
    log.info({ userId, reason }, 'revoked user disconnected from socket.io');
  });

  return {
    io,
    namespace(name, nsOpts) {
      const existing = declared.get(name);
      if (existing !== undefined && existing !== nsOpts.permission) {
        throw new Error(`namespace ${name} already declared with permission ${existing}`);
      }
      const nsp = io.of(name);
      if (existing === undefined) {
        declared.set(name, nsOpts.permission);
        nsp.use(socketAuth(opts.auth, nsOpts.permission));
        nsp.on('connection', (socket) => {
          const p = socket.data.principal as { username?: string; role?: string } | undefined;
          log.debug({ nsp: name, user: p?.username, role: p?.role, sid: socket.id }, 'socket connected');
        });
      }
      return nsp;
    },
    close() {
      stopRevoked();
      httpServer.removeListener('request', nosniff);
      closing ??= new Promise<void>((resolve) => {
        // io.close() also closes the HTTP server; the caller closes that through Fastify, so only
        // disconnect the clients and the engine here.
        for (const nsp of io._nsps.values()) nsp.disconnectSockets(true);
        io.engine.close();
        resolve();
      });
      return closing;
    },
  };
}
