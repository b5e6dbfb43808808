import http from 'node:http';
import https from 'node:https';

export interface AriTransportRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

export interface AriTransportResponse {
  status: number;
  statusText: string;
  body: Buffer;
}

/** Sends one HTTP request and reads the whole response. Rejects on network errors and on abort. */
export type AriTransport = (req: AriTransportRequest) => Promise<AriTransportResponse>;

/**
 * node:http with a keep-alive agent. The default: measured on this project's 2-core machine it costs
 * about a third of the CPU per call that Node 20's global fetch (undici) does, and a call set-up is
 * six REST calls (see scripts/bench/README.md).
 */
export function httpTransport(opts: { maxSockets?: number; idleSocketMs?: number } = {}): AriTransport {
  // A free socket is dropped after idleSocketMs, before the server's own keep-alive timeout
  // (Node servers 5 s, Asterisk's session_keep_alive 15 s) can close it under a request.
  const agentOpts = { keepAlive: true, maxSockets: opts.maxSockets ?? 64, timeout: opts.idleSocketMs ?? 4_000 };
  const agents = { http: new http.Agent(agentOpts), https: new https.Agent(agentOpts) };
  const send = (req: AriTransportRequest, retried: boolean): Promise<AriTransportResponse> =>
    new Promise<AriTransportResponse>((resolve, reject) => {
      const url = new URL(req.url);
      const secure = url.protocol === 'https:';
      const headers: Record<string, string | number> = { ...req.headers };
      if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
      let answered = false;
      const r = (secure ? https : http).request(
        url,
        { method: req.method, headers, agent: secure ? agents.https : agents.http, signal: req.signal },
        (res) => {
          answered = true;
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', body: Buffer.concat(chunks) }),
          );
          res.on('error', reject);
          res.on('aborted', () => reject(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
        },
      );
      r.on('error', (err: Error & { code?: string }) => {
        // The server closed a kept-alive socket just as we reused it: the request never reached it
        // (the retry pattern of Node's http documentation). Anything else is reported as is.
        if (
          !retried &&
          !answered &&
          r.reusedSocket &&
          (err.code === 'ECONNRESET' || err.code === 'EPIPE') &&
          !req.signal.aborted
        ) {
          send(req, true).then(resolve, reject);
          return;
        }
        reject(err);
      });
      r.end(req.body);
    });
  return (req) => send(req, false);
}

/** The global fetch (or an injected one), for environments where it is preferred. */
export function fetchTransport(fetchImpl: typeof globalThis.fetch = globalThis.fetch): AriTransport {
  return async (req) => {
    const res = await fetchImpl(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: req.signal,
    });
    return { status: res.status, statusText: res.statusText, body: Buffer.from(await res.arrayBuffer()) };
  };
}
