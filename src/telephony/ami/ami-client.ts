import Manager, { type ManagerInstance } from 'asterisk-manager';
import type { Clock, TimerId } from '../../shared/clock.ts';
import {
  AmiActionError,
  AmiActionTimeoutError,
  AmiConnectionLostError,
  AmiLoginError,
  AmiNotConnectedError,
} from './ami-errors.ts';
import { normaliseEvent, normaliseResponse, type AmiEvent } from './ami-event.ts';
import { backoffDelay, type BackoffOptions } from './backoff.ts';

export type AmiConnectionState = 'idle' | 'connecting' | 'logging-in' | 'ready' | 'backoff' | 'stopped';

/** The pino methods the adapter uses; pino's Logger fits. */
export interface AmiLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export type AmiFieldValue = string | number | boolean | Readonly<Record<string, string | number>>;
export type AmiResponse = Readonly<Record<string, string>>;

export interface AmiClientOptions {
  host: string;
  port: number;
  user: string;
  secret: string;
  clock: Clock;
  logger: AmiLogger;
  /** Deadline for every action unless the call gives its own. */
  actionTimeoutMs?: number;
  /** Deadline for TCP connect plus login; a silent peer never holds the adapter. */
  connectTimeoutMs?: number;
  /** A Ping is sent this often while ready; a Ping without answer drops the connection. 0 disables. */
  heartbeatMs?: number;
  backoff?: Partial<BackoffOptions>;
  random?: () => number;
}

interface PendingAction {
  readonly name: string;
  readonly fields: Readonly<Record<string, AmiFieldValue>>;
  readonly timeoutMs: number;
  readonly resolve: (r: AmiResponse) => void;
  readonly reject: (e: Error) => void;
  timer?: TimerId;
  /** Set once written to a connection: the manager it went to, its ActionID and response listener. */
  sent?: { manager: ManagerInstance; actionId: string; listener: (err?: unknown, res?: unknown) => void };
}

const noop = (): void => {};

/**
 * The production AMI connection: asterisk-manager 0.2.0 for framing and parsing, with everything it lacks
 * done here. asterisk-manager's keepConnected() only arms before the first connect and cannot be re-armed,
 * its actions never time out, and failures come back as raw response objects; so every connection attempt
 * uses a fresh Manager instance that is thrown away when the connection ends, reconnects follow a capped,
 * jittered backoff on the injected Clock, and every action has a deadline and a typed error.
 */
export class AmiClient {
  private readonly opts: Required<Omit<AmiClientOptions, 'backoff'>> & { backoff: BackoffOptions };
  private currentState: AmiConnectionState = 'idle';
  private manager: ManagerInstance | undefined;
  private queued: PendingAction[] = [];
  private inFlight = new Set<PendingAction>();
  private eventListeners = new Set<(e: AmiEvent) => void>();
  private stateListeners = new Set<(s: AmiConnectionState) => void>();
  private failures = 0;
  private lastFailure = '';
  private reconnectTimer: TimerId | undefined;
  private connectTimer: TimerId | undefined;
  private heartbeatTimer: TimerId | undefined;
  private actionSeq = 0;
  private readonly idPrefix: string;

  constructor(options: AmiClientOptions) {
    this.opts = {
      actionTimeoutMs: 5_000,
      connectTimeoutMs: 10_000,
      heartbeatMs: 30_000,
      random: Math.random,
      ...options,
      backoff: { initialMs: 500, maxMs: 30_000, ...options.backoff },
    };
    this.idPrefix = `cti-${Math.floor(this.opts.random() * 0xffffff).toString(16)}`;
  }

  get state(): AmiConnectionState {
    return this.currentState;
  }

  /** Starts connecting; the adapter then keeps itself connected until stop(). Never throws. */
  start(): void {
    if (this.currentState !== 'idle') return;
    this.connect();
  }

  /** Drops the connection, cancels every timer and fails every waiting action. */
  stop(): void {
    if (this.currentState === 'stopped') return;
    this.setState('stopped');
    this.opts.clock.clearTimeout(this.reconnectTimer);
    this.dropConnection();
    for (const p of this.queued) this.settle(p, new AmiNotConnectedError(p.name, 'stopped'));
    this.queued = [];
  }

