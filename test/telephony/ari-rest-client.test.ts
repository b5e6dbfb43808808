import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock, systemClock } from '../../src/shared/clock.ts';
import {
  AriHttpError,
  AriProtocolError,
  AriTimeoutError,
  AriUnreachableError,
} from '../../src/telephony/ari/errors.ts';
import { AriRestClient } from '../../src/telephony/ari/rest-client.ts';
import { fetchTransport, httpTransport, type AriTransport } from '../../src/telephony/ari/transport.ts';
import { channel, sendJson, StubAri } from './helpers/stub-ari.ts';

describe.each<[string, () => AriTransport]>([
  ['node:http transport', () => httpTransport()],
  ['fetch transport', () => fetchTransport()],
])('AriRestClient over the %s', (_name, makeTransport) => {
  let stub: StubAri;
  let rest: AriRestClient;

  beforeEach(async () => {
    stub = new StubAri();
    await stub.listen();
    rest = new AriRestClient({
      url: stub.url,
      user: 'cti',
      password: 'secret',
      clock: systemClock,
      timeoutMs: 2000,
      transport: makeTransport(),
    });
  });
  afterEach(async () => {
    await stub.close();
  });

  it('adds /ari to the base URL once', () => {
    expect(new AriRestClient({ url: 'http://h:8088', user: 'u', password: 'p', clock: systemClock }).baseUrl).toBe(
      'http://h:8088/ari',
    );
    expect(new AriRestClient({ url: 'http://h:8088/ari/', user: 'u', password: 'p', clock: systemClock }).baseUrl).toBe(
      'http://h:8088/ari',
    );
  });

  it('originates with query parameters, variables in the JSON body and Basic auth', async () => {
    stub.route('POST', '/ari/channels', (req, res) => sendJson(res, 200, channel(req.query.get('channelId') ?? 'x')));
    const ch = await rest.channels.originate({
      endpoint: 'Local/1001@agents',
      app: 'cti-test',
      appArgs: 'agent,1001',
      channelId: 'agent-1',
      timeout: 20,
      variables: { CALL_ID: 'c-1' },
    });
    expect(ch.id).toBe('agent-1');
    const req = stub.requests.at(-1)!;
    expect(req.query.get('endpoint')).toBe('Local/1001@agents');
    expect(req.query.get('appArgs')).toBe('agent,1001');
    expect(req.query.get('timeout')).toBe('20');
    expect(req.query.has('variables')).toBe(false);
    expect(JSON.parse(req.body)).toEqual({ variables: { CALL_ID: 'c-1' } });
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('cti:secret').toString('base64')}`);
  });

  it('encodes ids with ; and sends hangup reasons, list parameters and 204 actions', async () => {
    stub.route('DELETE', '/ari/channels/abc%3B2', (_req, res) => sendJson(res, 204, null));
    stub.route('POST', '/ari/bridges/br-1/addChannel', (_req, res) => sendJson(res, 204, null));
    await expect(rest.channels.hangup('abc;2', { reason: 'busy' })).resolves.toBeUndefined();
    expect(stub.requests.at(-1)!.query.get('reason')).toBe('busy');
    await rest.bridges.addChannel('br-1', { channel: ['a', 'b'] });
    expect(stub.requests.at(-1)!.query.get('channel')).toBe('a,b');
  });

  it('keeps status, Asterisk message, method and path in AriHttpError', async () => {
    stub.json('POST', '/ari/channels/c-9/answer', 409, { message: 'Channel not in Stasis application' });
    const err = await rest.channels.answer('c-9').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AriHttpError);
    expect(err).toMatchObject({
      status: 409,
      ariMessage: 'Channel not in Stasis application',
      method: 'POST',
      path: '/channels/c-9/answer',
    });
    expect((err as Error).message).toBe('ARI POST /channels/c-9/answer failed: 409 Channel not in Stasis application');
  });

  it('reads the {"error": ...} body of an allocation failure and a non-JSON error body', async () => {
    stub.json('POST', '/ari/channels', 500, { error: 'Allocation failed' });
    await expect(rest.channels.originate({ endpoint: 'Bogus/1', app: 'cti-test' })).rejects.toMatchObject({
      status: 500,
      ariMessage: 'Allocation failed',
    });
    stub.route('GET', '/ari/asterisk/ping', (_req, res) =>
      res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad gateway</h1>'),
    );
    await expect(rest.asterisk.ping()).rejects.toMatchObject({ status: 502, ariMessage: '<h1>Bad gateway</h1>' });
  });

  it('rejects an unauthorised call with status 401', async () => {
    const bad = new AriRestClient({
      url: stub.url,
      user: 'cti',
      password: 'wrong',
      clock: systemClock,
      transport: makeTransport(),
    });
    await expect(bad.channels.list()).rejects.toMatchObject({
      name: 'AriHttpError',
      status: 401,
      ariMessage: 'Authentication required',
    });
  });

  it('returns a stored recording file as bytes', async () => {
    const wav = Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1');
    stub.route('GET', '/ari/recordings/stored/rec-1/file', (_req, res) =>
      res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': wav.length }).end(wav),
    );
    const bytes = await rest.recordings.getStoredFile('rec-1');
    expect(Buffer.compare(bytes, wav)).toBe(0);
  });

  it('flags a 200 whose body is not JSON as a protocol error', async () => {
    stub.route('GET', '/ari/bridges', (_req, res) => res.writeHead(200).end('not json'));
    await expect(rest.bridges.list()).rejects.toBeInstanceOf(AriProtocolError);
  });

  it('times out a call that never answers, on the injected clock', async () => {
    const clock = new FakeClock();
    const slow = new AriRestClient({
      url: stub.url,
      user: 'cti',
      password: 'secret',
      clock,
      timeoutMs: 3000,
      transport: makeTransport(),
    });
    let arrived = false;
    stub.route('GET', '/ari/channels/stuck', () => {
      arrived = true; // never answers
    });
    const pending = slow.channels.get('stuck').catch((e: unknown) => e);
    while (!arrived) await new Promise((r) => setTimeout(r, 1));
    await clock.advanceAsync(2999);
    let settled = false;
    void pending.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(settled).toBe(false);
    await clock.advanceAsync(1);
    const err = await pending;
    expect(err).toBeInstanceOf(AriTimeoutError);
    expect(err).toMatchObject({ method: 'GET', path: '/channels/stuck', timeoutMs: 3000 });
    expect(clock.pendingCount).toBe(0);
  });

  it('honours a per-call deadline and a caller abort', async () => {
    const clock = new FakeClock();
    const slow = new AriRestClient({
      url: stub.url,
      user: 'cti',
      password: 'secret',
      clock,
      timeoutMs: 60_000,
      transport: makeTransport(),
    });
    stub.route('GET', '/ari/asterisk/ping', () => undefined);
    const pending = slow.asterisk.ping({ timeoutMs: 100 }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    await clock.advanceAsync(100);
    expect(await pending).toMatchObject({ name: 'AriTimeoutError', timeoutMs: 100 });

    const ac = new AbortController();
    const aborted = slow.asterisk.ping({ signal: ac.signal }).catch((e: unknown) => e);
    ac.abort(new Error('caller gave up'));
    expect(((await aborted) as Error).message).toBe('caller gave up');
  });

  it('reports a PBX that is not listening as AriUnreachableError with the network code', async () => {
    const port = stub.port;
    await stub.close();
    const down = new AriRestClient({
      url: `http://127.0.0.1:${port}`,
      user: 'cti',
      password: 'secret',
      clock: systemClock,
      transport: makeTransport(),
    });
    const err = await down.channels.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AriUnreachableError);
    expect(err).toMatchObject({ code: 'ECONNREFUSED', method: 'GET', path: '/channels' });
    stub = new StubAri();
    await stub.listen();
  });
});

describe('httpTransport keep-alive', () => {
  it('retries once on a fresh socket when a reused keep-alive socket is reset under the request', async () => {
    const http = await import('node:http');
    const perSocket = new Map<unknown, number>();
    let requests = 0;
    const server = http.createServer((req, res) => {
      requests++;
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      // the second request on a kept-alive socket finds it closed by the server
      if (n === 2) {
        req.socket.destroy();
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end('{"asterisk_id":"x","ping":"pong","timestamp":"t"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      const rest = new AriRestClient({
        url: `http://127.0.0.1:${port}`,
        user: 'u',
        password: 'p',
        clock: systemClock,
        transport: httpTransport(),
      });
      await expect(rest.asterisk.ping()).resolves.toMatchObject({ ping: 'pong' });
      await expect(rest.asterisk.ping()).resolves.toMatchObject({ ping: 'pong' });
      expect(requests).toBe(3);
      expect(perSocket.size).toBe(2);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
