import { readFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { IvrConfig } from '../../domain/ivr/ivr-config.ts';
import '../fastify-types.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export const defaultPublicDir = fileURLToPath(new URL('../../../public/ui', import.meta.url));

export interface UiRoutesOptions {
  /** The voice menu: the skills agents may sign in to, and the Chinese labels of the menu nodes for the screen-pop. */
  ivr: Pick<IvrConfig, 'skills' | 'nodes'>;
  /** Where the pages live (default `public/ui`). */
  publicDir?: string;
  /** Wrap-up codes (事后处理) and the wrap-up times the agent desk offers (config/ivr.json acd). */
  wrapUp?: { codes: { code: string; label: string }[]; periodMs: number; maxMs: number };
}

/**
 * The browser pages (docs/ui.md): `/ui/agent` (agent desktop), `/ui/supervisor` (wallboard) and
 * `/ui/audit` (auditor console, docs/audit-console.md), their
 * scripts and styles under `/ui/assets/<file>`, the socket.io client at `/ui/vendor/socket.io.esm.min.js`
 * (socket.io's own `serveClient` is off), and `/ui/config.json` (skills and menu labels).
 *
 * The pages hold no data: they are public like /docs, and everything they show comes over the API and
 * socket.io with the signed-in user's token. One route per file, found at start, so nothing outside
 * `public/ui` can ever be read through a path.
 */
export function uiRoutes(opts: UiRoutesOptions): FastifyPluginAsync {
  const dir = opts.publicDir ?? defaultPublicDir;
  const files = readdirSync(dir).filter((f) => /^[a-z0-9][a-z0-9.-]*$/.test(f) && TYPES[extname(f)] !== undefined);
  const socketClient = join(
    dirname(createRequire(import.meta.url).resolve('socket.io/package.json')),
    'client-dist',
    'socket.io.esm.min.js',
  );
  const nodeLabels: Record<string, string> = {};
  for (const [id, node] of Object.entries(opts.ivr.nodes)) if (node.label) nodeLabels[id] = node.label;
  const uiConfig = {
    skills: [...opts.ivr.skills],
    nodeLabels,
    ...(opts.wrapUp ? { wrapUp: opts.wrapUp } : {}),
  };
  const config = { public: true } as const;
  const schema = (summary: string) => ({ hide: true, summary, tags: ['ui'] });

  const send = async (reply: FastifyReply, path: string, type: string) => {
    const body = await readFile(path);
    return (
      reply
        .type(type)
        .header('cache-control', 'no-cache')
        // 'self' covers the page's own origin for fetch and for socket.io's WebSocket (ws:/wss: to the same
        // host, CSP Level 3); a bare `ws: wss:` would let an injected script reach any host.
        .header(
          'content-security-policy',
          "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
        )
        .send(body)
    );
  };

  return async (app) => {
    app.get('/ui', { config, schema: schema('The agent desktop (redirect)') }, async (_req, reply) =>
      reply.redirect('/ui/agent'),
    );
    app.get('/ui/agent', { config, schema: schema('Agent desktop page') }, async (_req, reply) =>
      send(reply, join(dir, 'agent.html'), TYPES['.html']!),
    );
    app.get('/ui/supervisor', { config, schema: schema('Supervisor wallboard page') }, async (_req, reply) =>
      send(reply, join(dir, 'supervisor.html'), TYPES['.html']!),
    );
    app.get('/ui/audit', { config, schema: schema('Auditor console page') }, async (_req, reply) =>
      send(reply, join(dir, 'audit.html'), TYPES['.html']!),
    );
    // Call and order reports, and the monthly assessment (issue 13 items 3 and 4).
    app.get('/ui/reports', { config, schema: schema('Call and order reports page') }, async (_req, reply) =>
      send(reply, join(dir, 'reports.html'), TYPES['.html']!),
    );
    app.get('/ui/assessment', { config, schema: schema('Monthly assessment page') }, async (_req, reply) =>
      send(reply, join(dir, 'assessment.html'), TYPES['.html']!),
    );
    app.get('/ui/unit', { config, schema: schema('Handling unit inbox page') }, async (_req, reply) =>
      send(reply, join(dir, 'unit.html'), TYPES['.html']!),
    );
    // The order number travels in the query (?id=12); the page itself checks it and says so in Chinese.
    const orderQuery = {
      type: 'object',
      additionalProperties: false,
      properties: { id: { type: 'string', maxLength: 32 } },
    } as const;
    app.get(
      '/ui/order',
      { config, schema: { ...schema('Work-order detail page'), querystring: orderQuery } },
      async (_req, reply) => send(reply, join(dir, 'order.html'), TYPES['.html']!),
    );
    app.get(
      '/ui/config.json',
      { config, schema: schema('Skills and voice-menu labels for the pages') },
      async () => uiConfig,
    );
    app.get(
      '/ui/vendor/socket.io.esm.min.js',
      { config, schema: schema('The socket.io browser client') },
      async (_req, reply) => send(reply, socketClient, TYPES['.js']!),
    );
    for (const f of files) {
      app.get(`/ui/assets/${f}`, { config, schema: schema(`UI asset ${f}`) }, async (_req, reply) =>
        send(reply, join(dir, f), TYPES[extname(f)]!),
      );
    }
  };
}
