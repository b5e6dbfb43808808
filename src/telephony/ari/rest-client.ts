import type { Clock } from '../../shared/clock.ts';
import { AriHttpError, AriProtocolError, AriTimeoutError, AriUnreachableError, type AriMethod } from './errors.ts';
import type {
  Application,
  AsteriskInfo,
  AsteriskPing,
  Bridge,
  Channel,
  DeviceState,
  HangupReason,
  LiveRecording,
  Playback,
  StoredRecording,
  Variable,
} from './models.ts';
import { httpTransport, type AriTransport, type AriTransportResponse } from './transport.ts';

export interface AriRestOptions {
  /** `http://host:8088` or `http://host:8088/ari`; `/ari` is added when missing. */
  url: string;
  user: string;
  password: string;
  clock: Clock;
  /** Deadline for each call unless the call passes its own. */
  timeoutMs?: number;
  /** How requests are sent: node:http keep-alive by default, or fetchTransport(). */
  transport?: AriTransport;
  /**
   * Checked before every request; throws to refuse it. Several instances (docs/scale-out.md): an instance that
   * does not hold the call-ownership lease must not command the PBX (fencing).
   */
  guard?: () => void;
  /** Told the duration of each request that was sent (metrics). */
  onTiming?: (method: string, ms: number, ok: boolean) => void;
}

type QueryValue = string | number | boolean | undefined | readonly string[];
type Query = Record<string, QueryValue>;

export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

interface RequestSpec extends CallOptions {
  query?: Query;
  body?: unknown;
}

export interface OriginateParams {
  endpoint: string;
  extension?: string;
  context?: string;
  priority?: number;
  label?: string;
  app?: string;
  appArgs?: string;
  callerId?: string;
  timeout?: number;
  variables?: Record<string, string>;
  channelId?: string;
  otherChannelId?: string;
  originator?: string;
  formats?: string;
}

export interface CreateChannelParams {
  endpoint: string;
  app: string;
  appArgs?: string;
  channelId?: string;
  otherChannelId?: string;
  originator?: string;
  formats?: string;
  variables?: Record<string, string>;
}

export interface PlayParams {
  media: string | readonly string[];
  lang?: string;
  offsetms?: number;
  skipms?: number;
  playbackId?: string;
}

export interface RecordParams {
  name: string;
  format: string;
  maxDurationSeconds?: number;
  maxSilenceSeconds?: number;
  ifExists?: 'fail' | 'overwrite' | 'append';
  beep?: boolean;
  terminateOn?: 'none' | 'any' | '*' | '#';
}

export type MuteDirection = 'both' | 'in' | 'out';

const TIMED_OUT = Symbol('ari-timeout');

/**
 * A typed ARI REST client. Each call has a deadline driven by the injected
 * clock and fails with AriHttpError / AriTimeoutError / AriUnreachableError, never hangs and never
 * loses the HTTP status (ari-client's failure modes 3 and 4 in STACK-NOTES).
 */
export class AriRestClient {
  readonly baseUrl: string;
  private readonly auth: string;
  private readonly clock: Clock;
  private readonly defaultTimeoutMs: number;
  private readonly transport: AriTransport;
  private readonly guard: (() => void) | undefined;
  private readonly onTiming: AriRestOptions['onTiming'];

  constructor(opts: AriRestOptions) {
    const trimmed = opts.url.replace(/\/+$/, '');
    this.baseUrl = trimmed.endsWith('/ari') ? trimmed : `${trimmed}/ari`;
    this.auth = `Basic ${Buffer.from(`${opts.user}:${opts.password}`).toString('base64')}`;
    this.clock = opts.clock;
    this.defaultTimeoutMs = opts.timeoutMs ?? 10_000;
    this.transport = opts.transport ?? httpTransport();
    this.guard = opts.guard;
    this.onTiming = opts.onTiming;
  }

