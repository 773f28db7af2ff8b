// Liveness (/healthz) and readiness (/readyz): store writable, GoldLeaf reachable or cache served, printers summary.
import { Hono } from 'hono';
import { describeError } from '../errors.js';
import type { AppDeps } from '../deps.js';
import { ageSeconds, reachability } from '../sync/types.js';

export function healthRoutes(deps: Pick<AppDeps, 'store' | 'sync' | 'printers' | 'shop' | 'clockCheck'>): Hono {
  const app = new Hono();
  const startedAt = Date.now();

  app.get('/healthz', (c) => c.json({ status: 'alive', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) }));

  app.get('/readyz', (c) => {
    let store: { ok: boolean; error?: string };
    try {
      deps.store.checkWritable();
      store = { ok: true };
    } catch (err) {
      store = { ok: false, error: describeError(err) };
    }
    const snap = deps.sync.snapshot();
    const gl = reachability(snap);
    // Last known states (the station checks every printer every few seconds): a readiness probe must stay cheap.
    const printers = deps.printers.views();
    const byState: Record<string, number> = {};
    for (const p of printers) byState[p.state] = (byState[p.state] ?? 0) + 1;
    const ready = store.ok && (gl === 'reachable' || gl === 'cache');
    return c.json(
      {
        status: ready ? 'ready' : 'not-ready',
        store,
        goldleaf: {
          state: gl,
          source: snap.source,
          releasedWorkOrders: snap.releasedWorkOrders,
          ...(snap.lastSuccessAt ? { lastSuccessAt: snap.lastSuccessAt, cacheAgeSeconds: ageSeconds(snap.lastSuccessAt) } : {}),
          ...(snap.lastError && gl !== 'reachable' ? { lastError: snap.lastError } : {}),
          // Records the last sync skipped (the rest synced): named, so someone can fix them in GoldLeaf.
          ...(snap.problems?.length ? { problems: snap.problems } : {}),
        },
        printers: { total: printers.length, byState, list: printers.map((p) => ({ id: p.id, state: p.state, ...(p.detail ? { detail: p.detail } : {}) })) },
        // The shop ledger never makes a bench unready: it prints on its own while the ledger is away.
        ...(deps.shop ? { shop: deps.shop.status() } : {}),
        // Nor does a clock that is off: reprints, test pages and files still print; new tags wait for it (holds).
        ...(deps.clockCheck ? { clock: deps.clockCheck.verdict() } : {}),
      },
      ready ? 200 : 503,
    );
  });

  return app;
}
