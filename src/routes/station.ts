// Station-wide API: what this station is, its printers with status, and a manual GoldLeaf sync.
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app.js';
import { requireScope } from '../http/auth.js';
import { ageSeconds, reachability } from '../sync/types.js';
import { testPage } from '../printing/test-page.js';

export function stationRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/status', (c) => {
    const snap = deps.sync.snapshot();
    return c.json({
      station: deps.config.station.name,
      mode: deps.configSource === 'demo' ? 'demo' : 'configured',
      goldleaf: { ...snap, state: reachability(snap), cacheAgeSeconds: ageSeconds(snap.lastSuccessAt) ?? null },
      printers: deps.printers.views(),
    });
  });

  app.get('/printers', async (c) => c.json({ items: await deps.printers.refreshAll(2000) }));

  app.get('/printers/:id', async (c) => c.json(await deps.printers.refresh(c.req.param('id'), 2000)));

  app.post('/printers/:id/test-print', requireScope('print'), async (c) => {
    const printer = deps.printers.get(c.req.param('id'));
    const document = await testPage(printer, { stationName: deps.config.station.name, fonts: deps.labels.fonts });
    const result = await deps.printers.print(printer.id, document, { signal: AbortSignal.timeout(60_000) });
    return c.json({ printer: printer.id, format: document.format, ...result, status: await deps.printers.refresh(printer.id, 2000) });
  });

  app.post('/sync', requireScope('print'), async (c) => {
    const report = await deps.sync.syncOnce();
    return c.json(report);
  });

  return app;
}
