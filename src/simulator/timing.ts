/**
 * Real-Asterisk timing for the simulator's REST side: how long a request takes to answer, and where the
 * events it causes land relative to its HTTP reply (before it, on both sides of it, or after it).
 *
 * A real Asterisk answers over a few hundred microseconds to tens of milliseconds, and publishes the events of a
 * request on the WebSocket from another thread, so they race the reply (`test/fixtures/asterisk-reference/timing.md`,
 * README rule 1). A simulator that always answers at once and before its events hides races between a
 * command and the state it depends on. Everything here is seeded, so a given seed and request sequence
 * always gives the same latencies and orders.
 */

/** A latency distribution in milliseconds: log-normal through `median` and `p99`, clipped to [min, max]. */
export interface LatencySpec {
  median: number;
  p99: number;
  /** Default median / 4. */
  min?: number;
  /** Default 2 × p99. */
  max?: number;
}

/**
 * Where the events a request causes arrive relative to its reply, as probabilities. `before`: all of them
 * first, then the reply; `between`: some before, the rest after; the remainder (`after`): reply first.
 */
export interface EventOrderSpec {
  before: number;
  between?: number;
}

export interface RouteTiming {
  restLatencyMs?: LatencySpec;
  eventOrder?: EventOrderSpec;
}

export interface SimulatorTiming {
  /** Seed of the PRNG that draws every latency and order; same seed + same request sequence = same timing. */
  seed: number;
  /** For routes not listed in `routes`. */
  restLatencyMs: LatencySpec;
  eventOrder: EventOrderSpec;
  /** Per ARI operation, keyed `METHOD /path/{param}` as in the api-docs, e.g. `POST /bridges/{bridgeId}/addChannel`. */
  routes?: Record<string, RouteTiming>;
  /** Multiplies every latency (load makes the tails grow: timing.md). Default 1. */
  scale?: number;
  /** Real milliseconds between a reply and the events on the other side of it. Default 1. */
  gapMs?: number;
}

export type ReplyOrder = 'before' | 'between' | 'after';

export interface RequestPlan {
  latencyMs: number;
  order: ReplyOrder;
  /** For `between`: the fraction (0..1) of the request's events that go before the reply. */
  split: number;
}

const originate: RouteTiming = { restLatencyMs: { median: 1.46, p99: 33.92 }, eventOrder: { before: 4 / 60 } };

/**
 * Asterisk 22.10.1 on loopback. Latencies: the table in timing.md (60 cycles). Orders: originate from
 * timing.md (StasisStart before the reply in 4 of 60); the others counted in the reference traces (events of
 * the same channel or bridge arriving between the previous reply and this one, or after it): answer 11 before /
 * 2 between / 0 after, addChannel 8/5/2, channel DELETE 0/8/10, bridge DELETE 1/1/4, play 0/2/4.
 */
export const ASTERISK_22_TIMING: SimulatorTiming = {
  seed: 1,
  restLatencyMs: { median: 0.85, p99: 4.5 },
  eventOrder: { before: 4 / 60 },
  routes: {
    'POST /channels': originate,
    'POST /channels/{channelId}': originate,
    'POST /channels/{channelId}/answer': {
      restLatencyMs: { median: 0.59, p99: 1.97 },
      eventOrder: { before: 11 / 13, between: 2 / 13 },
    },
    'POST /bridges': { restLatencyMs: { median: 0.66, p99: 6.04 } },
    'POST /bridges/{bridgeId}': { restLatencyMs: { median: 0.66, p99: 6.04 } },
    'POST /bridges/{bridgeId}/addChannel': {
      restLatencyMs: { median: 0.9, p99: 4.1 },
      eventOrder: { before: 8 / 15, between: 5 / 15 },
    },
    'POST /bridges/{bridgeId}/record': { restLatencyMs: { median: 1.29, p99: 4.76 } },
    'POST /channels/{channelId}/play': {
      restLatencyMs: { median: 0.85, p99: 3.98 },
      eventOrder: { before: 0, between: 2 / 6 },
    },
    'POST /channels/{channelId}/play/{playbackId}': {
      restLatencyMs: { median: 0.85, p99: 3.98 },
      eventOrder: { before: 0, between: 2 / 6 },
    },
    'GET /channels': { restLatencyMs: { median: 0.74, p99: 4.68 } },
    'DELETE /channels/{channelId}': {
      restLatencyMs: { median: 1.11, p99: 3.57 },
      eventOrder: { before: 0, between: 8 / 18 },
    },
    'DELETE /bridges/{bridgeId}': {
      restLatencyMs: { median: 0.84, p99: 3.81 },
      eventOrder: { before: 1 / 6, between: 1 / 6 },
    },
  },
};

/** mulberry32: small, fast, good enough for test timing; state is one 32-bit word. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const Z99 = 2.3263478740408408; // standard normal quantile of 0.99

/** Draws request plans from a timing config; one PRNG for the whole simulator, consumed in request order. */
export class TimingPlanner {
  private readonly rand: () => number;
  constructor(readonly timing: SimulatorTiming) {
    this.rand = seededRandom(timing.seed);
  }

