/**
 * The control API (HTTP, JSON, under `/control`): place calls with a caller script, register phones and
 * external parties, read state and call logs, inject faults, read the leak report, reset. Input is
 * validated strictly: unknown fields, wrong types and bad values are refused with 400 and the reason.
 */
import { UnknownPromptError } from './participants.ts';
import { parseTiming, TimingConfigError } from './timing.ts';
import type { CallerStep, PhoneBehaviour, PlaceCallRequest, SimulatorHandle } from './types.ts';

export interface ControlRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Buffer | 'too-large';
  handle: SimulatorHandle;
}

export interface ControlResult {
  status: number;
  body?: unknown;
}

class BadRequest extends Error {}

type Obj = Record<string, unknown>;

function parseBody(body: Buffer | 'too-large'): Obj {
  if (body === 'too-large') throw new BadRequest('body larger than 1 MiB');
  if (!body.length) return {};
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch {
    throw new BadRequest('body is not valid JSON');
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new BadRequest('body must be a JSON object');
  return v as Obj;
}

function onlyKeys(o: Obj, allowed: string[], where: string): void {
  for (const k of Object.keys(o))
    if (!allowed.includes(k)) throw new BadRequest(`${where}: unknown field "${k}" (allowed: ${allowed.join(', ')})`);
}

function optNum(o: Obj, k: string, where: string, min = 0, max = 86_400_000): number | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
    throw new BadRequest(`${where}: "${k}" must be a number from ${min} to ${max}`);
  return v;
}

function reqStr(o: Obj, k: string, where: string, re = /^[0-9A-Za-z_+*#.-]{1,40}$/): string {
  const v = o[k];
  if (typeof v !== 'string' || !re.test(v)) throw new BadRequest(`${where}: "${k}" must be a string matching ${re}`);
  return v;
}

function optStr(o: Obj, k: string, where: string, re?: RegExp): string | undefined {
  if (o[k] === undefined) return undefined;
  return reqStr(o, k, where, re);
}

function optBool(o: Obj, k: string, where: string): boolean | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new BadRequest(`${where}: "${k}" must be true or false`);
  return v;
}

export function parseBehaviour(o: Obj, where = 'phone'): PhoneBehaviour {
  onlyKeys(o, ['answerAfterMs', 'hangupAfterMs', 'busy', 'rejectCause'], where);
  const b: PhoneBehaviour = {};
  const a = optNum(o, 'answerAfterMs', where);
  const h = optNum(o, 'hangupAfterMs', where);
  const busy = optBool(o, 'busy', where);
  const rc = optNum(o, 'rejectCause', where, 1, 127);
  if (a !== undefined) b.answerAfterMs = a;
  if (h !== undefined) b.hangupAfterMs = h;
  if (busy !== undefined) b.busy = busy;
  if (rc !== undefined) b.rejectCause = rc;
  return b;
}

