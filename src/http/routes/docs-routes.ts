import type { FastifyContextConfig, FastifyPluginAsync } from 'fastify';
import '../fastify-types.ts';

type OpenApiDoc = {
  info?: { title?: string; version?: string };
  paths?: Record<string, Record<string, { summary?: string; tags?: string[] }>>;
};

/** `/docs/json`: the OpenAPI document generated from the route schemas; `/docs`: a plain index of it. */
export function docsRoutes(opts: { public: boolean }): FastifyPluginAsync {
  const config: FastifyContextConfig = opts.public ? { public: true } : { permission: 'docs:read' };
  return async (app) => {
    app.get('/docs/json', { config, schema: { hide: true } }, async () => app.swagger());
    app.get('/docs', { config, schema: { hide: true } }, async (_request, reply) => {
      const doc = app.swagger() as OpenApiDoc;
      const rows: string[] = [];
      for (const [path, ops] of Object.entries(doc.paths ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
        for (const [method, op] of Object.entries(ops)) {
          rows.push(
            `<tr><td><code>${esc(method.toUpperCase())}</code></td><td><code>${esc(path)}</code></td><td>${esc((op.tags ?? []).join(', '))}</td><td>${esc(op.summary ?? '')}</td></tr>`,
          );
        }
      }
      const title = esc(`${doc.info?.title ?? 'API'} ${doc.info?.version ?? ''}`);
      reply.type('text/html; charset=utf-8');
      return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>
<style>body{font-family:sans-serif;margin:2em}td,th{padding:.2em .8em;text-align:left;border-bottom:1px solid #ddd}</style></head>
<body><h1>${title}</h1><p>Machine-readable OpenAPI document: <a href="/docs/json">/docs/json</a>. Every route except health and sign-in needs <code>Authorization: Bearer &lt;token&gt;</code>.</p>
<table><tr><th>Method</th><th>Path</th><th>Tags</th><th>Summary</th></tr>${rows.join('')}</table></body></html>`;
    });
  };
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
