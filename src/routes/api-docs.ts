// The OpenAPI document and a docs page that works offline (it renders the document itself, no CDN).
import type { Operation } from '../http/operations.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import type { AppEnv } from '../deps.js';
import { openApiDocument } from '../http/openapi.js';
import { PACKAGE_ROOT } from '../paths.js';


/** What this module serves, for the OpenAPI document (the served routes are checked against it). */
export const operations: readonly Operation[] = [
  { method: 'get', path: '/api/v1/openapi.json', summary: 'This document', scope: 'public' },
];

export function apiDocRoutes(served: readonly Operation[]): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  let doc: Record<string, unknown> | undefined;
  const document = () => (doc ??= openApiDocument((JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version, served));

  app.get('/openapi.json', (c) => c.json(document()));

  app.get('/docs', (c) =>
    c.html(html`<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>benchprint LAN API</title>
<style>body{font:16px/1.45 system-ui,sans-serif;max-width:1000px;margin:0 auto;padding:16px;color:#111}code,pre{background:#f3f3f3;padding:2px 4px;border-radius:3px}
.op{border:1px solid #ddd;border-radius:6px;margin:10px 0;padding:8px 12px}.m{font-weight:700;text-transform:uppercase;display:inline-block;width:4em}.get{color:#0a6}.post{color:#06c}
.scope{float:right;font-size:.85em;color:#666}details pre{white-space:pre-wrap;font-size:.85em}</style></head>
<body><h1>benchprint LAN API</h1><p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1). Send <code>Authorization: Bearer &lt;token&gt;</code>; errors are <code>{"error": {"code", "message"}}</code>.</p>
<div id="ops"></div>
<script>${raw(`
fetch('/api/v1/openapi.json').then((r) => r.json()).then((doc) => {
  const esc = (s) => String(s).replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]);
  const out = [];
  for (const [path, ops] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(ops)) {
    const params = (op.parameters || []).map((p) => '<li><code>' + esc(p.name) + '</code> (' + p.in + ')' + (p.description ? ': ' + esc(p.description) : '') + '</li>').join('');
    const body = op.requestBody ? '<details><summary>Request body</summary><pre>' + esc(JSON.stringify(op.requestBody.content['application/json'].schema, null, 2)) + '</pre></details>' : '';
    out.push('<div class="op"><span class="scope">' + esc(op['x-scope'] || 'public') + '</span><span class="m ' + method + '">' + method + '</span> <code>' + esc(path) + '</code><p>' + esc(op.summary) + '</p>' + (params ? '<ul>' + params + '</ul>' : '') + body + '</div>');
  }
  document.getElementById('ops').innerHTML = out.join('');
});`)}</script></body></html>`),
  );

  return app;
}
