/**
 * The simulator's network side: one HTTP server on loopback carrying ARI REST (`/ari/...`), the ARI
 * WebSocket (`/ari/events`), the generated api-docs and the control API (`/control/...`), plus fault
 * injection on the REST and WebSocket paths.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { systemClock, type Clock, type TimerId } from '../shared/clock.ts';
import { resourceJson, resourcesJson } from './api-docs.ts';
import { AriError } from './ari-error.ts';
import { matchRoute, type Params } from './ari-routes.ts';
import { ariTimestamp } from './ari-time.ts';
import { handleControl } from './control-api.ts';
import { startAmiServer } from './ami-server.ts';
import { SimEngine, type AppSink, type AriJson } from './engine.ts';
import { Participants } from './participants.ts';
import { RestTiming } from './rest-timing.ts';
import { SoundCatalog, builtInSoundsDir } from './sounds.ts';
import type { LeakReport, SimulatorFaults, SimulatorHandle, SimulatorOptions } from './types.ts';

const SERVER_HEADER = 'Asterisk/22.10.1';
const MAX_BODY = 1024 * 1024;
const METHOD_ORDER = ['GET', 'POST', 'PUT', 'DELETE'];

interface Match {
  method?: string;
  pathPrefix?: string;
}

interface Client {
  ws: WebSocket;
  apps: Set<string>;
  sinks: Map<string, AppSink>;
  reorderBuf: string[];
}

export async function startSimulator(opts: SimulatorOptions): Promise<SimulatorHandle> {
  const host = opts.host ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
    throw new Error(`PBX simulator: host must be loopback, got ${host}`);
  }
  const clock: Clock = opts.clock ?? systemClock;
  const log = opts.logger;
  const sounds = new SoundCatalog([...(opts.soundsDirs ?? []), builtInSoundsDir()]);
  const engine = new SimEngine({
    clock,
    asteriskId: opts.asteriskId ?? '02:fc:00:00:00:01',
    sounds,
    recordingsDir: opts.recordingsDir,
    inboundApp: opts.inboundApp ?? 'cti-test',
    onError: (err) => log?.error({ err }, 'simulator engine error'),
  });
  const participants = new Participants(engine, clock);
  engine.participants = participants;
  const timing = new RestTiming(
    () => engine.idle,
    opts.timing,
    (err) => log?.error({ err }, 'simulator timed request failed'),
  );

  const clients = new Set<Client>();
  const pendingDelayed = new Set<ServerResponse>();
  let refuseUntil = 0;
  let refuseMode: 'reset' | 'http503' = 'reset';
  let delayRule: { ms: number; match?: Match } | undefined;
  let failRule: { status: number; body: unknown; match?: Match } | undefined;
  let duplicateLeft = 0;
  let reorderLeft = 0;
  const delayTimers = new Set<TimerId>();

  const refusing = () => refuseUntil > clock.now();
  const matches = (m: Match | undefined, method: string, path: string) =>
    !m || ((!m.method || m.method.toUpperCase() === method) && (!m.pathPrefix || path.startsWith(m.pathPrefix)));

  // ------------------------------------------------------------ WebSocket fan-out with faults

  function sendTo(client: Client, event: AriJson): void {
    if (client.ws.readyState !== client.ws.OPEN) return;
    const text = JSON.stringify(event);
    if (reorderLeft > 0) {
      reorderLeft--;
      client.reorderBuf.push(text);
      if (reorderLeft === 0) flushReorder(client);
      else setTimeout(() => flushReorder(client), 200).unref();
      return;
    }
    client.ws.send(text);
    if (duplicateLeft > 0) {
      duplicateLeft--;
      client.ws.send(text);
    }
  }

  function flushReorder(client: Client): void {
    const buf = client.reorderBuf.splice(0).reverse();
    for (const t of buf) if (client.ws.readyState === client.ws.OPEN) client.ws.send(t);
  }

  const wss = new WebSocketServer({ noServer: true });

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://x');
    if (refusing()) {
      if (refuseMode === 'http503') rawHttp(socket, 503, 'Service Unavailable', 'text/plain', 'Service Unavailable');
      else socket.destroy();
      return;
    }
    if (url.pathname !== '/ari/events') {
      rawHttp(socket, 404, 'Not Found', 'application/json', JSON.stringify({ message: 'Resource not found' }));
      return;
    }
    if (!authorized(req, url)) {
      rawHttp(socket, 401, 'Unauthorized', 'application/json', JSON.stringify({ message: 'Authentication required' }), {
        'WWW-Authenticate': 'Basic realm="Asterisk REST Interface"',
      });
      return;
    }
    const apps = (url.searchParams.getAll('app').join(',') || '')
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean);
    if (!apps.length) {
      // 07: the exact page Asterisk sends when `app` is missing.
      const body =
        '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\r\n<html><head>\r\n<title>400 Bad Request</title>\r\n</head><body>\r\n<h1>Bad Request</h1>\r\n<p>HTTP request is missing param: [app]</p>\r\n<hr />\r\n<address>Asterisk/22.10.1</address>\r\n</body></html>\r\n';
      rawHttp(socket, 400, 'Bad Request', 'text/html', body);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const client: Client = { ws, apps: new Set(apps), sinks: new Map(), reorderBuf: [] };
      clients.add(client);
      for (const app of apps) {
        const sink: AppSink = (event) => timing.deliver(() => sendTo(client, event));
        client.sinks.set(app, sink);
        const { replaced } = engine.registerApp(app, sink);
        if (replaced) {
          // README rule 7: the previous holder gets ApplicationReplaced, stays open, and gets nothing more.
          replaced({
            type: 'ApplicationReplaced',
            timestamp: ariTimestamp(clock.now()),
            application: app,
            asterisk_id: engine.asteriskId,
          });
          for (const other of clients)
            if (other !== client && other.sinks.get(app) === replaced) other.sinks.delete(app);
        }
      }
      ws.on('message', () => {});
      ws.on('error', () => {});
      ws.on('close', () => {
        clients.delete(client);
        for (const [app, sink] of client.sinks) engine.unregisterApp(app, sink);
        client.sinks.clear();
      });
    });
  }

  function rawHttp(
    socket: Duplex,
    status: number,
    reason: string,
    type: string,
    body: string,
    extra: Record<string, string> = {},
  ): void {
    const headers = [
      `HTTP/1.1 ${status} ${reason}`,
      `Server: ${SERVER_HEADER}`,
      `Date: ${new Date(clock.now()).toUTCString()}`,
      'Cache-Control: no-cache, no-store',
      ...Object.entries(extra).map(([k, v]) => `${k}: ${v}`),
      `Content-Type: ${type}`,
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
    ];
    socket.end(`${headers.join('\r\n')}\r\n\r\n${body}`);
  }

  // ------------------------------------------------------------ REST

  function authorized(req: IncomingMessage, url: URL): boolean {
    const want = `${opts.ariUser}:${opts.ariPassword}`;
    const h = req.headers.authorization;
    if (h?.startsWith('Basic ')) {
      const got = Buffer.from(h.slice(6), 'base64').toString('utf8');
      if (got === want) return true;
    }
    const key = url.searchParams.get('api_key');
    return key === want;
  }

  function send(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    reason: string | undefined,
    body: unknown,
    extra: Record<string, string> = {},
  ): void {
    if (res.writableEnded) return;
    res.statusCode = status;
    if (reason) res.statusMessage = reason;
    res.setHeader('Server', SERVER_HEADER);
    res.setHeader('Date', new Date(clock.now()).toUTCString());
    res.setHeader('Cache-Control', 'no-cache, no-store');
    const origin = req.headers.origin;
    if (origin) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
    if (body === undefined) {
      res.setHeader('Content-Length', '0');
      res.end();
      return;
    }
    if (Buffer.isBuffer(body)) {
      res.setHeader('Content-Length', String(body.length));
      res.end(body);
      return;
    }
    const text = JSON.stringify(body);
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Content-Length', String(Buffer.byteLength(text)));
    res.end(text);
  }

  function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) {
          resolve('too-large');
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = (req.method ?? 'GET').toUpperCase();
    if (url.pathname.startsWith('/control')) {
      if (!authorized(req, url)) {
        send(
          req,
          res,
          401,
          'Unauthorized',
          { message: 'Authentication required' },
          { 'WWW-Authenticate': 'Basic realm="PBX simulator control"' },
        );
        return;
      }
      const raw = await readBody(req);
      const result = handleControl({
        method,
        path: url.pathname.slice('/control'.length) || '/',
        query: url.searchParams,
        body: raw,
        handle,
      });
      send(req, res, result.status, undefined, result.body);
      return;
    }
    if (refusing()) {
      if (refuseMode === 'http503') send(req, res, 503, 'Service Unavailable', { message: 'Service Unavailable' });
      else req.socket.destroy();
      return;
    }
    if (!url.pathname.startsWith('/ari/') && url.pathname !== '/ari') {
      send(req, res, 404, 'Not Found', { message: 'Resource not found' });
      return;
    }
    if (!authorized(req, url)) {
      send(
        req,
        res,
        401,
        'Unauthorized',
        { message: 'Authentication required' },
        { 'WWW-Authenticate': 'Basic realm="Asterisk REST Interface"' },
      );
      return;
    }
    const ariPath = url.pathname.slice(4) || '/';
    if (ariPath.startsWith('/api-docs/')) {
      const file = ariPath.slice('/api-docs/'.length);
      const base = `http://${req.headers.host ?? `${host}:${port}`}/ari`;
      const doc =
        file === 'resources.json'
          ? resourcesJson(base)
          : file.endsWith('.json')
            ? resourceJson(file.slice(0, -5), base)
            : undefined;
      if (!doc) send(req, res, 404, 'Not Found', { message: 'Resource not found' });
      else send(req, res, 200, 'OK', doc);
      return;
    }
    const { match, allowed } = matchRoute(method, ariPath);
    const allow = ['OPTIONS', ...METHOD_ORDER.filter((m) => allowed.includes(m))].join(',');
    if (method === 'OPTIONS' && allowed.length) {
      const extra: Record<string, string> = { Allow: allow };
      if (req.headers.origin) extra['Access-Control-Allow-Methods'] = allow;
      send(req, res, 204, 'No Content', undefined, extra);
      return;
    }
    if (!match) {
      if (allowed.length) send(req, res, 405, 'Method Not Allowed', { message: 'Invalid method' }, { Allow: allow });
      else send(req, res, 404, 'Not Found', { message: 'Resource not found' });
      return;
    }
    const raw = await readBody(req);
    if (raw === 'too-large') {
      send(req, res, 413, 'Request Entity Too Large', { message: 'Request body too large' });
      return;
    }
    const params: Params = {};
    for (const key of new Set(url.searchParams.keys())) {
      if (key === 'api_key') continue;
      const all = url.searchParams.getAll(key);
      params[key] = all.length > 1 ? all : all[0];
    }
    if (raw.length) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw.toString('utf8'));
      } catch {
        send(req, res, 400, 'Bad Request', { message: 'Error parsing request body' });
        return;
      }
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) Object.assign(params, parsed);
    }
    Object.assign(params, match.pathParams);

    // The effect happens now; the returned function writes the reply (at once, or where the timing puts it).
    const effect = (): (() => void) => {
      if (res.writableEnded) return () => {};
      try {
        const out = match.route.handler({ params, engine, sounds });
        const raw = out.raw;
        if (raw)
          return () => send(req, res, out.status, out.reason ?? 'OK', raw.data, { 'Content-Type': raw.contentType });
        return () => send(req, res, out.status, out.reason ?? reasonFor(out.status), out.body);
      } catch (err) {
        if (err instanceof AriError) return () => send(req, res, err.status, err.reason, err.body);
        log?.error({ err }, 'simulator route error');
        return () => send(req, res, 500, 'Internal Server Error', { message: 'Internal Server Error' });
      }
    };
    const run = () => timing.run(`${method} ${match.route.path}`, effect);

    if (failRule && matches(failRule.match, method, ariPath)) {
      const f = failRule;
      failRule = undefined;
      send(req, res, f.status, undefined, f.body);
      return;
    }
    if (delayRule && matches(delayRule.match, method, ariPath)) {
      const d = delayRule;
      delayRule = undefined;
      pendingDelayed.add(res);
      res.on('close', () => pendingDelayed.delete(res));
      if (Number.isFinite(d.ms)) {
        const t = clock.setTimeout(() => {
          delayTimers.delete(t);
          pendingDelayed.delete(res);
          run();
        }, d.ms);
        delayTimers.add(t);
      }
      return;
    }
    run();
  }

  const server = createServer((req, res) => {
    onRequest(req, res).catch((err) => {
      log?.error({ err }, 'simulator request failed');
      if (!res.writableEnded) send(req, res, 500, 'Internal Server Error', { message: 'Internal Server Error' });
    });
  });
  server.on('upgrade', onUpgrade);
  const sockets = new Set<Duplex>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const origin = `http://127.0.0.1:${port}`;
  const amiServer = opts.ami
    ? await startAmiServer({ engine, host, clock, ...opts.ami }).catch(async (err: unknown) => {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        throw err;
      })
    : undefined;

  // ------------------------------------------------------------ faults, leaks, reset

  function dropWebSockets(o: { app?: string; code?: number } = {}): number {
    let n = 0;
    for (const c of [...clients]) {
      if (o.app && !c.apps.has(o.app)) continue;
      n++;
      // Unregister at once, not when the close is processed: the app is gone from this instant on, so a
      // timer firing before the socket's close event cannot deliver into a dead connection.
      clients.delete(c);
      for (const [app, sink] of c.sinks) engine.unregisterApp(app, sink);
      c.sinks.clear();
      if (o.code) c.ws.close(o.code);
      else c.ws.terminate();
    }
    return n;
  }

  const faults: SimulatorFaults = {
    dropWebSockets,
    refuseConnections(ms, mode = 'reset') {
      refuseUntil = clock.now() + ms;
      refuseMode = mode;
    },
    restart(o = {}) {
      engine.wipe();
      dropWebSockets();
      if (o.downMs) {
        refuseUntil = clock.now() + o.downMs;
        refuseMode = 'reset';
      }
      engine.restarted();
    },
    delayNextRest(ms, match) {
      delayRule = { ms, match };
    },
    failNextRest(status, match) {
      failRule = { status, body: match?.body ?? { message: 'Injected fault' }, match };
    },
    duplicateEvents(count) {
      duplicateLeft = count;
    },
    reorderEvents(count) {
      reorderLeft = count;
    },
    clear() {
      refuseUntil = 0;
      delayRule = undefined;
      failRule = undefined;
      duplicateLeft = 0;
      reorderLeft = 0;
      for (const c of clients) flushReorder(c);
    },
  };

  function leaks(): LeakReport {
    const left = engine.leftovers();
    const ok = !left.channels.length && !left.bridges.length && !left.playbacks.length && !left.recordings.length;
    return { ok, ...left };
  }

  const handle: SimulatorHandle = {
    ariUrl: `${origin}/ari`,
    wsUrl: `ws://127.0.0.1:${port}/ari/events`,
    controlUrl: `${origin}/control`,
    port,
    ...(amiServer ? { ami: { host: amiServer.host, port: amiServer.port } } : {}),
    engine,
    control: {
      placeCall: (r) => participants.placeCall(r),
      setPhone: (ext, b) => void engine.phones.set(ext, { ...b }),
      removePhone: (ext) => void engine.phones.delete(ext),
      listPhones: () => Object.fromEntries(engine.phones),
      setExternal: (n, b) => void engine.externals.set(n, { ...b }),
      hangupCall: (id) => participants.hangupCall(id),
      callLog: (id) => participants.callLog(id),
      state: () => ({ channels: engine.listChannels(), bridges: engine.listBridges(), apps: engine.appNames() }),
    },
    faults,
    timing: {
      get: () => timing.timing,
      set: (t) => timing.set(t),
      inFlight: () => timing.inFlight,
    },
    leaks,
    reset() {
      faults.clear();
      participants.reset();
      engine.wipe();
      engine.phones.clear();
      engine.externals.clear();
      engine.deviceStates.clear();
    },
    async close() {
      faults.clear();
      timing.close();
      for (const t of delayTimers) clock.clearTimeout(t);
      for (const res of pendingDelayed) res.destroy();
      participants.reset();
      engine.wipe();
      for (const c of clients) c.ws.terminate();
      wss.close();
      for (const s of sockets) s.destroy();
      await amiServer?.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return handle;
}

function reasonFor(status: number): string {
  return status === 200 ? 'OK' : status === 201 ? 'Created' : status === 204 ? 'No Content' : '';
}