  readonly channels = {
    list: (o?: CallOptions) => this.json<Channel[]>('GET', '/channels', o),
    originate: (p: OriginateParams, o?: CallOptions) => {
      const { variables, ...query } = p;
      return this.json<Channel>('POST', '/channels', { ...o, query, body: variables ? { variables } : undefined });
    },
    create: (p: CreateChannelParams, o?: CallOptions) => {
      const { variables, ...query } = p;
      return this.json<Channel>('POST', '/channels/create', {
        ...o,
        query,
        body: variables ? { variables } : undefined,
      });
    },
    get: (id: string, o?: CallOptions) => this.json<Channel>('GET', `/channels/${enc(id)}`, o),
    dial: (id: string, p: { caller?: string; timeout?: number } = {}, o?: CallOptions) =>
      this.void('POST', `/channels/${enc(id)}/dial`, { ...o, query: p }),
    answer: (id: string, o?: CallOptions) => this.void('POST', `/channels/${enc(id)}/answer`, o),
    ring: (id: string, o?: CallOptions) => this.void('POST', `/channels/${enc(id)}/ring`, o),
    ringStop: (id: string, o?: CallOptions) => this.void('DELETE', `/channels/${enc(id)}/ring`, o),
    hangup: (id: string, p: { reason?: HangupReason; reason_code?: string } = {}, o?: CallOptions) =>
      this.void('DELETE', `/channels/${enc(id)}`, { ...o, query: p }),
    continueInDialplan: (
      id: string,
      p: { context?: string; extension?: string; priority?: number; label?: string } = {},
      o?: CallOptions,
    ) => this.void('POST', `/channels/${enc(id)}/continue`, { ...o, query: p }),
    play: (id: string, p: PlayParams, o?: CallOptions) =>
      this.json<Playback>('POST', `/channels/${enc(id)}/play`, { ...o, query: { ...p } }),
    record: (id: string, p: RecordParams, o?: CallOptions) =>
      this.json<LiveRecording>('POST', `/channels/${enc(id)}/record`, { ...o, query: { ...p } }),
    sendDtmf: (
      id: string,
      p: { dtmf: string; before?: number; between?: number; duration?: number; after?: number },
      o?: CallOptions,
    ) => this.void('POST', `/channels/${enc(id)}/dtmf`, { ...o, query: p }),
    hold: (id: string, o?: CallOptions) => this.void('POST', `/channels/${enc(id)}/hold`, o),
    unhold: (id: string, o?: CallOptions) => this.void('DELETE', `/channels/${enc(id)}/hold`, o),
    startMoh: (id: string, p: { mohClass?: string } = {}, o?: CallOptions) =>
      this.void('POST', `/channels/${enc(id)}/moh`, { ...o, query: p }),
    stopMoh: (id: string, o?: CallOptions) => this.void('DELETE', `/channels/${enc(id)}/moh`, o),
    startSilence: (id: string, o?: CallOptions) => this.void('POST', `/channels/${enc(id)}/silence`, o),
    stopSilence: (id: string, o?: CallOptions) => this.void('DELETE', `/channels/${enc(id)}/silence`, o),
    mute: (id: string, p: { direction?: MuteDirection } = {}, o?: CallOptions) =>
      this.void('POST', `/channels/${enc(id)}/mute`, { ...o, query: p }),
    unmute: (id: string, p: { direction?: MuteDirection } = {}, o?: CallOptions) =>
      this.void('DELETE', `/channels/${enc(id)}/mute`, { ...o, query: p }),
    snoop: (
      id: string,
      p: {
        app: string;
        spy?: MuteDirection | 'none';
        whisper?: MuteDirection | 'none';
        appArgs?: string;
        snoopId?: string;
      },
      o?: CallOptions,
    ) => this.json<Channel>('POST', `/channels/${enc(id)}/snoop`, { ...o, query: p }),
    getVariable: (id: string, variable: string, o?: CallOptions) =>
      this.json<Variable>('GET', `/channels/${enc(id)}/variable`, { ...o, query: { variable } }),
    setVariable: (id: string, variable: string, value: string | undefined, o?: CallOptions) =>
      this.void('POST', `/channels/${enc(id)}/variable`, { ...o, query: { variable, value } }),
  };

