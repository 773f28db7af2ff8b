// Station-wide API: what this station is, its printers with status, and a manual GoldLeaf sync.
import type { Operation } from '../http/operations.js';
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../deps.js';
import { requireScope } from '../http/auth.js';
import { ageSeconds, reachability } from '../sync/types.js';
import { sleep } from '../lib/backoff.js';
import { renderRequest } from '../queue/requests.js';


/** What this module serves, for the OpenAPI document (the served routes are checked against it). */
export const operations: readonly Operation[] = [
  { method: 'get', path: '/api/v1/status', summary: "The station, its GoldLeaf connection and cache age, its printers, and this PC's clock against GoldLeaf's", scope: 'read' },
  { method: 'get', path: '/api/v1/printers', summary: 'Printers with their state (asked now) and when each was last seen', scope: 'read' },
  { method: 'get', path: '/api/v1/printers/{id}', summary: 'One printer, asked now', scope: 'read' },
  { method: 'post', path: '/api/v1/printers/{id}/test-print', summary: "Print a test page in the printer's own language (through the queue)", scope: 'print' },
  { method: 'post', path: '/api/v1/sync', summary: 'Sync with GoldLeaf now', scope: 'print' },
];

export function stationRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/status', (c) => {
    const snap = deps.sync.snapshot();
    return c.json({
      station: deps.config.station.name,
      mode: deps.configSource === 'demo' ? 'demo' : 'configured',
      goldleaf: { ...snap, state: reachability(snap), cacheAgeSeconds: ageSeconds(snap.lastSuccessAt) ?? null },
      printers: deps.printers.views(),
      ...(deps.shop ? { shop: deps.shop.status() } : {}),
      ...(deps.clockCheck ? { clock: deps.clockCheck.verdict() } : {}),
    });
  });

  app.get('/printers', async (c) => c.json({ items: await deps.printers.refreshAll(2000) }));

  app.get('/printers/:id', async (c) => c.json(await deps.printers.refresh(c.req.param('id'), 2000)));

  // Goes through the queue like any job, so it never interleaves with labels already printing; waits up to 30 s.
  app.post('/printers/:id/test-print', requireScope('print'), async (c) => {
    const printer = deps.printers.get(c.req.param('id'));
    const { job } = deps.queue.submit(await renderRequest({ kind: 'test', printer: printer.id }, c.get('principal').name, deps.requests));
    const deadline = Date.now() + 30_000;
    let current = job;
    while (['queued', 'printing'].includes(current.state) && Date.now() < deadline) {
      await sleep(50);
      current = deps.queue.get(job.id);
    }
    return c.json({ printer: printer.id, format: current.format, job: current, status: await deps.printers.refresh(printer.id, 2000) }, current.state === 'done' ? 200 : 202);
  });

  app.post('/sync', requireScope('print'), async (c) => {
    const report = await deps.sync.syncOnce();
    return c.json(report);
  });

  return app;
}
