// For benchmarks: the sandbox's demo work orders synced once into a store, the way the station sees them; or a
// demo-mode station with a kiosk session.
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { configSchema } from '../src/config/schema.js';
import { EventBus } from '../src/events.js';
import { GoldleafClient } from '../src/goldleaf/client.js';
import { GoldleafHttp } from '../src/goldleaf/http.js';
import { silentLogger } from '../src/logger.js';
import { buildSandboxData } from '../src/sandbox/data.js';
import { SANDBOX_KEY, startSandbox } from '../src/sandbox/server.js';
import { startStation, type RunningStation } from '../src/station.js';
import { openStore, type Store } from '../src/store/store.js';
import { WorkOrderCache } from '../src/sync/cache.js';
import { SyncService } from '../src/sync/sync.js';

export async function demoCache(dir: string): Promise<{ store: Store; cache: WorkOrderCache }> {
  const sandbox = await startSandbox({ data: buildSandboxData(new Date('2026-11-26T00:00:00Z')) });
  try {
    const store = openStore(join(dir, 'bench.db'));
    const config = configSchema.parse({});
    const settings = { ...config.goldleaf, baseUrl: sandbox.baseUrl, tokenUrl: sandbox.tokenUrl, ...SANDBOX_KEY };
    const cache = new WorkOrderCache(store);
    const client = new GoldleafClient(new GoldleafHttp(settings, silentLogger()), settings);
    await new SyncService({ client, cache, events: new EventBus(), logger: silentLogger(), config: config.sync, releasedStatuses: settings.releasedStatuses, source: 'sandbox' }).syncOnce();
    return { store, cache };
  } finally {
    await sandbox.close();
  }
}

/** A demo-mode station in `dir`, synced, with the session cookie a kiosk on this PC gets opening /kiosk. */
export async function kioskStation(dir: string): Promise<{ station: RunningStation; cookie: string }> {
  const loaded = loadConfig(undefined, { BENCHPRINT_DATA_DIR: dir, BENCHPRINT_PORT: '0', BENCHPRINT_HOST: '127.0.0.1' });
  const station = await startStation(loaded, silentLogger(), { startSync: false });
  await station.sync.syncOnce();
  const opened = await fetch(`${station.url}/kiosk`);
  await opened.arrayBuffer();
  return { station, cookie: opened.headers.get('set-cookie')!.split(';')[0]! };
}
