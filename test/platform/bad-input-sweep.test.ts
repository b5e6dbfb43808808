import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyPluginAsync } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS, type Permission } from '../../src/auth/permissions.ts';
import type { Role } from '../../src/auth/roles.ts';
import { bearer, startTestServer, tokenFor, type TestServer } from './helpers.ts';

/**
 * Sends every route registered by startServer (the platform's and every part's plugins) the bad input a
 * client can produce, and checks each answer is a 4xx with a message, never a 500. Routes added later
 * are collected by the onRoute hook and swept without changes here.
 */
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  a: Ajv,
) => Ajv;
const ajv = addFormats(new Ajv({ strict: false, allErrors: false }));
const ajvText = addFormats(new Ajv({ strict: false, allErrors: false, coerceTypes: 'array' }));

/** Whether the sample path parameters pass the route's params schema (so a body error is the first one). */
function paramsValid(route: Route): boolean {
  const schema = route.schema?.params;
  if (!schema) return true;
  const values: Record<string, unknown> = {};
  for (const m of route.url.matchAll(/:(\w+)/g)) values[m[1]!] = String(sample(schema.properties?.[m[1]!]));
  return ajvText.validate(schema, values);
}

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  examples?: unknown[];
  minimum?: number;
  maximum?: number;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  format?: string;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  hide?: boolean;
};
interface Route {
  method: string;
  url: string;
  schema?: { body?: JsonSchema; params?: JsonSchema; querystring?: JsonSchema; hide?: boolean };
  config?: { permission?: Permission; public?: boolean; selfAuthenticated?: boolean };
  bodyLimit?: number;
}

