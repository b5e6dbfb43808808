import WebSocket from 'ws';
import type { Clock, TimerId } from '../../shared/clock.ts';
import type { Logger } from '../../shared/logger.ts';
import { backoffDelay, defaultBackoff, type BackoffPolicy } from './backoff.ts';
import { AriHttpError } from './errors.ts';
import { EventDeduplicator } from './event-dedup.ts';
import type { AriEvent, KnownAriEvents, KnownAriEventType } from './events.ts';
import { parseAriFrame } from './parse-event.ts';
import type { ReconcileHandler, ReconcileSnapshot } from './reconcile.ts';
import { AriRestClient } from './rest-client.ts';

/**
 * - idle: not started; connecting: WebSocket handshake in progress;
 * - reconciling: socket open, snapshot being handed to the ReconcileHandler, events held back;
 * - ready: events flow to listeners; waiting: disconnected, a reconnect is scheduled;
 * - replaced: another client took the application (ApplicationReplaced); no automatic reconnect;
 * - stopped: stop() was called.
 */
export type AriConnectionState = 'idle' | 'connecting' | 'reconciling' | 'ready' | 'waiting' | 'replaced' | 'stopped';

export interface AriConnectionOptions {
  /** ARI base, `http://host:8088` or `http://host:8088/ari`. The WebSocket URL is derived from it. */
  url: string;
  user: string;
  password: string;
  app: string;
  clock: Clock;
  logger: Logger;
  reconcile: ReconcileHandler;
  /** Deadline of each REST call (default 10 s). */
  restTimeoutMs?: number;
  /** Deadline of the WebSocket handshake (default 10 s). */
  connectTimeoutMs?: number;
  /** A ws ping is sent this often while connected (default 10 s)... */
  pingIntervalMs?: number;
  /** ...and a pong must come back within this (default 5 s), or the socket is dropped and reopened. */
  pongTimeoutMs?: number;
  backoff?: Partial<BackoffPolicy>;
  /** The snapshot plus the handler's work must finish within this (default 30 s), or the socket is reopened. */
  reconcileTimeoutMs?: number;
  /** Events held back while reconciling beyond this count (default 50 000) abort the reconcile. */
  maxBufferedEvents?: number;
  /** Passed as `subscribeAll` on the events URL (default false: only the app's own objects). */
  subscribeAll?: boolean;
  /** Checked before each REST request (fencing, docs/scale-out.md); throws to refuse it. */
  guard?: () => void;
  /** Told the duration of each REST request (metrics). */
  onRestTiming?: (method: string, ms: number, ok: boolean) => void;
  /** An injected REST client (defaults to one built from url/user/password). */
  rest?: AriRestClient;
}

type AnyListener = (event: AriEvent) => void;
type StateListener = (state: AriConnectionState, previous: AriConnectionState) => void;

interface Failure {
  key: string;
  message: string;
  /** A drop of a healthy socket is a warning: the reconnect usually follows at once. */
  level?: 'warn' | 'error';
}

/**
 * The production ARI connection: one WebSocket for one Stasis application, reconnecting forever,
 * reconciling on each (re)connect before any new event reaches a listener.
 */
export class AriConnection {
  readonly rest: AriRestClient;
  private readonly opts: AriConnectionOptions;
  /** Told the duration of each REST request (metrics; may be set after construction). */
  onRestTiming: AriConnectionOptions['onRestTiming'];
  private readonly log: Logger;
  private readonly backoff: BackoffPolicy;
  private readonly listeners = new Map<string, Set<AnyListener>>();
  private readonly stateListeners = new Set<StateListener>();
  private readonly dedup = new EventDeduplicator();

  private current: AriConnectionState = 'idle';
  private ws: WebSocket | undefined;
  private generation = 0;
  private attempt = 0;
  private connections = 0;
  private buffer: AriEvent[] = [];
  private retryTimer: TimerId | undefined;
  private handshakeTimer: TimerId | undefined;
  private pingTimer: TimerId | undefined;
  private pongTimer: TimerId | undefined;
  private pendingFailure: Failure | undefined;
  private loggedFailureKey: string | undefined;
  private retryAt: number | undefined;
  private stats = { received: 0, delivered: 0, duplicates: 0, malformed: 0, reconnects: 0 };