  onEvent(listener: (e: AmiEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onState(listener: (s: AmiConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /**
   * Sends an action and resolves with its response (lowercased keys). While not logged in the action waits
   * for the connection, within the same deadline. Rejects with AmiActionTimeoutError, AmiActionError,
   * AmiNotConnectedError or AmiConnectionLostError. An action is never re-sent on another connection:
   * Originate is not idempotent.
   */
  action(name: string, fields: Readonly<Record<string, AmiFieldValue>> = {}, options: { timeoutMs?: number } = {}): Promise<AmiResponse> {
    if (this.currentState === 'stopped') return Promise.reject(new AmiNotConnectedError(name, 'stopped'));
    const timeoutMs = options.timeoutMs ?? this.opts.actionTimeoutMs;
    return new Promise<AmiResponse>((resolve, reject) => {
      const pending: PendingAction = { name, fields, timeoutMs, resolve, reject };
      pending.timer = this.opts.clock.setTimeout(() => {
        pending.timer = undefined;
        if (pending.sent) this.settle(pending, new AmiActionTimeoutError(name, timeoutMs));
        else {
          this.queued = this.queued.filter((p) => p !== pending);
          this.settle(pending, new AmiNotConnectedError(name, this.currentState));
        }
      }, timeoutMs);
      if (this.currentState === 'ready' && this.manager) this.send(pending, this.manager);
      else this.queued.push(pending);
    });
  }

  ping(): Promise<AmiResponse> {
    return this.action('Ping');
  }

  coreStatus(): Promise<AmiResponse> {
    return this.action('CoreStatus');
  }

  /**
   * Async Originate: resolves when Asterisk queued it ("Originate successfully queued"); the outcome arrives
   * later as an OriginateResponse event carrying the returned ActionID.
   */
  async originate(o: {
    channel: string;
    context?: string;
    exten?: string;
    priority?: number;
    application?: string;
    data?: string;
    callerId?: string;
    timeoutMs?: number;
    variables?: Readonly<Record<string, string>>;
  }): Promise<AmiResponse> {
    const fields: Record<string, AmiFieldValue> = { Channel: o.channel, Async: 'true' };
    if (o.context !== undefined) fields['Context'] = o.context;
    if (o.exten !== undefined) fields['Exten'] = o.exten;
    if (o.priority !== undefined) fields['Priority'] = o.priority;
    if (o.application !== undefined) fields['Application'] = o.application;
    if (o.data !== undefined) fields['Data'] = o.data;
    if (o.callerId !== undefined) fields['CallerID'] = o.callerId;
    if (o.timeoutMs !== undefined) fields['Timeout'] = o.timeoutMs;
    if (o.variables) fields['Variable'] = o.variables;
    return this.action('Originate', fields);
  }

  private connect(): void {
    this.setState('connecting');
    const { host, port, user, secret, clock } = this.opts;
    const m = Manager(undefined, host, user, secret, true);
    this.manager = m;
    const current = (): boolean => this.manager === m;
    let socketError = '';
    m.on('error', (err: unknown) => {
      socketError = err instanceof Error ? err.message : String(err);
    });
    m.on('managerevent', (raw: Record<string, unknown>) => {
      if (current()) this.deliver(raw);
    });
    m.on('close', () => {
      if (!current()) return;
      const during = this.currentState;
      const reason =
        during === 'ready'
          ? 'connection closed by Asterisk'
          : during === 'logging-in'
            ? 'connection closed during login'
            : `cannot connect to ${host}:${port}${socketError ? ` (${socketError})` : ''}`;
      this.connectionFailed(reason, during === 'ready');
    });
    this.connectTimer = clock.setTimeout(() => {
      if (current()) this.connectionFailed(`no login within ${this.opts.connectTimeoutMs} ms at ${host}:${port}`, false);
    }, this.opts.connectTimeoutMs);
    m.connect(port, host, () => {
      if (!current()) {
        // A connect that completes after its attempt was abandoned must not leave a socket open.
        m.disconnect();
        return;
      }
      this.setState('logging-in');
      m.login((err?: unknown) => {
        if (!current()) return;
        if (err) {
          const reason = normaliseResponse(err)['message'] ?? 'login refused';
          this.connectionFailed(new AmiLoginError(user, reason).message, false);
          return;
        }
        this.loggedIn(m);
      });
    });
  }

  private loggedIn(m: ManagerInstance): void {
    this.opts.clock.clearTimeout(this.connectTimer);
    const recovered = this.failures > 0;
    this.failures = 0;
    this.lastFailure = '';
    this.setState('ready');
    this.opts.logger.info({ host: this.opts.host, port: this.opts.port, user: this.opts.user }, recovered ? 'AMI reconnected and logged in' : 'AMI connected and logged in');
    const waiting = this.queued;
    this.queued = [];
    for (const p of waiting) this.send(p, m);
    this.armHeartbeat();
  }

  private connectionFailed(reason: string, wasReady: boolean): void {
    this.dropConnection();
    if (this.currentState === 'stopped') return;
    const delay = backoffDelay(this.failures, this.opts.backoff, this.opts.random);
    this.failures++;
    // One line per failed attempt; an unchanged reason is logged as a warning so a long outage does not
    // read as a new fault every few seconds.
    const log = { host: this.opts.host, port: this.opts.port, attempt: this.failures, retryInMs: delay };
    if (wasReady || reason !== this.lastFailure) this.opts.logger.error(log, `AMI: ${reason}; retrying in ${delay} ms`);
    else this.opts.logger.warn(log, `AMI: ${reason}; retrying in ${delay} ms`);
    this.lastFailure = reason;
    this.setState('backoff');
    this.reconnectTimer = this.opts.clock.setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.currentState === 'backoff') this.connect();
    }, delay);
  }

  /** Throws the current Manager away and fails the actions that were waiting on it. */
  private dropConnection(): void {
    const { clock } = this.opts;
    clock.clearTimeout(this.connectTimer);
    clock.clearTimeout(this.heartbeatTimer);
    this.connectTimer = undefined;
    this.heartbeatTimer = undefined;
    const m = this.manager;
    this.manager = undefined;
    if (m) {
      m.removeAllListeners();
      // asterisk-manager re-emits socket errors on its emitter; with no listener that would throw.
      m.on('error', noop);
      m.disconnect();
    }
    for (const p of [...this.inFlight]) this.settle(p, new AmiConnectionLostError(p.name));
  }

  private send(p: PendingAction, m: ManagerInstance): void {
    const actionId = `${this.idPrefix}-${++this.actionSeq}`;
    const listener = (err?: unknown, res?: unknown): void => {
      if (!this.inFlight.has(p)) return;
      if (err) {
        const response = normaliseResponse(err);
        this.settle(p, new AmiActionError(p.name, response['message'] ?? response['response'] ?? 'error', response));
      } else this.settle(p, undefined, normaliseResponse(res));
    };
    p.sent = { manager: m, actionId, listener };
    this.inFlight.add(p);
    m.action({ action: p.name, ...p.fields, actionid: actionId }, listener);
  }

  private settle(p: PendingAction, error: Error | undefined, response?: AmiResponse): void {
    this.opts.clock.clearTimeout(p.timer);
    p.timer = undefined;
    this.inFlight.delete(p);
    // asterisk-manager keeps a response listener per ActionID forever if no response comes.
    if (p.sent) p.sent.manager.removeListener(p.sent.actionId, p.sent.listener);
    if (error) p.reject(error);
    else p.resolve(response ?? {});
  }

  private armHeartbeat(): void {
    if (this.opts.heartbeatMs <= 0) return;
    this.heartbeatTimer = this.opts.clock.setTimeout(() => {
      this.heartbeatTimer = undefined;
      if (this.currentState !== 'ready') return;
      const m = this.manager;
      this.ping().then(
        () => {
          if (this.manager === m && this.currentState === 'ready') this.armHeartbeat();
        },
        (err: unknown) => {
          if (this.manager !== m || this.currentState !== 'ready') return;
          if (err instanceof AmiActionTimeoutError) this.connectionFailed('heartbeat Ping got no answer', true);
          else this.armHeartbeat();
        },
      );
    }, this.opts.heartbeatMs);
  }

  private deliver(raw: Record<string, unknown>): void {
    let event: AmiEvent | undefined;
    try {
      event = normaliseEvent(raw);
    } catch {
      event = undefined;
    }
    if (!event) return;
    for (const listener of this.eventListeners) {
      try {
        listener(event);
      } catch (err) {
        this.opts.logger.error({ err, event: event.name }, 'AMI event listener threw; event skipped for it');
      }
    }
  }

  private setState(s: AmiConnectionState): void {
    if (this.currentState === s) return;
    this.currentState = s;
    for (const listener of this.stateListeners) {
      try {
        listener(s);
      } catch (err) {
        this.opts.logger.error({ err }, 'AMI state listener threw');
      }
    }
  }
}
