/**
 * Replays a reference trace (test/fixtures/asterisk-reference/traces) against the simulator: the same
 * requests in the same order, with the fake clock driven by the trace's own timeline, then compares
 * responses and the event stream. Identifiers differ between runs, so they are normalised: every
 * generated id (uniqueids, playback UUIDs, channel-name suffixes) the simulator produced is translated to
 * the reference's id it stands in for, learned by walking aligned responses and events in parallel.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { PASS, USER, startHarness, type EventSocket, type Harness } from '../simulator/sim-harness.ts';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'asterisk-reference');

export type TraceLine = {
  seq: number;
  t: string;
  dt_ms: number;
  kind: 'event' | 'request' | 'ws' | 'note';
  event?: any;
  method?: string;
  path?: string;
  query?: Record<string, unknown> | null;
  body?: unknown;
  status?: number;
  response?: any;
  label?: string;
  action?: string;
  url?: string;
  [k: string]: unknown;
};

export function loadTrace(name: string): TraceLine[] {
  return readFileSync(join(FIXTURES, 'traces', name), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as TraceLine);
}

const UNIQUEID = /\b\d{10}\.\d+(?:;2)?\b/g;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;
const SUFFIX = /-[0-9a-f]{8}(?=;|$|,)/g;

/** Token maps from simulator ids to reference ids. */
export class IdMap {
  readonly simToRef = new Map<string, string>();
  readonly refToSim = new Map<string, string>();

  learnPair(ref: string, sim: string): void {
    for (const re of [UNIQUEID, UUID, SUFFIX]) {
      const a = ref.match(re) ?? [];
      const b = sim.match(re) ?? [];
      if (a.length && a.length === b.length) a.forEach((r, i) => this.add(r, b[i] ?? r));
    }
  }

  private add(ref: string, sim: string): void {
    if (!this.simToRef.has(sim)) this.simToRef.set(sim, ref);
    if (!this.refToSim.has(ref)) this.refToSim.set(ref, sim);
  }

  /** Walks two JSON values in parallel and learns every id-like string pair. */
  learn(ref: unknown, sim: unknown): void {
    if (typeof ref === 'string' && typeof sim === 'string') {
      if (ref !== sim) this.learnPair(ref, sim);
      return;
    }
    if (Array.isArray(ref) && Array.isArray(sim)) {
      ref.forEach((r, i) => this.learn(r, sim[i]));
      return;
    }
    if (ref && sim && typeof ref === 'object' && typeof sim === 'object') {
      for (const k of Object.keys(ref)) this.learn((ref as any)[k], (sim as any)[k]);
    }
  }

  toRef(value: unknown): unknown {
    return mapStrings(value, (s) =>
      s
        .replace(UNIQUEID, (m) => this.simToRef.get(m) ?? m)
        .replace(UUID, (m) => this.simToRef.get(m) ?? m)
        .replace(SUFFIX, (m) => this.simToRef.get(m) ?? m),
    );
  }

  toSim(value: string): string {
    return value.replace(UNIQUEID, (m) => this.refToSim.get(m) ?? m).replace(UUID, (m) => this.refToSim.get(m) ?? m);
  }
}

function mapStrings(v: unknown, f: (s: string) => string): unknown {
  if (typeof v === 'string') return f(v);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, f));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapStrings(x, f)]));
  return v;
}

/** Timestamps differ by construction (the clock is fake); the field must still exist and be well-formed. */
const TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/;
export function normalise(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalise);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => {
        if (
          (k === 'timestamp' || k === 'creationtime' || k === 'startup_time' || k === 'last_reload_time') &&
          typeof x === 'string'
        )
          return [k, TS.test(x) ? '<ts>' : `<bad ts ${x}>`];
        return [k, normalise(x)];
      }),
    );
  }
  return v;
}

export interface RequestResult {
  seq: number;
  label?: string;
  method: string;
  path: string;
  refStatus: number;
  simStatus: number;
  refBody: unknown;
  simBody: unknown;
}

export interface ReplayResult {
  refEvents: Array<{ seq: number; event: any }>;
  simEvents: any[];
  requests: RequestResult[];
  ids: IdMap;
  wsResults: Array<{ seq: number; expect: TraceLine; got: { status: number; body: string } }>;
  leaks: ReturnType<Harness['sim']['leaks']>;
  /** Events on an extra socket (08: the replaced first connection). */
  extraEvents: any[];
}

function queryString(q: Record<string, unknown> | null | undefined, ids: IdMap): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(q ?? {})) out.set(k, ids.toSim(String(v)));
  return out;
}

async function rawWs(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on('open', () => {
      ws.close();
      resolve({ status: 101, body: '' });
    });
    ws.on('error', () => {});
  });
}