  constructor(opts: AriConnectionOptions) {
    this.opts = opts;
    this.onRestTiming = opts.onRestTiming;
    this.log = opts.logger.child({ component: 'ari', app: opts.app });
    this.backoff = { ...defaultBackoff, ...opts.backoff };
    this.rest =
      opts.rest ??
      new AriRestClient({
        url: opts.url,
        user: opts.user,
        password: opts.password,
        clock: opts.clock,
        timeoutMs: opts.restTimeoutMs,
        guard: opts.guard,
        onTiming: (method, ms, ok) => this.onRestTiming?.(method, ms, ok),
      });
  }

  get state(): AriConnectionState {
    return this.current;
  }

  /** Clock time of the next scheduled reconnect attempt, while waiting. */
  get nextRetryAt(): number | undefined {
    return this.retryAt;
  }

  get counters(): Readonly<{
    received: number;
    delivered: number;
    duplicates: number;
    malformed: number;
    reconnects: number;
  }> {
    return { ...this.stats };
  }

  get eventsUrl(): string {
    const base = this.rest.baseUrl.replace(/^http/, 'ws');
    const q = new URLSearchParams({ app: this.opts.app, subscribeAll: String(this.opts.subscribeAll ?? false) });
    return `${base}/events?${q.toString()}`;
  }

  /** Listen to one event type, or '*' for every event (unknown types included). Returns an unsubscribe function. */
  on<K extends KnownAriEventType>(type: K, listener: (event: KnownAriEvents[K]) => void): () => void;
  on(type: '*' | (string & {}), listener: AnyListener): () => void;
  on(type: string, listener: AnyListener): () => void {
    let set = this.listeners.get(type);
    if (!set) {
      set = new Set();
      this.listeners.set(type, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  onState(listener: StateListener): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Connects (or reclaims the application after `replaced`). Never throws; failures are logged and retried. */
  start(): void {
    if (
      this.current === 'connecting' ||
      this.current === 'reconciling' ||
      this.current === 'ready' ||
      this.current === 'waiting'
    )
      return;
    this.attempt = 0;
    this.connect();
  }

  /** Closes the socket and cancels every timer. Resolves once the socket is closed. */
  async stop(): Promise<void> {
    this.setState('stopped');
    this.clearTimers();
    this.clearRetry();
    const ws = this.ws;
    this.ws = undefined;
    this.generation++;
    this.buffer = [];
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000, 'client stopping');
      // A peer that never completes the closing handshake must not block shutdown.
      const t = setTimeout(() => ws.terminate(), 1000);
      t.unref();
    });
  }

