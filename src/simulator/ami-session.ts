import type { Socket } from 'node:net';
import type { Clock } from '../shared/clock.ts';
import type { SimulatorEngineApi } from './types.ts';
import { AmiMessageReader, formatAmiMessage, getHeader, type AmiHeader, type AmiMessage } from '../shared/ami-codec.ts';
import type { RenderedEvent } from './ami-event-renderer.ts';
import { maskAllows, maskIsOff, parseEventMask, type EventMask } from './ami-event-mask.ts';
import { parseOriginate, type OriginateParse } from './ami-originate.ts';

/** What a real Asterisk 22 prints as the first line of every AMI connection. */
export const AMI_BANNER = 'Asterisk Call Manager/11.0.0';

/** The engine surface the AMI side uses. */
export type AmiEngine = Pick<SimulatorEngineApi, 'events' | 'listChannels' | 'originate' | 'startedAt'>;

export interface SessionContext {
  readonly engine: AmiEngine;
  readonly clock: Clock;
  readonly user: string;
  readonly secret: string;
  /** Asterisk sleeps one second before answering a failed login (brute-force brake). */
  readonly authFailDelayMs: number;
  /** Calls set up since start (CoreProcessedCalls). */
  processedCalls(): number;
  /** A session logged in: the server broadcasts SuccessfulAuth like Asterisk's security events. */
  authenticated(session: AmiSession): void;
  closed(session: AmiSession): void;
  /**
   * Starts an async originate. Its OriginateResponse goes to every logged-in session, as Asterisk's
   * manager_event() does, and is sent even if the requesting session has gone.
   */
  originate(parsed: Extract<OriginateParse, { ok: true }>, actionId: string): void;
}

/** A slow reader is cut off rather than letting the server buffer without bound. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** One AMI TCP connection: reads actions, answers them in order, and receives events once logged in. */
export class AmiSession {
  readonly id: string;
  private readonly reader = new AmiMessageReader();
  private isAuthenticated = false;
  private mask: EventMask = null;
  private queue: AmiMessage[] = [];
  private busy = false;
  private isClosed = false;

  constructor(
    private readonly socket: Socket,
    private readonly ctx: SessionContext,
    sessionNumber: number,
  ) {
    this.id = `0x${(0x7fe2b4000000 + sessionNumber * 0x10).toString(16)}`;
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
    socket.write(`${AMI_BANNER}\r\n`);
  }

  get authenticatedUser(): boolean {
    return this.isAuthenticated;
  }

  get remoteAddress(): string {
    return `IPV4/TCP/${this.socket.remoteAddress ?? '127.0.0.1'}/${this.socket.remotePort ?? 0}`;
  }

  get localAddress(): string {
    return `IPV4/TCP/${this.socket.localAddress ?? '127.0.0.1'}/${this.socket.localPort ?? 0}`;
  }

  /** Delivers an event if this session is logged in and its event mask lets the class through. */
  sendEvent(e: RenderedEvent): void {
    if (!this.isAuthenticated || !maskAllows(this.mask, e.eventClass)) return;
    this.write(e.message);
  }