export async function replay(
  traceNames: string[],
  opts: { soundsDirs?: string[]; replacedFirst?: boolean } = {},
): Promise<ReplayResult> {
  const lines = traceNames.flatMap((n) => loadTrace(n));
  const first = lines[0];
  if (!first) throw new Error('empty trace');
  const t0 = Date.parse(first.t) - first.dt_ms;
  const h = await startHarness({ soundsDirs: opts.soundsDirs ?? [join(FIXTURES, 'sounds')] }, t0);
  const ids = new IdMap();
  const refEvents: Array<{ seq: number; event: any }> = [];
  const requests: RequestResult[] = [];
  const wsResults: ReplayResult['wsResults'] = [];
  let main: EventSocket | undefined;
  let extra: EventSocket | undefined;
  const simEvents = () => main?.events ?? [];
  const auth = 'Basic ' + Buffer.from(`${USER}:${PASS}`).toString('base64');

  try {
    for (const line of lines) {
      const target = t0 + line.dt_ms;
      if (line.kind === 'ws') {
        if (line.action === 'connect' && line.url && /app=&/.test(line.url)) {
          // the outcome is the next line (unexpected-response)
        } else if (line.action === 'unexpected-response') {
          wsResults.push({
            seq: line.seq,
            expect: line,
            got: await rawWs(`${h.sim.wsUrl}?app=&api_key=${USER}:${PASS}`),
          });
        } else if (line.action === 'bad-auth-response') {
          wsResults.push({
            seq: line.seq,
            expect: line,
            got: await rawWs(`${h.sim.wsUrl}?app=cti-test&api_key=${USER}:wrong`),
          });
        } else if (line.action === 'connect' && !main) {
          // 08/08b: an earlier connection for the same app exists and is replaced by this one.
          if (opts.replacedFirst) extra = await h.connect('cti-test');
          main = await h.connect('cti-test');
        } else if (line.action === 'closed' && main) {
          await h.advance(Math.max(0, target - h.clock.now()));
        }
        continue;
      }
      if (line.kind === 'note') continue;
      if (line.kind === 'event') {
        refEvents.push({ seq: line.seq, event: line.event });
        await h.advance(Math.max(0, target - h.clock.now()));
        // Wait (in fake time) for the simulator to have sent as many events as the reference had by now.
        // No waiting beyond the trace's own instant: an event the reference shows before a REST response is
        // produced here by that request, which comes next.
        for (let k = 0; simEvents().length < refEvents.length && k < 2; k++) await h.settle();
        const i = refEvents.length - 1;
        const sim = simEvents()[i];
        if (sim && sim.type === line.event.type) ids.learn(line.event, sim);
        continue;
      }
      // request
      await h.advance(Math.max(0, target - 1 - h.clock.now()));
      const method = line.method ?? 'GET';
      const path = ids.toSim(line.path ?? '/');
      const url = new URL(
        h.sim.ariUrl +
          path
            .split('/')
            .map((s) => encodeURIComponent(s))
            .join('/')
            .replace(/%2F/g, '/'),
      );
      url.search = queryString(line.query, ids).toString();
      const headers: Record<string, string> = {};
      if (line.label === 'bad password')
        headers.authorization = 'Basic ' + Buffer.from(`${USER}:nope`).toString('base64');
      else if (line.label !== 'no auth') headers.authorization = auth;
      let body: string | undefined;
      if (line.body !== null && line.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = ids.toSim(JSON.stringify(line.body));
      }
      const res = await fetch(url, { method, headers, body });
      let simBody: unknown;
      const buf = Buffer.from(await res.arrayBuffer());
      if ((res.headers.get('content-type') ?? '').startsWith('audio/'))
        simBody = { bytes: buf.length, first16_hex: buf.subarray(0, 16).toString('hex') };
      else simBody = buf.length ? JSON.parse(buf.toString('utf8')) : '';
      if (line.response && typeof line.response === 'object') ids.learn(line.response, simBody);
      requests.push({
        seq: line.seq,
        label: line.label,
        method,
        path: line.path ?? '',
        refStatus: line.status ?? 0,
        simStatus: res.status,
        refBody: line.response,
        simBody,
      });
      await h.settle();
    }
    await h.advance(500);
    const events = simEvents();
    // Learn from any event pair not learned yet (same index, same type), then translate.
    refEvents.forEach((r, i) => {
      const s = events[i];
      if (s && s.type === r.event.type) ids.learn(r.event, s);
    });
    return {
      refEvents,
      simEvents: [...events],
      requests,
      ids,
      wsResults,
      leaks: h.sim.leaks(),
      extraEvents: [...(extra?.events ?? [])],
    };
  } finally {
    await h.close();
  }
}

/** Compares two event lists; `windows` are ranges of reference seq numbers whose order may differ (races). */
export function compareEvents(
  ref: Array<{ seq: number; event: any }>,
  sim: any[],
  ids: IdMap,
  windows: Array<[number, number]> = [],
): string[] {
  const problems: string[] = [];
  const simN = sim.map((e) => normalise(ids.toRef(e)));
  const refN = ref.map((r) => ({ seq: r.seq, e: normalise(r.event) }));
  if (simN.length !== refN.length) problems.push(`event count: reference ${refN.length}, simulator ${simN.length}`);
  let i = 0;
  while (i < refN.length) {
    const r = refN[i]!;
    const w = windows.find(([a, b]) => r.seq >= a && r.seq <= b);
    if (w) {
      const group: number[] = [];
      while (i + group.length < refN.length && refN[i + group.length]!.seq <= w[1]) group.push(i + group.length);
      const refSet = group.map((k) => JSON.stringify(sortKeys(refN[k]!.e)));
      const simSet = group.map((k) => JSON.stringify(sortKeys(simN[k])));
      const missing = refSet.filter((x) => !removeOne(simSet, x));
      if (missing.length)
        problems.push(
          `seq ${w[0]}-${w[1]} (unordered): reference events not matched: ${missing.join(' | ')}; simulator had: ${simSet.join(' | ')}`,
        );
      i += group.length;
      continue;
    }
    const a = JSON.stringify(sortKeys(r.e));
    const b = JSON.stringify(sortKeys(simN[i]));
    if (a !== b) problems.push(`seq ${r.seq}: expected ${a}\n          got ${b}`);
    i++;
  }
  return problems;
}

function removeOne(list: string[], x: string): boolean {
  const k = list.indexOf(x);
  if (k < 0) return false;
  list.splice(k, 1);
  return true;
}

export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as any)[k])]),
    );
  return v;
}