function sample(s: JsonSchema | undefined): unknown {
  if (!s) return 'x';
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  if (s.examples?.[0] !== undefined) return s.examples[0];
  if (s.default !== undefined) return s.default;
  if (s.oneOf?.[0]) return sample(s.oneOf[0]);
  if (s.anyOf?.[0]) return sample(s.anyOf[0]);
  const type = Array.isArray(s.type) ? (s.type.find((t) => t !== 'null') ?? 'null') : s.type;
  switch (type) {
    case 'string':
      if (s.format === 'date-time') return '2026-01-05T09:00:00.000Z';
      if (s.format === 'date') return '2026-01-05';
      if (s.format === 'email') return 'someone@example.com';
      if (s.format === 'uri') return 'https://example.com/x';
      if (s.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
      return 'a'.repeat(Math.max(s.minLength ?? 3, 3)).slice(0, s.maxLength ?? 64);
    case 'integer':
    case 'number':
      return Math.max(s.minimum ?? 1, 1);
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array':
      return Array.from({ length: s.minItems ?? 0 }, () => sample(s.items));
    default: {
      const out: Record<string, unknown> = {};
      for (const k of s.required ?? []) out[k] = sample(s.properties?.[k]);
      return out;
    }
  }
}

const WRONG_VALUES: unknown[] = [12345, 'not-the-right-type', true, { nested: 1 }, [1, 2]];

function fillParams(route: Route, bad = false): string {
  return route.url.replace(/:(\w+)/g, (_m, name: string) => {
    const s = route.schema?.params?.properties?.[name];
    if (bad) return s?.type === 'integer' || s?.type === 'number' ? 'not-a-number' : '%00%ff';
    return encodeURIComponent(String(sample(s)));
  });
}

let server: TestServer;
const routes: Route[] = [];
const tokens = new Map<Role, string>();

async function headersFor(route: Route): Promise<Record<string, string>> {
  if (route.config?.public) return {};
  const permission = route.config?.permission;
  const role = permission ? PERMISSIONS[permission][0] : undefined;
  if (!role) return {};
  if (!tokens.has(role)) tokens.set(role, await tokenFor(server, role));
  return bearer(tokens.get(role)!);
}

function expectClientError(
  res: { statusCode: number; body: string; json(): unknown },
  what: string,
): { message: string } {
  expect(res.statusCode, `${what}: ${res.body}`).toBeGreaterThanOrEqual(400);
  expect(res.statusCode, `${what}: ${res.body}`).toBeLessThan(500);
  const body = res.json() as { message?: unknown };
  expect(typeof body.message === 'string' && body.message.length > 0, `${what} has a message`).toBe(true);
  return body as { message: string };
}

/** A self-authenticating route refuses unsigned input: 4xx, or 503 while its secret is not configured. */
function expectRefusal(res: { statusCode: number; body: string; json(): unknown }, what: string): void {
  expect([400, 401, 403, 413, 415, 503].includes(res.statusCode), `${what}: ${res.statusCode} ${res.body}`).toBe(true);
  const body = res.json() as { message?: unknown };
  expect(typeof body.message === 'string' && body.message.length > 0, `${what} has a message`).toBe(true);
}

beforeAll(async () => {
  server = await startTestServer({
    onRoute: (r) => {
      const methods = Array.isArray(r.method) ? r.method : [r.method];
      // The readiness probe answers 503 by design while not ready (telephony is off here); it reads no input.
      if (r.url === '/health/ready') return;
      for (const m of methods) if (m !== 'HEAD' && m !== 'OPTIONS') routes.push({ ...(r as Route), method: m });
    },
  });
});
afterAll(async () => {
  await server?.cleanup();
});

describe('bad-input sweep over every registered route', () => {
  it('found the routes (platform routes at least)', () => {
    const keys = routes.map((r) => `${r.method} ${r.url}`);
    expect(keys).toEqual(
      expect.arrayContaining(['GET /health', 'POST /auth/login', 'POST /users', 'PATCH /users/:id']),
    );
  });

  it('the OpenAPI document lists every route that is not hidden', async () => {
    const doc = (await server.app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    for (const r of routes) {
      if (r.schema?.hide) continue;
      const path = r.url.replace(/:(\w+)/g, '{$1}');
      expect(doc.paths[path]?.[r.method.toLowerCase()], `${r.method} ${r.url} in /docs/json`).toBeDefined();
    }
  });

  it('every route is public or declares a permission that some role holds', () => {
    for (const r of routes) {
      if (r.config?.public) continue;
      expect(r.config?.permission, `${r.method} ${r.url} declares a permission`).toBeDefined();
      expect(
        PERMISSIONS[r.config!.permission!]?.length ?? 0,
        `${r.method} ${r.url}: a role holds ${r.config?.permission}`,
      ).toBeGreaterThan(0);
    }
  });

  it('missing or bad token → 401 with a message on every non-public route', async () => {
    for (const r of routes.filter((x) => !x.config?.public)) {
      const none = await server.app.inject({ method: r.method as 'GET', url: fillParams(r) });
      expect(none.statusCode, `${r.method} ${r.url}`).toBe(401);
      expectClientError(none, `${r.method} ${r.url} without token`);
      const bad = await server.app.inject({
        method: r.method as 'GET',
        url: fillParams(r),
        headers: bearer('v1.e30.AAAA'),
      });
      expect(bad.statusCode, `${r.method} ${r.url} bad token`).toBe(401);
    }
  });

  it('malformed JSON, JSON that is not an object, wrong content type and oversize bodies → 4xx with the reason', async () => {
    for (const r of routes) {
      const headers = await headersFor(r);
      const url = fillParams(r);
      const name = `${r.method} ${r.url}`;
      const malformed = await server.app.inject({
        method: r.method as 'POST',
        url,
        headers: { ...headers, 'content-type': 'application/json' },
        payload: '{"a":',
      });
      if (r.config?.selfAuthenticated) {
        expectRefusal(malformed, `${name} malformed`);
        continue;
      }
      expect(malformed.statusCode, `${name} malformed: ${malformed.body}`).toBeLessThan(500);
      if (!r.schema?.body) continue;
      expect(malformed.statusCode, name).toBe(400);
      expect(malformed.json().message).toContain('not valid JSON');
      const limit = r.bodyLimit ?? server.config.server.bodyLimit;
      const big = JSON.stringify({ x: 'a'.repeat(limit + 10) });

      const arr = await server.app.inject({
        method: r.method as 'POST',
        url,
        headers,
        payload: [1] as unknown as object,
      });
      expectClientError(arr, `${name} array body`);

      const text = await server.app.inject({
        method: r.method as 'POST',
        url,
        headers: { ...headers, 'content-type': 'text/plain' },
        payload: 'hello',
      });
      expect(text.statusCode, `${name} text/plain`).toBe(415);
      expectClientError(text, `${name} text/plain`);

      const oversize = await server.app.inject({
        method: r.method as 'POST',
        url,
        headers: { ...headers, 'content-type': 'application/json' },
        payload: big,
      });
      expect(oversize.statusCode, `${name} oversize`).toBe(413);
      expect(expectClientError(oversize, name).message).toContain(String(limit));
    }
  });

  it('unknown fields → 400 naming the field; wrong types → 400 naming the field', async () => {
    for (const r of routes.filter((x) => x.schema?.body && !x.config?.selfAuthenticated)) {
      const headers = await headersFor(r);
      const url = fillParams(r);
      const name = `${r.method} ${r.url}`;
      const body = r.schema!.body!;
      expect(body.additionalProperties, `${name} body refuses unknown fields (additionalProperties: false)`).toBe(
        false,
      );
      const base = sample(body) as Record<string, unknown>;
      const baseValid = ajv.validate(body, base) && paramsValid(r);

      const unknown = await server.app.inject({
        method: r.method as 'POST',
        url,
        headers,
        payload: { ...base, zz_unknown_field: 1 },
      });
      expect(unknown.statusCode, `${name} unknown field: ${unknown.body}`).toBe(400);
      if (baseValid) expect(unknown.json().message, name).toContain('zz_unknown_field');

      for (const prop of Object.keys(body.properties ?? {})) {
        const wrong = WRONG_VALUES.find((v) => !ajv.validate(body, { ...base, [prop]: v }));
        if (wrong === undefined) continue; // the property accepts anything
        const res = await server.app.inject({
          method: r.method as 'POST',
          url,
          headers,
          payload: { ...base, [prop]: wrong },
        });
        expect(res.statusCode, `${name} wrong type for ${prop}: ${res.body}`).toBe(400);
        if (baseValid) expect(res.json().message, `${name} ${prop}`).toContain(prop);
      }
    }
  });

  it('bad path parameters and unknown query parameters → 4xx, never 500', async () => {
    for (const r of routes) {
      const headers = await headersFor(r);
      const name = `${r.method} ${r.url}`;
      const payload = r.schema?.body ? (sample(r.schema.body) as object) : undefined;
      if (r.config?.selfAuthenticated) continue;
      if (r.url.includes(':')) {
        const res = await server.app.inject({ method: r.method as 'GET', url: fillParams(r, true), headers, payload });
        expectClientError(res, `${name} bad params`);
      }
      {
        // Routes without a querystring schema get an empty strict one (build-app.ts).
        if (r.schema?.querystring)
          expect(r.schema.querystring.additionalProperties, `${name} querystring refuses unknown parameters`).toBe(
            false,
          );
        const res = await server.app.inject({
          method: r.method as 'GET',
          url: `${fillParams(r)}?zz_unknown=1`,
          headers,
          payload,
        });
        expect(res.statusCode, `${name} unknown query: ${res.body}`).toBe(400);
      }
    }
  });
});

/**
 * Numbers a client can type that a JavaScript number or SQLite's 64-bit integer cannot hold, or that
 * coerce to something no parameter accepts. Each must be a 400 naming the parameter (issue 7 item 5).
 */
const HUGE_OR_ODD_NUMBERS = [
  '9223372036854775807',
  '-9223372036854775808',
  '99999999999999999999',
  'Infinity',
  '-Infinity',
  'NaN',
  '-1',
  '1e400',
  '1E25',
  '9e99',
  '0x7fffffffffffffff',
];

const isNumeric = (s: JsonSchema | undefined) => {
  const types = Array.isArray(s?.type) ? s.type : [s?.type];
  return types.includes('integer') || types.includes('number');
};

/** A valid value for a query parameter, honouring its pattern (e.g. a phone number or a 4-digit cycle). */
function sampleQueryValue(s: JsonSchema | undefined): string {
  if (s?.pattern) {
    const re = new RegExp(s.pattern);
    const fit = ['aaa', '2026', '2026-01-05', '13800000000', 'unit-1'].find(
      (c) => re.test(c) && c.length >= (s.minLength ?? 0) && c.length <= (s.maxLength ?? 64),
    );
    if (fit) return fit;
  }
  return String(sample(s));
}

function requiredQuery(route: Route): URLSearchParams {
  const q = route.schema?.querystring;
  const out = new URLSearchParams();
  for (const k of q?.required ?? []) out.set(k, sampleQueryValue(q?.properties?.[k]));
  return out;
}

describe('huge, infinite and malformed numbers in every query and path parameter', () => {
  const numericQuery = () =>
    routes.flatMap((r) =>
      Object.entries(r.schema?.querystring?.properties ?? {})
        .filter(([, s]) => isNumeric(s))
        .map(([name, s]) => ({ r, name, s })),
    );
  const numericParams = () =>
    routes.flatMap((r) =>
      Object.entries(r.schema?.params?.properties ?? {})
        .filter(([, s]) => isNumeric(s))
        .map(([name, s]) => ({ r, name, s })),
    );

  it('found numeric query and path parameters to sweep (paging of /calls and /recordings among them)', () => {
    const keys = numericQuery().map(({ r, name }) => `${r.method} ${r.url} ${name}`);
    expect(keys).toEqual(
      expect.arrayContaining([
        'GET /calls offset',
        'GET /calls limit',
        'GET /recordings offset',
        'GET /work-orders beforeId',
      ]),
    );
    expect(numericParams().map(({ r, name }) => `${r.method} ${r.url} ${name}`)).toEqual(
      expect.arrayContaining(['GET /work-orders/:id id']),
    );
  });

  it('every numeric query and path parameter declares a maximum', () => {
    for (const { r, name, s } of [...numericQuery(), ...numericParams()]) {
      expect(typeof s.maximum, `${r.method} ${r.url} ${name} has a maximum`).toBe('number');
      expect(s.maximum!, `${r.method} ${r.url} ${name} maximum fits a safe integer`).toBeLessThanOrEqual(
        Number.MAX_SAFE_INTEGER,
      );
    }
  });

  it('given a huge, infinite, negative or exponent-form value in a query parameter, when sent, then 400 names the parameter', async () => {
    for (const { r, name } of numericQuery()) {
      if (r.config?.selfAuthenticated) continue;
      const headers = await headersFor(r);
      const payload = r.schema?.body ? (sample(r.schema.body) as object) : undefined;
      for (const value of HUGE_OR_ODD_NUMBERS) {
        const query = requiredQuery(r);
        query.set(name, value);
        const what = `${r.method} ${r.url}?${name}=${value}`;
        const res = await server.app.inject({
          method: r.method as 'GET',
          url: `${fillParams(r)}?${query}`,
          headers,
          payload,
        });
        expect(res.statusCode, `${what}: ${res.body}`).toBe(400);
        expect(expectClientError(res, what).message, what).toContain(`querystring.${name}`);
      }
    }
  });

  it('given a huge or non-finite number in a JSON body field, when sent, then 4xx, never 500', async () => {
    // JSON has no Infinity: 1e400 parses to it, 99999999999999999999 to 1e20.
    const bodies = ['1e400', '-1e400', '99999999999999999999', '9223372036854775807', '-1'];
    for (const r of routes.filter((x) => x.schema?.body && !x.config?.selfAuthenticated)) {
      const headers = { ...(await headersFor(r)), 'content-type': 'application/json' };
      const body = r.schema!.body!;
      const base = sample(body) as Record<string, unknown>;
      for (const [prop, s] of Object.entries(body.properties ?? {})) {
        const items = s.type === 'array' && isNumeric(s.items);
        if (!isNumeric(s) && !items) continue;
        for (const n of bodies) {
          const json = JSON.stringify({ ...base, [prop]: 0 }).replace(
            `"${prop}":0`,
            `"${prop}":${items ? `[${n}]` : n}`,
          );
          const res = await server.app.inject({
            method: r.method as 'POST',
            url: fillParams(r),
            headers,
            payload: json,
          });
          expectClientError(res, `${r.method} ${r.url} ${prop}=${n}`);
        }
      }
    }
  });

  it('given such a value as an id in the path, when sent, then 400 or 404, never 500', async () => {
    for (const { r, name } of numericParams()) {
      if (r.config?.selfAuthenticated) continue;
      const headers = await headersFor(r);
      const payload = r.schema?.body ? (sample(r.schema.body) as object) : undefined;
      for (const value of HUGE_OR_ODD_NUMBERS) {
        const url = r.url.replace(/:(\w+)/g, (_m, p: string) =>
          p === name
            ? encodeURIComponent(value)
            : encodeURIComponent(String(sample(r.schema?.params?.properties?.[p]))),
        );
        const what = `${r.method} ${url}`;
        const res = await server.app.inject({ method: r.method as 'GET', url, headers, payload });
        expect([400, 404].includes(res.statusCode), `${what}: ${res.statusCode} ${res.body}`).toBe(true);
        if (res.statusCode === 400) expect(expectClientError(res, what).message, what).toContain(`params.${name}`);
      }
    }
  });
});

describe('route registration and server errors', () => {
  it('refuses at start-up a route without a schema, and a body route without a body schema', async () => {
    const noSchema: FastifyPluginAsync = async (app) => {
      app.get('/no-schema', { config: { permission: 'self:manage' } }, async () => ({}));
    };
    await expect(startTestServer({ plugins: () => [noSchema] })).rejects.toThrow(/GET \/no-schema has no schema/);
    const noBody: FastifyPluginAsync = async (app) => {
      app.post('/no-body', { config: { permission: 'self:manage' }, schema: { summary: 'x' } }, async () => ({}));
    };
    await expect(startTestServer({ plugins: () => [noBody] })).rejects.toThrow(
      /POST \/no-body takes a body but declares no body schema/,
    );
  });

  it('a handler bug is a logged 500 without internals; the server keeps answering', async () => {
    const lines: string[] = [];
    const { createLogger } = await import('../../src/shared/logger.ts');
    const logger = createLogger({ level: 'error', destination: { write: (s: string) => void lines.push(s) } });
    const buggy: FastifyPluginAsync = async (app) => {
      app.get('/buggy', { config: { public: true }, schema: { summary: 'throws' } }, async () => {
        throw new Error('secret internal detail');
      });
    };
    const s = await startTestServer({ plugins: () => [buggy], logger });
    try {
      const res = await s.app.inject({ method: 'GET', url: '/buggy' });
      expect(res.statusCode).toBe(500);
      expect(res.body).not.toContain('secret internal detail');
      expect(lines.join('')).toContain('secret internal detail');
      expect((await s.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    } finally {
      await s.cleanup();
    }
  });

  it('unknown routes → 404 naming the route', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/nope?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toBe('no route GET /nope');
  });
});