  /** Cuts the connection at once (restart, slow reader, server stop). */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.queue = [];
    this.socket.destroy();
    this.ctx.closed(this);
  }

  /** Ends the session after what was written has been sent (Logoff, failed login), as Asterisk does. */
  private endGracefully(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.queue = [];
    this.socket.end();
    // A peer that never closes its side must not keep the socket forever.
    setTimeout(() => this.socket.destroy(), 5000).unref();
    this.ctx.closed(this);
  }

  private onData(chunk: string): void {
    if (this.isClosed) return;
    this.queue.push(...this.reader.push(chunk));
    void this.drain();
  }

  /** Actions of one session are handled one at a time, in order, as Asterisk's session thread does. */
  private async drain(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (!this.isClosed && this.queue.length > 0) {
        const m = this.queue.shift();
        if (m) await this.handle(m);
      }
    } finally {
      this.busy = false;
    }
  }

  private write(m: AmiMessage): void {
    if (this.isClosed) return;
    if (this.socket.writableLength > MAX_BUFFERED_BYTES) {
      this.close();
      return;
    }
    this.socket.write(formatAmiMessage(m));
  }

  private respond(m: AmiMessage, response: string, message: string | undefined, extra: AmiHeader[] = []): void {
    const out: AmiHeader[] = [['Response', response]];
    const actionId = getHeader(m, 'ActionID');
    if (actionId !== undefined && actionId !== '') out.push(['ActionID', actionId]);
    if (message !== undefined) out.push(['Message', message]);
    this.write([...out, ...extra]);
  }

  private async handle(m: AmiMessage): Promise<void> {
    const action = (getHeader(m, 'Action') ?? '').trim();
    if (action === '') {
      this.respond(m, 'Error', 'Missing action in request');
      return;
    }
    const name = action.toLowerCase();
    if (!this.isAuthenticated && name !== 'login' && name !== 'logoff' && name !== 'challenge') {
      this.respond(m, 'Error', 'Permission denied');
      return;
    }
    switch (name) {
      case 'login':
        return this.login(m);
      case 'logoff':
        this.respond(m, 'Goodbye', 'Thanks for all the fish.');
        this.endGracefully();
        return;
      case 'ping':
        return this.ping(m);
      case 'corestatus':
        return this.coreStatus(m);
      case 'events':
        return this.events(m);
      case 'originate':
        return this.originate(m);
      default:
        this.respond(
          m,
          'Error',
          `Invalid/unknown command: ${action}. Use Action: ListCommands to show available commands.`,
        );
    }
  }

  private async login(m: AmiMessage): Promise<void> {
    if (this.isAuthenticated) {
      this.respond(m, 'Success', 'Already authenticated');
      return;
    }
    const user = getHeader(m, 'Username') ?? '';
    const secret = getHeader(m, 'Secret') ?? '';
    if (user !== this.ctx.user || secret !== this.ctx.secret) {
      if (this.ctx.authFailDelayMs > 0) {
        await new Promise<void>((resolve) => this.ctx.clock.setTimeout(resolve, this.ctx.authFailDelayMs));
      }
      // Asterisk answers, then ends the session (action_login returns -1).
      this.respond(m, 'Error', 'Authentication failed');
      this.endGracefully();
      return;
    }
    this.mask = parseEventMask(getHeader(m, 'Events'));
    this.isAuthenticated = true;
    this.respond(m, 'Success', 'Authentication accepted');
    if (!maskIsOff(this.mask) && maskAllows(this.mask, 'system')) {
      const uptime = String(Math.max(0, Math.floor((this.ctx.clock.now() - this.ctx.engine.startedAt) / 1000)));
      this.write([
        ['Event', 'FullyBooted'],
        ['Privilege', 'system,all'],
        ['Uptime', uptime],
        ['LastReload', uptime],
        ['Status', 'Fully Booted'],
      ]);
    }
    this.ctx.authenticated(this);
  }

  private ping(m: AmiMessage): void {
    const now = this.ctx.clock.now();
    const seconds = Math.floor(now / 1000);
    const micros = String((now % 1000) * 1000).padStart(6, '0');
    this.respond(m, 'Success', undefined, [
      ['Ping', 'Pong'],
      ['Timestamp', `${seconds}.${micros}`],
    ]);
  }

  private coreStatus(m: AmiMessage): void {
    const started = new Date(this.ctx.engine.startedAt);
    const [date, time] = started.toISOString().slice(0, 19).split('T') as [string, string];
    this.respond(m, 'Success', undefined, [
      ['CoreStartupDate', date],
      ['CoreStartupTime', time],
      ['CoreReloadDate', date],
      ['CoreReloadTime', time],
      ['CoreCurrentCalls', String(this.ctx.engine.listChannels().length)],
      ['CoreProcessedCalls', String(this.ctx.processedCalls())],
    ]);
  }

  private events(m: AmiMessage): void {
    this.mask = parseEventMask(getHeader(m, 'EventMask') ?? 'off');
    this.respond(m, 'Success', undefined, [['Events', maskIsOff(this.mask) ? 'Off' : 'On']]);
  }

  private originate(m: AmiMessage): void {
    const parsed = parseOriginate(m);
    if (!parsed.ok) {
      this.respond(m, 'Error', parsed.message);
      return;
    }
    const actionId = getHeader(m, 'ActionID') ?? '';
    // Only async originate is simulated: the answer comes now, the outcome as an OriginateResponse event.
    this.respond(m, 'Success', 'Originate successfully queued');
    this.ctx.originate(parsed, actionId);
  }
}
