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
export function httpTransport(opts: { maxSockets?: number } = {}): AriTransport {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 64 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 64 }),
  };
  return (req) =>
    new Promise<AriTransportResponse>((resolve, reject) => {
      const url = new URL(req.url);
      const mod = url.protocol === 'https:' ? https : http;
      const agent = url.protocol === 'https:' ? agents['https:'] : agents['http:'];
      const headers: Record<string, string | number> = { ...req.headers };
      if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
      const r = mod.request(url, { method: req.method, headers, agent, signal: req.signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', body: Buffer.concat(chunks) }));
        res.on('error', reject);
        res.on('aborted', () => reject(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
      });
      r.on('error', reject);
      r.end(req.body);
    });
}

/** The global fetch (or an injected one), for environments where it is preferred. */
export function fetchTransport(fetchImpl: typeof globalThis.fetch = globalThis.fetch): AriTransport {
  return async (req) => {
    const res = await fetchImpl(req.url, { method: req.method, headers: req.headers, body: req.body, signal: req.signal });
    return { status: res.status, statusText: res.statusText, body: Buffer.from(await res.arrayBuffer()) };
  };
}