  private connect(): void {
    const gen = ++this.generation;
    this.clearRetry();
    this.setState('connecting');
    const auth = `Basic ${Buffer.from(`${this.opts.user}:${this.opts.password}`).toString('base64')}`;
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.eventsUrl, { headers: { authorization: auth }, perMessageDeflate: false });
    } catch (err) {
      this.pendingFailure = {
        key: 'bad-url',
        message: `ARI WebSocket URL ${this.eventsUrl} is invalid: ${(err as Error).message}`,
      };
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    this.handshakeTimer = this.opts.clock.setTimeout(() => {
      if (gen !== this.generation) return;
      this.pendingFailure = {
        key: 'handshake-timeout',
        message: `ARI WebSocket handshake with ${this.eventsUrl} timed out`,
      };
      ws.terminate();
    }, this.opts.connectTimeoutMs ?? 10_000);

    ws.on('open', () => {
      if (gen !== this.generation) return;
      this.opts.clock.clearTimeout(this.handshakeTimer);
      this.onOpen(gen);
    });
    ws.on('message', (data, isBinary) => {
      if (gen !== this.generation) return;
      this.onFrame(isBinary ? null : data.toString());
    });
    ws.on('pong', () => {
      if (gen !== this.generation) return;
      this.opts.clock.clearTimeout(this.pongTimer);
      this.pongTimer = undefined;
    });
    ws.on('error', (err: Error & { code?: string }) => {
      if (gen !== this.generation) return;
      this.pendingFailure ??= describeSocketError(err, this.eventsUrl, this.opts.user);
    });
    ws.on('close', (code, reason) => {
      if (gen !== this.generation) return;
      this.ws = undefined;
      this.clearTimers();
      this.buffer = [];
      if (this.current === 'stopped' || this.current === 'replaced') return;
      const wasUp = this.current === 'ready' || this.current === 'reconciling';
      if (!this.pendingFailure) {
        const why = reason.length ? ` (${reason.toString()})` : '';
        this.pendingFailure = {
          key: `closed-${wasUp ? 'up' : 'handshake'}`,
          message: `ARI WebSocket closed with code ${code}${why}; reconnecting`,
          level: wasUp ? 'warn' : 'error',
        };
      }
      this.scheduleReconnect();
    });
  }

  private onOpen(gen: number): void {
    this.connections++;
    if (this.connections > 1) this.stats.reconnects++;
    this.setState('reconciling');
    this.armHeartbeat(gen);
    void this.reconcile(gen);
  }

  private async reconcile(gen: number): Promise<void> {
    const limitMs = this.opts.reconcileTimeoutMs ?? 30_000;
    let deadline: TimerId | undefined;
    try {
      const work = (async () => {
        const snapshot: ReconcileSnapshot = await this.takeSnapshot();
        if (gen !== this.generation) return;
        await this.opts.reconcile.reconcile(snapshot, this.rest);
      })();
      const expired = new Promise<never>((_, reject) => {
        deadline = this.opts.clock.setTimeout(() => reject(new Error(`not finished within ${limitMs} ms`)), limitMs);
      });
      await Promise.race([work, expired]);
    } catch (err) {
      if (gen !== this.generation) return;
      this.pendingFailure = {
        key: `reconcile-${errorKey(err)}`,
        message: `ARI reconcile failed, reconnecting: ${(err as Error).message}`,
      };
      this.ws?.terminate();
      return;
    } finally {
      this.opts.clock.clearTimeout(deadline);
    }
    if (gen !== this.generation) return;
    // Deliver what arrived meanwhile, in arrival order; anything arriving during delivery is appended.
    while (this.buffer.length > 0 && gen === this.generation) {
      const next = this.buffer.shift() as AriEvent;
      this.deliver(next);
    }
    if (gen !== this.generation || this.current !== 'reconciling') return;
    if (this.loggedFailureKey !== undefined) {
      this.log.info({ attempts: this.attempt }, 'ARI connection restored');
    } else if (this.connections === 1) {
      this.log.info({ url: this.eventsUrl }, 'ARI connected');
    }
    this.loggedFailureKey = undefined;
    this.pendingFailure = undefined;
    this.attempt = 0;
    this.setState('ready');
  }

  private async takeSnapshot(): Promise<ReconcileSnapshot> {
    const [application, channels, bridges] = await Promise.all([
      this.rest.applications.get(this.opts.app),
      this.rest.channels.list(),
      this.rest.bridges.list(),
    ]);
    // GET /channels lists every channel on the PBX, including calls the dialplan fallback handles
    // while this server was away; only the application's own ones are ours to reconcile.
    const channelIds = new Set(application.channel_ids);
    const bridgeIds = new Set(application.bridge_ids);
    return {
      app: this.opts.app,
      channels: channels.filter((c) => channelIds.has(c.id)),
      bridges: bridges.filter((b) => bridgeIds.has(b.id)),
      takenAt: this.opts.clock.now(),
      connectionNumber: this.connections,
    };
  }

  private onFrame(text: string | null): void {
    if (text === null) {
      this.stats.malformed++;
      this.log.warn('ARI sent a binary frame; skipped');
      return;
    }
    const parsed = parseAriFrame(text);
    if (!parsed.ok) {
      this.stats.malformed++;
      this.log.warn(
        { reason: parsed.reason, bytes: text.length, preview: parsed.preview },
        'malformed ARI event skipped',
      );
      return;
    }
    this.stats.received++;
    const event = parsed.event;
    if (!this.dedup.admit(event, text)) {
      this.stats.duplicates++;
      this.log.debug({ type: event.type, timestamp: event.timestamp }, 'duplicate ARI event dropped');
      return;
    }
    if (event.type === 'ApplicationReplaced') {
      this.onReplaced(event);
      return;
    }
    if (this.current === 'reconciling') {
      this.buffer.push(event);
      const limit = this.opts.maxBufferedEvents ?? 50_000;
      if (this.buffer.length === limit + 1) {
        this.pendingFailure = {
          key: 'buffer-overflow',
          message: `ARI reconcile too slow: more than ${limit} events held back; reconnecting`,
        };
        this.ws?.terminate();
      }
    } else if (this.current === 'ready') this.deliver(event);
  }

  private onReplaced(event: AriEvent): void {
    // Asterisk keeps the socket open but sends nothing more: another client owns the app now.
    // Reconnecting by ourselves would steal it back and make two servers fight over every call.
    // `app` is already bound on this logger; repeating it would write the key twice (issue 7 item 15).
    this.log.error(
      'ARI application taken over by another connection (ApplicationReplaced); not reconnecting until start() is called',
    );
    this.clearTimers();
    this.buffer = [];
    const ws = this.ws;
    this.ws = undefined;
    this.generation++;
    this.setState('replaced');
    this.deliver(event);
    ws?.close(1000, 'application replaced');
  }

  private deliver(event: AriEvent): void {
    this.stats.delivered++;
    this.emitTo(this.listeners.get(event.type), event);
    this.emitTo(this.listeners.get('*'), event);
  }

  private emitTo(set: Set<AnyListener> | undefined, event: AriEvent): void {
    if (!set) return;
    for (const listener of set) {
      try {
        const result = listener(event) as unknown;
        if (result instanceof Promise) {
          result.catch((err: unknown) => this.listenerFailed(event, err));
        }
      } catch (err) {
        this.listenerFailed(event, err);
      }
    }
  }

  private listenerFailed(event: AriEvent, err: unknown): void {
    this.log.error(
      { type: event.type, err: err instanceof Error ? err.message : String(err) },
      'ARI event listener failed',
    );
  }

  private armHeartbeat(gen: number): void {
    const interval = this.opts.pingIntervalMs ?? 10_000;
    const pongTimeout = this.opts.pongTimeoutMs ?? 5_000;
    this.pingTimer = this.opts.clock.setTimeout(() => {
      if (gen !== this.generation || !this.ws) return;
      if (this.pongTimer === undefined) {
        this.pongTimer = this.opts.clock.setTimeout(() => {
          if (gen !== this.generation) return;
          this.pendingFailure = {
            key: 'heartbeat',
            message: `ARI WebSocket missed its heartbeat (no pong within ${pongTimeout} ms); reconnecting`,
          };
          this.ws?.terminate();
        }, pongTimeout);
        try {
          this.ws.ping();
        } catch {
          // the socket is closing; its close handler reconnects
        }
      }
      this.armHeartbeat(gen);
    }, interval);
  }

  private scheduleReconnect(): void {
    // The first retry is immediate: while the socket is down a new call fails Stasis() and the dialplan fallback
    // answers it without skills, watchdog or archived recording (issue 12 item 7). Backoff only from the second.
    const delay = this.attempt === 0 ? 0 : backoffDelay(this.attempt - 1, this.backoff);
    this.attempt++;
    const failure = this.pendingFailure;
    this.pendingFailure = undefined;
    if (failure) {
      if (failure.key !== this.loggedFailureKey) {
        this.log[failure.level ?? 'error']({ retryInMs: delay, attempt: this.attempt }, failure.message);
        this.loggedFailureKey = failure.key;
      } else {
        this.log.debug({ retryInMs: delay, attempt: this.attempt }, failure.message);
      }
    }
    this.retryAt = this.opts.clock.now() + delay;
    this.retryTimer = this.opts.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.retryAt = undefined;
      if (this.current === 'waiting') this.connect();
    }, delay);
    this.setState('waiting');
  }

  private clearRetry(): void {
    this.opts.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.retryAt = undefined;
  }

  private clearTimers(): void {
    this.opts.clock.clearTimeout(this.handshakeTimer);
    this.opts.clock.clearTimeout(this.pingTimer);
    this.opts.clock.clearTimeout(this.pongTimer);
    this.handshakeTimer = this.pingTimer = this.pongTimer = undefined;
  }

  private setState(next: AriConnectionState): void {
    const previous = this.current;
    if (previous === next) return;
    this.current = next;
    for (const listener of this.stateListeners) {
      try {
        listener(next, previous);
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'ARI state listener failed');
      }
    }
  }
}

function describeSocketError(err: Error & { code?: string }, url: string, user: string): Failure {
  const status = /Unexpected server response: (\d{3})/.exec(err.message)?.[1];
  if (status === '401' || status === '403') {
    return {
      key: `http-${status}`,
      message: `ARI rejected the credentials of user "${user}" (HTTP ${status}); check the ARI user and password`,
    };
  }
  if (status) return { key: `http-${status}`, message: `ARI WebSocket ${url} refused the upgrade with HTTP ${status}` };
  const code = err.code ?? err.message;
  if (
    code === 'ECONNREFUSED' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENOTFOUND' ||
    code === 'ETIMEDOUT' ||
    code === 'ECONNRESET'
  ) {
    return { key: `net-${code}`, message: `Asterisk unreachable at ${url} (${code}); retrying` };
  }
  return { key: `ws-${code}`, message: `ARI WebSocket error: ${err.message}` };
}

function errorKey(err: unknown): string {
  if (err instanceof AriHttpError) return `http-${err.status}`;
  return err instanceof Error ? err.name : 'unknown';
}
