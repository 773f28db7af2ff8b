// Station-wide API: what this station is, its printers with status, and a manual GoldLeaf sync.
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app.js';
import { requireScope } from '../http/auth.js';
import { ageSeconds, reachability } from '../sync/types.js';

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

  app.post('/sync', requireScope('print'), async (c) => {
    const report = await deps.sync.syncOnce();
    return c.json(report);
  });

  return app;
}