  readonly bridges = {
    list: (o?: CallOptions) => this.json<Bridge[]>('GET', '/bridges', o),
    create: (p: { type?: string; bridgeId?: string; name?: string } = {}, o?: CallOptions) =>
      this.json<Bridge>('POST', '/bridges', { ...o, query: p }),
    get: (id: string, o?: CallOptions) => this.json<Bridge>('GET', `/bridges/${enc(id)}`, o),
    destroy: (id: string, o?: CallOptions) => this.void('DELETE', `/bridges/${enc(id)}`, o),
    addChannel: (
      id: string,
      p: {
        channel: string | readonly string[];
        role?: string;
        absorbDTMF?: boolean;
        mute?: boolean;
        inhibitConnectedLineUpdates?: boolean;
      },
      o?: CallOptions,
    ) => this.void('POST', `/bridges/${enc(id)}/addChannel`, { ...o, query: { ...p } }),
    removeChannel: (id: string, p: { channel: string | readonly string[] }, o?: CallOptions) =>
      this.void('POST', `/bridges/${enc(id)}/removeChannel`, { ...o, query: { ...p } }),
    play: (id: string, p: PlayParams & { announcer_format?: string }, o?: CallOptions) =>
      this.json<Playback>('POST', `/bridges/${enc(id)}/play`, { ...o, query: { ...p } }),
    record: (id: string, p: RecordParams & { recorder_format?: string }, o?: CallOptions) =>
      this.json<LiveRecording>('POST', `/bridges/${enc(id)}/record`, { ...o, query: { ...p } }),
    startMoh: (id: string, p: { mohClass?: string } = {}, o?: CallOptions) =>
      this.void('POST', `/bridges/${enc(id)}/moh`, { ...o, query: p }),
    stopMoh: (id: string, o?: CallOptions) => this.void('DELETE', `/bridges/${enc(id)}/moh`, o),
  };

  readonly playbacks = {
    get: (id: string, o?: CallOptions) => this.json<Playback>('GET', `/playbacks/${enc(id)}`, o),
    stop: (id: string, o?: CallOptions) => this.void('DELETE', `/playbacks/${enc(id)}`, o),
    control: (id: string, operation: 'restart' | 'pause' | 'unpause' | 'reverse' | 'forward', o?: CallOptions) =>
      this.void('POST', `/playbacks/${enc(id)}/control`, { ...o, query: { operation } }),
  };

  readonly recordings = {
    listStored: (o?: CallOptions) => this.json<StoredRecording[]>('GET', '/recordings/stored', o),
    getStored: (name: string, o?: CallOptions) =>
      this.json<StoredRecording>('GET', `/recordings/stored/${enc(name)}`, o),
    /** The stored file's bytes (audio/wav for the wav format). */
    getStoredFile: (name: string, o?: CallOptions) => this.bytes('GET', `/recordings/stored/${enc(name)}/file`, o),
    deleteStored: (name: string, o?: CallOptions) => this.void('DELETE', `/recordings/stored/${enc(name)}`, o),
    copyStored: (name: string, destinationRecordingName: string, o?: CallOptions) =>
      this.json<StoredRecording>('POST', `/recordings/stored/${enc(name)}/copy`, {
        ...o,
        query: { destinationRecordingName },
      }),
    getLive: (name: string, o?: CallOptions) => this.json<LiveRecording>('GET', `/recordings/live/${enc(name)}`, o),
    cancel: (name: string, o?: CallOptions) => this.void('DELETE', `/recordings/live/${enc(name)}`, o),
    stop: (name: string, o?: CallOptions) => this.void('POST', `/recordings/live/${enc(name)}/stop`, o),
    pause: (name: string, o?: CallOptions) => this.void('POST', `/recordings/live/${enc(name)}/pause`, o),
    unpause: (name: string, o?: CallOptions) => this.void('DELETE', `/recordings/live/${enc(name)}/pause`, o),
    mute: (name: string, o?: CallOptions) => this.void('POST', `/recordings/live/${enc(name)}/mute`, o),
    unmute: (name: string, o?: CallOptions) => this.void('DELETE', `/recordings/live/${enc(name)}/mute`, o),
  };

  readonly applications = {
    list: (o?: CallOptions) => this.json<Application[]>('GET', '/applications', o),
    get: (name: string, o?: CallOptions) => this.json<Application>('GET', `/applications/${enc(name)}`, o),
    subscribe: (name: string, eventSource: string | readonly string[], o?: CallOptions) =>
      this.json<Application>('POST', `/applications/${enc(name)}/subscription`, { ...o, query: { eventSource } }),
    unsubscribe: (name: string, eventSource: string | readonly string[], o?: CallOptions) =>
      this.json<Application>('DELETE', `/applications/${enc(name)}/subscription`, { ...o, query: { eventSource } }),
  };

