import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import { startTcpPrinter, type TcpPrinterDouble } from '../doubles/tcp-printer.js';
import { demoStation } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
let tags: TcpPrinterDouble;
beforeAll(async () => {
  tags = await startTcpPrinter('zpl');
});
afterAll(() => tags.close());

const start = () =>
  demoStation(dir, (c) => {
    c.printers = [
      { id: 'tags', driver: 'zpl', uri: tags.uri, dpmm: 8, options: {} },
      { id: 'office', driver: 'folder', uri: `file://${dir}/office`, dpmm: 8, options: { formats: ['pdf'], create: true } },
    ];
    c.autoPrint = { enabled: true, rules: [{ printer: 'tags', document: 'labels', template: 'hose-tag' }, { printer: 'office', document: 'datasheet' }] };
  });

describe('auto-print on release', () => {
  it('queues the configured documents once per released work order, never again on re-sync, re-release or restart', async () => {
    let station: RunningStation = await start();
    await station.sync.syncOnce();
    await expect.poll(() => station.jobs.list({ limit: 10_000 }).filter((j) => j.requestedBy === 'auto-print').length, { timeout: 20_000 }).toBeGreaterThan(22);
    await station.queue.runUntilIdle(60_000);
    const first = station.jobs.list({ limit: 10_000 });
    const datasheets = first.filter((j) => j.printerId === 'office');
    expect(datasheets).toHaveLength(22); // one per released work order
    const labelJobs = first.filter((j) => j.printerId === 'tags');
    expect(tags.labels()).toBe(labelJobs.reduce((n, j) => n + j.partsTotal, 0));
    expect(first.every((j) => j.state === 'done')).toBe(true);

    await station.sync.syncOnce();
    // The same release seen again (an office that releases twice, an event replayed) changes nothing.
    const wo = station.jobs.list({ limit: 1 })[0]!;
    station.events.emit({ type: 'workorder.released', workOrder: { id: wo.workOrderId!, number: wo.workOrderNumber! } });
    await new Promise((r) => setTimeout(r, 500));
    expect(station.jobs.list({ limit: 10_000 })).toHaveLength(first.length);
    await station.stop();

    station = await start();
    try {
      await station.sync.syncOnce();
      await new Promise((r) => setTimeout(r, 500));
      expect(station.jobs.list({ limit: 10_000 })).toHaveLength(first.length);
      expect(tags.labels()).toBe(labelJobs.reduce((n, j) => n + j.partsTotal, 0));
    } finally {
      await station.stop();
    }
  });
});
