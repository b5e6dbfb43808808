import { createServer, type Server, type Socket } from 'node:net';
import { systemClock, type Clock } from '../shared/clock.ts';
import { ORIGINATE_REASON, originateResponse, trackOriginate, type OriginateParse } from './ami-originate.ts';
import { renderEngineEvent, type RenderedEvent } from './ami-event-renderer.ts';
import { AmiSession, type AmiEngine, type SessionContext } from './ami-session.ts';

export interface AmiServerOptions {
  engine: AmiEngine;
  /** Only loopback is allowed; default 127.0.0.1. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  user: string;
  secret: string;
  clock?: Clock;
  /** Delay before a failed login is answered; Asterisk uses 1000 ms. */
  authFailDelayMs?: number;
}

export interface AmiServerHandle {
  readonly host: string;
  readonly port: number;
  /** Logged-in and not-yet-logged-in connections currently open. */
  sessionCount(): number;
  /** Cuts every open AMI connection (what clients see when Asterisk restarts); the listener stays up. */
  dropSessions(): number;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * The simulator's Asterisk Manager Interface: a TCP server that renders the engine's event stream as
 * AMI events and answers Login, Logoff, Ping, CoreStatus, Events and (async) Originate as Asterisk 22
 * does. A simulated PBX restart drops every AMI connection, as a real restart would.
 */
export async function startAmiServer(opts: AmiServerOptions): Promise<AmiServerHandle> {
  const host = opts.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new Error(`AMI simulator host must be a loopback address, got ${host}`);
  const clock = opts.clock ?? systemClock;
  const sessions = new Set<AmiSession>();
  const originates = new Set<() => void>();
  let processedCalls = 0;
  let sessionSeq = 0;

  const broadcast = (e: RenderedEvent): void => {
    for (const s of [...sessions]) s.sendEvent(e);
  };

  const ctx: SessionContext = {
    engine: opts.engine,
    clock,
    user: opts.user,
    secret: opts.secret,
    authFailDelayMs: opts.authFailDelayMs ?? 1000,
    processedCalls: () => processedCalls,
    authenticated: (session) => broadcast(successfulAuth(session, opts.user, clock.now())),
    closed: (session) => sessions.delete(session),
    originate: (parsed: Extract<OriginateParse, { ok: true }>, actionId: string) => {
      let stop: (() => void) | undefined;
      let finished = false;
      const done = (message: RenderedEvent['message']): void => {
        finished = true;
        if (stop) originates.delete(stop);
        broadcast({ name: 'OriginateResponse', eventClass: 'call', message });
      };
      try {
        stop = trackOriginate(opts.engine.events, () => opts.engine.originate(parsed.request), parsed, actionId, done);
        if (!finished) originates.add(stop);
      } catch {
        // Unknown technology or a refused endpoint: Asterisk reports it in the event, with Reason 0.
        done(originateResponse(parsed, actionId, false, ORIGINATE_REASON.failed, parsed.channel, '<null>'));
      }
    },
  };

  const unsubscribe = opts.engine.events.onAny((event) => {
    if (event.type === 'pbxRestarted') {
      for (const s of [...sessions]) s.close();
      return;
    }
    if (event.type === 'channelCreated' && !event.channel.name.endsWith(';2')) processedCalls++;
    for (const rendered of renderEngineEvent(event)) broadcast(rendered);
  });

  const sockets = new Set<Socket>();
  const server: Server = createServer((socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    sessions.add(new AmiSession(socket, ctx, ++sessionSeq));
  });
  server.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    host,
    port,
    sessionCount: () => sessions.size,
    dropSessions: () => {
      const n = sessions.size;
      for (const s of [...sessions]) s.close();
      return n;
    },
    close: async () => {
      unsubscribe();
      for (const stop of originates) stop();
      originates.clear();
      for (const s of [...sessions]) s.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function successfulAuth(session: AmiSession, user: string, now: number): RenderedEvent {
  const tv = formatEventTv(now);
  return {
    name: 'SuccessfulAuth',
    eventClass: 'security',
    message: [
      ['Event', 'SuccessfulAuth'],
      ['Privilege', 'security,all'],
      ['EventTV', tv],
      ['Severity', 'Informational'],
      ['Service', 'AMI'],
      ['EventVersion', '1'],
      ['AccountID', user],
      ['SessionID', session.id],
      ['LocalAddress', session.localAddress],
      ['RemoteAddress', session.remoteAddress],
      ['UsingPassword', '0'],
      ['SessionTV', tv],
    ],
  };
}

/** `2026-11-25T22:27:16.927+0000`, the format of the security events' EventTV. */
function formatEventTv(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}+0000`;
}