  readonly asterisk = {
    info: (p: { only?: string } = {}, o?: CallOptions) =>
      this.json<AsteriskInfo>('GET', '/asterisk/info', { ...o, query: p }),
    ping: (o?: CallOptions) => this.json<AsteriskPing>('GET', '/asterisk/ping', o),
    getVariable: (variable: string, o?: CallOptions) =>
      this.json<Variable>('GET', '/asterisk/variable', { ...o, query: { variable } }),
    setVariable: (variable: string, value: string | undefined, o?: CallOptions) =>
      this.void('POST', '/asterisk/variable', { ...o, query: { variable, value } }),
  };

  readonly deviceStates = {
    list: (o?: CallOptions) => this.json<DeviceState[]>('GET', '/deviceStates', o),
    get: (name: string, o?: CallOptions) => this.json<DeviceState>('GET', `/deviceStates/${enc(name)}`, o),
    update: (name: string, deviceState: string, o?: CallOptions) =>
      this.void('PUT', `/deviceStates/${enc(name)}`, { ...o, query: { deviceState } }),
    delete: (name: string, o?: CallOptions) => this.void('DELETE', `/deviceStates/${enc(name)}`, o),
  };

  async json<T>(method: AriMethod, path: string, spec: RequestSpec = {}): Promise<T> {
    return this.request(method, path, spec, (res) => {
      if (res.body.length === 0) throw new AriProtocolError(method, path, `empty body with status ${res.status}`);
      try {
        return JSON.parse(res.body.toString('utf8')) as T;
      } catch {
        throw new AriProtocolError(method, path, `body is not JSON (status ${res.status})`);
      }
    });
  }

  async void(method: AriMethod, path: string, spec: RequestSpec = {}): Promise<void> {
    return this.request(method, path, spec, () => undefined);
  }

  async bytes(method: AriMethod, path: string, spec: RequestSpec = {}): Promise<Buffer> {
    return this.request(method, path, spec, (res) => res.body);
  }

  private async request<T>(
    method: AriMethod,
    path: string,
    spec: RequestSpec,
    read: (res: AriTransportResponse) => T,
  ): Promise<T> {
    this.guard?.();
    const timeoutMs = spec.timeoutMs ?? this.defaultTimeoutMs;
    const controller = new AbortController();
    let timedOut = false;
    const timer = this.clock.setTimeout(() => {
      timedOut = true;
      controller.abort(TIMED_OUT);
    }, timeoutMs);
    const onCallerAbort = () => controller.abort(spec.signal?.reason);
    if (spec.signal?.aborted) onCallerAbort();
    else spec.signal?.addEventListener('abort', onCallerAbort, { once: true });

    const url = this.baseUrl + path + queryString(spec.query);
    const headers: Record<string, string> = { authorization: this.auth, accept: 'application/json' };
    let body: string | undefined;
    if (spec.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(spec.body);
    }
    const sentAt = this.clock.now();
    let ok = false;
    try {
      const res = await this.transport({ method, url, headers, body, signal: controller.signal });
      if (res.status < 200 || res.status >= 300) {
        throw new AriHttpError(method, path, res.status, errorMessage(res));
      }
      ok = true;
      return read(res);
    } catch (err) {
      if (timedOut) throw new AriTimeoutError(method, path, timeoutMs);
      if (err instanceof AriHttpError || err instanceof AriProtocolError) throw err;
      if (controller.signal.aborted) throw spec.signal?.reason ?? err;
      throw new AriUnreachableError(method, path, networkCode(err), { cause: err });
    } finally {
      this.onTiming?.(method, this.clock.now() - sentAt, ok);
      this.clock.clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onCallerAbort);
    }
  }
}

function enc(id: string): string {
  return encodeURIComponent(id);
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    // ARI takes lists as comma-separated values (e.g. addChannel?channel=a,b, play?media=x,y).
    params.append(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

function errorMessage(res: AriTransportResponse): string {
  const text = res.body.toString('utf8');
  try {
    const parsed = JSON.parse(text) as { message?: unknown; error?: unknown };
    // Originate with an unknown technology answers {"error": "Allocation failed"} instead of {"message": ...}.
    if (typeof parsed.message === 'string') return parsed.message;
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON: fall through
  }
  const trimmed = text.trim().slice(0, 200);
  return trimmed || res.statusText || 'no body';
}

function networkCode(err: unknown): string {
  let cur: unknown = err;
  for (let depth = 0; depth < 4 && cur; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return err instanceof Error ? err.message : String(err);
}