  plan(routeKey: string): RequestPlan {
    const route = this.timing.routes?.[routeKey];
    const lat = route?.restLatencyMs ?? this.timing.restLatencyMs;
    const ord = route?.eventOrder ?? this.timing.eventOrder;
    // Always four draws, so one request's plan never shifts the next one's depending on its route.
    const u1 = this.rand();
    const u2 = this.rand();
    const u3 = this.rand();
    const u4 = this.rand();
    const normal = Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    const sigma = Math.log(lat.p99 / lat.median) / Z99;
    const raw = lat.median * Math.exp(sigma * normal);
    const min = lat.min ?? lat.median / 4;
    const max = lat.max ?? lat.p99 * 2;
    const latencyMs = Math.min(max, Math.max(min, raw)) * (this.timing.scale ?? 1);
    const between = ord.between ?? 0;
    const order: ReplyOrder = u3 < ord.before ? 'before' : u3 < ord.before + between ? 'between' : 'after';
    return { latencyMs, order, split: u4 };
  }
}

export class TimingConfigError extends Error {}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function only(o: Obj, keys: string[], where: string): void {
  for (const k of Object.keys(o))
    if (!keys.includes(k)) throw new TimingConfigError(`${where}: unknown field "${k}" (allowed: ${keys.join(', ')})`);
}

function num(o: Obj, k: string, where: string, min: number, max: number, required: boolean): number | undefined {
  const v = o[k];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
    throw new TimingConfigError(`${where}: "${k}" must be a number from ${min} to ${max}`);
  return v;
}

function parseLatency(v: unknown, where: string): LatencySpec {
  if (!isObj(v)) throw new TimingConfigError(`${where} must be an object {median, p99, min?, max?}`);
  only(v, ['median', 'p99', 'min', 'max'], where);
  const median = num(v, 'median', where, 0.001, 60_000, true) as number;
  const p99 = num(v, 'p99', where, median, 60_000, true) as number;
  const spec: LatencySpec = { median, p99 };
  const min = num(v, 'min', where, 0, median, false);
  const max = num(v, 'max', where, median, 120_000, false);
  if (min !== undefined) spec.min = min;
  if (max !== undefined) spec.max = max;
  return spec;
}

function parseOrder(v: unknown, where: string): EventOrderSpec {
  if (!isObj(v)) throw new TimingConfigError(`${where} must be an object {before, between?}`);
  only(v, ['before', 'between'], where);
  const before = num(v, 'before', where, 0, 1, true) as number;
  const between = num(v, 'between', where, 0, 1, false);
  if (before + (between ?? 0) > 1) throw new TimingConfigError(`${where}: "before" + "between" must not exceed 1`);
  return between === undefined ? { before } : { before, between };
}

/**
 * Reads a timing config from JSON-like input (control API, CLI): `"asterisk22"` or
 * `{ preset?: "asterisk22", seed?, restLatencyMs?, eventOrder?, routes?, scale?, gapMs? }`, fields overriding the
 * preset; without a preset, `restLatencyMs` and `eventOrder` are required.
 */
export function parseTiming(v: unknown): SimulatorTiming {
  if (v === 'asterisk22') return structuredClone(ASTERISK_22_TIMING);
  if (!isObj(v)) throw new TimingConfigError('timing must be "asterisk22" or an object');
  only(v, ['preset', 'seed', 'restLatencyMs', 'eventOrder', 'routes', 'scale', 'gapMs'], 'timing');
  if (v.preset !== undefined && v.preset !== 'asterisk22')
    throw new TimingConfigError('timing: "preset" must be "asterisk22"');
  const base: Partial<SimulatorTiming> = v.preset ? structuredClone(ASTERISK_22_TIMING) : {};
  const seed = num(v, 'seed', 'timing', 0, 0xffffffff, false);
  if (seed !== undefined && !Number.isInteger(seed)) throw new TimingConfigError('timing: "seed" must be an integer');
  const restLatencyMs =
    v.restLatencyMs !== undefined ? parseLatency(v.restLatencyMs, 'timing.restLatencyMs') : base.restLatencyMs;
  const eventOrder = v.eventOrder !== undefined ? parseOrder(v.eventOrder, 'timing.eventOrder') : base.eventOrder;
  if (!restLatencyMs || !eventOrder)
    throw new TimingConfigError('timing: give "restLatencyMs" and "eventOrder", or "preset": "asterisk22"');
  const out: SimulatorTiming = { seed: seed ?? base.seed ?? 1, restLatencyMs, eventOrder };
  let routes = base.routes;
  if (v.routes !== undefined) {
    if (!isObj(v.routes)) throw new TimingConfigError('timing.routes must be an object keyed "METHOD /path"');
    routes = { ...(routes ?? {}) };
    for (const [key, r] of Object.entries(v.routes)) {
      const where = `timing.routes["${key}"]`;
      if (!/^(GET|POST|PUT|DELETE) \/[\w/{}]*$/.test(key))
        throw new TimingConfigError(`${where}: key must look like "POST /channels/{channelId}/answer"`);
      if (!isObj(r)) throw new TimingConfigError(`${where} must be an object {restLatencyMs?, eventOrder?}`);
      only(r, ['restLatencyMs', 'eventOrder'], where);
      const rt: RouteTiming = {};
      if (r.restLatencyMs !== undefined) rt.restLatencyMs = parseLatency(r.restLatencyMs, `${where}.restLatencyMs`);
      if (r.eventOrder !== undefined) rt.eventOrder = parseOrder(r.eventOrder, `${where}.eventOrder`);
      routes[key] = rt;
    }
  }
  if (routes) out.routes = routes;
  const scale = num(v, 'scale', 'timing', 0, 1000, false) ?? base.scale;
  const gapMs = num(v, 'gapMs', 'timing', 0, 1000, false) ?? base.gapMs;
  if (scale !== undefined) out.scale = scale;
  if (gapMs !== undefined) out.gapMs = gapMs;
  return out;
}