function parseStep(v: unknown, i: number): CallerStep {
  const where = `script[${i}]`;
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new BadRequest(`${where} must be an object`);
  const o = v as Obj;
  switch (o.kind) {
    case 'wait':
      onlyKeys(o, ['kind', 'ms'], where);
      return { kind: 'wait', ms: optNum(o, 'ms', where) ?? 0 };
    case 'dtmf': {
      onlyKeys(o, ['kind', 'digits', 'betweenMs', 'durationMs'], where);
      const digits = reqStr(o, 'digits', where, /^[0-9A-D*#]{1,64}$/);
      const s: CallerStep = { kind: 'dtmf', digits };
      const b = optNum(o, 'betweenMs', where, 0, 10_000);
      const d = optNum(o, 'durationMs', where, 20, 10_000);
      if (b !== undefined) s.betweenMs = b;
      if (d !== undefined) s.durationMs = d;
      return s;
    }
    case 'awaitPrompt': {
      onlyKeys(o, ['kind', 'media', 'timeoutMs'], where);
      const media = reqStr(o, 'media', where, /^[\w:/.-]{1,200}$/);
      const t = optNum(o, 'timeoutMs', where);
      return t === undefined ? { kind: 'awaitPrompt', media } : { kind: 'awaitPrompt', media, timeoutMs: t };
    }
    case 'hangup':
      onlyKeys(o, ['kind'], where);
      return { kind: 'hangup' };
    default:
      throw new BadRequest(`${where}: "kind" must be one of wait, dtmf, awaitPrompt, hangup`);
  }
}

function parseCall(o: Obj): PlaceCallRequest {
  onlyKeys(o, ['from', 'callerName', 'to', 'context', 'script', 'hangupAfterMs'], 'call');
  const req: PlaceCallRequest = { from: reqStr(o, 'from', 'call'), to: reqStr(o, 'to', 'call') };
  const name = optStr(o, 'callerName', 'call', /^[^"<>\r\n]{0,60}$/);
  const ctx = optStr(o, 'context', 'call', /^[A-Za-z0-9_-]{1,40}$/);
  const h = optNum(o, 'hangupAfterMs', 'call');
  if (name !== undefined) req.callerName = name;
  if (ctx !== undefined) req.context = ctx;
  if (h !== undefined) req.hangupAfterMs = h;
  if (o.script !== undefined) {
    if (!Array.isArray(o.script) || o.script.length > 200)
      throw new BadRequest('call: "script" must be an array of at most 200 steps');
    req.script = o.script.map(parseStep);
  }
  return req;
}

function parseMatch(o: Obj, where: string): { method?: string; pathPrefix?: string } {
  const m: { method?: string; pathPrefix?: string } = {};
  const method = optStr(o, 'method', where, /^(GET|POST|PUT|DELETE)$/);
  const prefix = optStr(o, 'pathPrefix', where, /^\/[\w/{}.\-;]{0,200}$/);
  if (method) m.method = method;
  if (prefix) m.pathPrefix = prefix;
  return m;
}

export function handleControl(req: ControlRequest): ControlResult {
  try {
    return route(req);
  } catch (err) {
    if (err instanceof UnknownPromptError) return { status: 400, body: { message: err.message, valid: err.valid } };
    if (err instanceof BadRequest) return { status: 400, body: { message: err.message } };
    return { status: 422, body: { message: err instanceof Error ? err.message : String(err) } };
  }
}

function route({ method, path, body, handle }: ControlRequest): ControlResult {
  const seg = path
    .split('/')
    .filter(Boolean)
    .map((s) => decodeURIComponent(s));
  const key = `${method} /${seg.map((s, i) => (i === 1 && ['calls', 'phones', 'externals', 'globals', 'hearing'].includes(seg[0] ?? '') ? ':id' : s)).join('/')}`;
  const id = seg[1] ?? '';
  switch (key) {
    case 'GET /state':
      return { status: 200, body: handle.control.state() };
    case 'GET /leaks':
      return { status: 200, body: handle.leaks() };
    case 'GET /hearing/:id':
      return { status: 200, body: { label: id, hears: handle.engine.hears(id) } };
    case 'POST /reset':
      handle.reset();
      return { status: 204 };
    case 'POST /calls':
      return { status: 201, body: handle.control.placeCall(parseCall(parseBody(body))) };
    case 'DELETE /calls/:id':
      return handle.control.hangupCall(id)
        ? { status: 204 }
        : { status: 404, body: { message: `no active placed call ${id}` } };
    case 'GET /calls/:id/log':
      return { status: 200, body: handle.control.callLog(id) };
    case 'GET /phones':
      return { status: 200, body: handle.control.listPhones() };
    case 'PUT /phones/:id':
      if (!/^[0-9A-Za-z_-]{1,20}$/.test(id)) throw new BadRequest('phone extension must be 1-20 letters/digits');
      handle.control.setPhone(id, parseBehaviour(parseBody(body)));
      return { status: 204 };
    case 'DELETE /phones/:id':
      handle.control.removePhone(id);
      return { status: 204 };
    case 'PUT /externals/:id':
      if (!/^[0-9A-Za-z_-]{1,20}$/.test(id)) throw new BadRequest('external number must be 1-20 letters/digits');
      handle.control.setExternal(id, parseBehaviour(parseBody(body), 'external'));
      return { status: 204 };
    case 'PUT /globals/:id': {
      const o = parseBody(body);
      onlyKeys(o, ['value'], 'global');
      if (typeof o.value !== 'string') throw new BadRequest('global: "value" must be a string');
      handle.engine.setGlobalVar(id, o.value);
      return { status: 204 };
    }
    case 'POST /faults/drop-websockets': {
      const o = parseBody(body);
      onlyKeys(o, ['app', 'code'], 'drop-websockets');
      const app = optStr(o, 'app', 'drop-websockets');
      const code = optNum(o, 'code', 'drop-websockets', 1000, 4999);
      return {
        status: 200,
        body: { dropped: handle.faults.dropWebSockets({ ...(app ? { app } : {}), ...(code ? { code } : {}) }) },
      };
    }
    case 'POST /faults/refuse': {
      const o = parseBody(body);
      onlyKeys(o, ['ms', 'mode'], 'refuse');
      const ms = optNum(o, 'ms', 'refuse');
      if (ms === undefined) throw new BadRequest('refuse: "ms" is required');
      const mode = optStr(o, 'mode', 'refuse', /^(reset|http503)$/) as 'reset' | 'http503' | undefined;
      handle.faults.refuseConnections(ms, mode);
      return { status: 204 };
    }
    case 'POST /faults/restart': {
      const o = parseBody(body);
      onlyKeys(o, ['downMs'], 'restart');
      const downMs = optNum(o, 'downMs', 'restart');
      handle.faults.restart(downMs === undefined ? {} : { downMs });
      return { status: 204 };
    }
    case 'POST /faults/delay-next': {
      const o = parseBody(body);
      onlyKeys(o, ['ms', 'forever', 'method', 'pathPrefix'], 'delay-next');
      const forever = optBool(o, 'forever', 'delay-next');
      const ms = optNum(o, 'ms', 'delay-next');
      if (!forever && ms === undefined) throw new BadRequest('delay-next: give "ms" or "forever": true');
      handle.faults.delayNextRest(forever ? Infinity : (ms ?? 0), parseMatch(o, 'delay-next'));
      return { status: 204 };
    }
    case 'POST /faults/fail-next': {
      const o = parseBody(body);
      onlyKeys(o, ['status', 'body', 'method', 'pathPrefix'], 'fail-next');
      const status = optNum(o, 'status', 'fail-next', 400, 599);
      if (status === undefined) throw new BadRequest('fail-next: "status" is required (400-599)');
      handle.faults.failNextRest(status, {
        ...parseMatch(o, 'fail-next'),
        ...(o.body !== undefined ? { body: o.body } : {}),
      });
      return { status: 204 };
    }
    case 'POST /faults/duplicate':
    case 'POST /faults/reorder': {
      const o = parseBody(body);
      onlyKeys(o, ['count'], 'events');
      const count = optNum(o, 'count', 'events', 1, 10_000);
      if (count === undefined) throw new BadRequest('"count" is required');
      if (key.endsWith('duplicate')) handle.faults.duplicateEvents(count);
      else handle.faults.reorderEvents(count);
      return { status: 204 };
    }
    case 'DELETE /faults':
      handle.faults.clear();
      return { status: 204 };
    case 'GET /timing':
      return { status: 200, body: handle.timing.get() ?? { off: true } };
    case 'PUT /timing':
      try {
        handle.timing.set(parseTiming(parseBody(body)));
      } catch (err) {
        if (err instanceof TimingConfigError) throw new BadRequest(err.message);
        throw err;
      }
      return { status: 204 };
    case 'DELETE /timing':
      handle.timing.set(undefined);
      return { status: 204 };
    default:
      return { status: 404, body: { message: `unknown control route ${method} /control${path}` } };
  }
}
