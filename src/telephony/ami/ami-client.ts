import type { AmiMessage } from '../../shared/ami-codec.ts';
import { getHeader } from '../../shared/ami-codec.ts';
import type { Clock, TimerId } from '../../shared/clock.ts';
import { AmiConnection } from './ami-connection.ts';
import {
  AmiActionError,
  AmiActionTimeoutError,
  AmiConnectionLostError,
  AmiLoginError,
  AmiNotConnectedError,
} from './ami-errors.ts';
import { eventFromMessage, responseFields, type AmiEvent } from './ami-event.ts';
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
  /** Set once written to a connection: the ActionID it went out with. */
  sent?: { actionId: string };
}

/**
 * The production AMI connection. Every action has a deadline and a typed error; login failures are one
 * clear log line and are retried; the connection is re-established after any drop with capped, jittered
 * backoff on the injected Clock; a periodic Ping detects a peer that stopped answering; events arrive with
 * normalised keys. One AmiConnection (a socket of our own) per attempt, destroyed when the attempt ends.
 */
export class AmiClient {
  private readonly opts: Required<Omit<AmiClientOptions, 'backoff'>> & { backoff: BackoffOptions };
  private currentState: AmiConnectionState = 'idle';
  private connection: AmiConnection | undefined;
  /** Actions written to the current connection and not yet answered, by ActionID. */
  private readonly byActionId = new Map<string, PendingAction>();
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
  action(
    name: string,
    fields: Readonly<Record<string, AmiFieldValue>> = {},
    options: { timeoutMs?: number } = {},
  ): Promise<AmiResponse> {
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
      if (this.currentState === 'ready' && this.connection) this.send(pending, this.connection);
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
    const loginId = `${this.idPrefix}-login-${++this.actionSeq}`;
    const conn: AmiConnection = new AmiConnection(host, port, {
      onReady: () => {
        if (this.connection !== conn) return;
        this.setState('logging-in');
        conn.send('Login', loginId, { Username: user, Secret: secret, Events: 'on' });
      },
      onResponse: (actionId, message) => {
        if (this.connection !== conn) return;
        if (actionId === loginId) this.loginAnswered(conn, message);
        else this.answered(actionId, message);
      },
      onEvent: (message) => {
        if (this.connection === conn && this.currentState === 'ready') this.deliver(message);
      },
      onClose: (reason) => {
        if (this.connection !== conn) return;
        const during = this.currentState;
        this.connectionFailed(during === 'logging-in' ? 'connection closed during login' : reason, during === 'ready');
      },
    });
    this.connection = conn;
    this.connectTimer = clock.setTimeout(() => {
      if (this.connection === conn)
        this.connectionFailed(`no login within ${this.opts.connectTimeoutMs} ms at ${host}:${port}`, false);
    }, this.opts.connectTimeoutMs);
  }

  private loginAnswered(conn: AmiConnection, message: AmiMessage): void {
    if ((getHeader(message, 'Response') ?? '').toLowerCase() === 'success') this.loggedIn(conn);
    else
      this.connectionFailed(
        new AmiLoginError(this.opts.user, getHeader(message, 'Message') ?? 'login refused').message,
        false,
      );
  }

  private answered(actionId: string, message: AmiMessage): void {
    const p = this.byActionId.get(actionId);
    if (!p) return;
    const response = responseFields(message);
    const status = (response['response'] ?? '').toLowerCase();
    // Error is a failure; Success, Goodbye, Follows and the like are answers.
    if (status === 'error' || status === 'failure')
      this.settle(p, new AmiActionError(p.name, response['message'] ?? status, response));
    else this.settle(p, undefined, response);
  }

  private loggedIn(conn: AmiConnection): void {
    this.opts.clock.clearTimeout(this.connectTimer);
    const recovered = this.failures > 0;
    this.failures = 0;
    this.lastFailure = '';
    this.setState('ready');
    this.opts.logger.info(
      { host: this.opts.host, port: this.opts.port, user: this.opts.user },
      recovered ? 'AMI reconnected and logged in' : 'AMI connected and logged in',
    );
    const waiting = this.queued;
    this.queued = [];
    for (const p of waiting) this.send(p, conn);
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

  /** Destroys the current connection's socket and fails the actions that were waiting on it. */
  private dropConnection(): void {
    const { clock } = this.opts;
    clock.clearTimeout(this.connectTimer);
    clock.clearTimeout(this.heartbeatTimer);
    this.connectTimer = undefined;
    this.heartbeatTimer = undefined;
    const conn = this.connection;
    this.connection = undefined;
    conn?.destroy();
    for (const p of [...this.inFlight]) this.settle(p, new AmiConnectionLostError(p.name));
  }

  private send(p: PendingAction, conn: AmiConnection): void {
    const actionId = `${this.idPrefix}-${++this.actionSeq}`;
    p.sent = { actionId };
    this.inFlight.add(p);
    this.byActionId.set(actionId, p);
    conn.send(p.name, actionId, p.fields);
  }

  private settle(p: PendingAction, error: Error | undefined, response?: AmiResponse): void {
    this.opts.clock.clearTimeout(p.timer);
    p.timer = undefined;
    this.inFlight.delete(p);
    if (p.sent) this.byActionId.delete(p.sent.actionId);
    if (error) p.reject(error);
    else p.resolve(response ?? {});
  }

  private armHeartbeat(): void {
    if (this.opts.heartbeatMs <= 0) return;
    this.heartbeatTimer = this.opts.clock.setTimeout(() => {
      this.heartbeatTimer = undefined;
      if (this.currentState !== 'ready') return;
      const conn = this.connection;
      this.ping().then(
        () => {
          if (this.connection === conn && this.currentState === 'ready') this.armHeartbeat();
        },
        (err: unknown) => {
          if (this.connection !== conn || this.currentState !== 'ready') return;
          if (err instanceof AmiActionTimeoutError) this.connectionFailed('heartbeat Ping got no answer', true);
          else this.armHeartbeat();
        },
      );
    }, this.opts.heartbeatMs);
  }

  private deliver(message: AmiMessage): void {
    const event = eventFromMessage(message);
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
