// A sync service over a temp store and a running sandbox, with the events it emitted.
import { join } from 'node:path';
import { configSchema, type StationConfig } from '../../src/config/schema.js';
import { EventBus, type StationEvent } from '../../src/events.js';
import { silentLogger } from '../../src/logger.js';
import type { RunningSandbox } from '../../src/sandbox/server.js';
import { openStore } from '../../src/store/store.js';
import { WorkOrderCache } from '../../src/sync/cache.js';
import { SyncService } from '../../src/sync/sync.js';
import { sandboxClient } from './goldleaf.js';

let n = 0;

export function syncOver(sandbox: RunningSandbox, dir: string, overrides: { goldleaf?: Partial<StationConfig['goldleaf']>; sync?: Partial<StationConfig['sync']> } = {}) {
  const config = configSchema.parse({});
  const store = openStore(join(dir, `sync-${++n}.db`));
  const cache = new WorkOrderCache(store);
  const events = new EventBus();
  const seen: StationEvent[] = [];
  events.on((e) => seen.push(e));
  const { client, settings } = sandboxClient(sandbox, overrides.goldleaf);
  const sync = new SyncService({
    client,
    cache,
    events,
    logger: silentLogger(),
    config: { ...config.sync, ...overrides.sync },
    releasedStatuses: settings.releasedStatuses,
    source: 'sandbox',
  });
  return { sync, cache, store, events: seen, config: { ...config, sync: { ...config.sync, ...overrides.sync } } };
}
