// A label engine over a temp store, with demo work orders synced from the sandbox.
import { join } from 'node:path';
import { LabelEngine } from '../../src/labels/engine.js';
import { SerialStore } from '../../src/labels/serials.js';
import { buildSandboxData } from '../../src/sandbox/data.js';
import { startSandbox } from '../../src/sandbox/server.js';
import { openStore } from '../../src/store/store.js';
import type { CachedWorkOrder } from '../../src/domain/work-order.js';
import { syncOver } from './sync.js';

export const TEMPLATES_DIR = new URL('../../templates', import.meta.url).pathname;

export async function demoWorkOrders(dir: string): Promise<CachedWorkOrder[]> {
  const sandbox = await startSandbox({ data: buildSandboxData(new Date('2026-11-26T00:00:00Z')) });
  try {
    const { sync, cache } = syncOver(sandbox, dir);
    await sync.syncOnce();
    return cache.list().map((s) => cache.get(s.id)!);
  } finally {
    await sandbox.close();
  }
}

export function labelEngine(dir: string, templatesDir = TEMPLATES_DIR) {
  const store = openStore(join(dir, `labels-${Math.random().toString(36).slice(2)}.db`));
  const serials = new SerialStore(store, 'BP');
  return { engine: new LabelEngine({ templatesDir, serials, shopName: 'Demo Hydraulics Ltd', stationName: 'Bench 1' }), serials, store };
}
