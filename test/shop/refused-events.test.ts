// What a bench ships to the shop ledger when the data is bad: text PostgreSQL cannot keep (a NUL from GoldLeaf or a
// request) ships all the same, and an event the ledger refuses is set aside and named, while the events after it ship.
// Before, one such event failed every batch it was in, for ever: the bench's later history never reached the ledger.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ShopConfig } from '../../src/config/schema.js';
import { EventBus } from '../../src/events.js';
import { JobStore } from '../../src/queue/job-store.js';
import { ShopService } from '../../src/shop/service.js';
import { openStore, type Store } from '../../src/store/store.js';
import { shippedJob } from '../helpers/ledger.js';
import { captureLogger } from '../helpers/logs.js';
import { freshDatabase } from '../helpers/postgres.js';
import { soon, zplLabels } from '../helpers/queue.js';
import { tempDir } from '../helpers/temp.js';

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function bench() {
  const db = await freshDatabase();
  const store: Store = openStore(join(tempDir(), 'bench.db'));
  const config: ShopConfig = { databaseUrl: db.url, benchId: 'bench-r', serialBlock: 100, serialReserve: 10, connectTimeoutMs: 3000, routing: { rules: [] } };
  const jobs = new JobStore(store);
  const log = captureLogger('info');
  const shop = new ShopService({ config, store, jobs, serialPrefix: 'R', stationName: 'Bench R', events: new EventBus(), logger: log.logger });
  cleanup.push(() => db.drop(), () => store.close(), () => shop.stop());
  const append = (id: string, over: Record<string, unknown> = {}) => shop.outbox.append('job', `bench-r:job:${id}:1`, '2026-12-01T10:00:02.000Z', { ...shippedJob(id), ...over });
  const shipped = async () => {
    await expect.poll(() => shop.status().behindBy, { timeout: 15_000, interval: 50 }).toBe(0);
    return shop.ledger;
  };
  return { shop, append, shipped, store, jobs, log };
}

describe('bad data on its way to the shop ledger', () => {
  it('ships text with a NUL in it, the NUL kept as U+FFFD', async () => {
    const { shop, append, shipped } = await bench();
    append('N1', { title: 'tags for WO\u0000-7', workOrderNumber: 'WO\u0000-7', partNumbers: ['HA\u0000-1', 'HA-1'] });
    append('N2');
    shop.outbox.append('release.claimed', 'bench-r:release:wo-nul', '2026-12-01T10:00:03.000Z', { workOrderId: 'wo\u0000nul', workOrderNumber: 'WO\u0000-7' });
    shop.start();
    const ledger = await shipped();
    expect(await ledger.counts()).toMatchObject({ jobs: 2, tags: 4 });
    expect(await ledger.job('bench-r', 'N1')).toMatchObject({ title: 'tags for WO\uFFFD-7', workOrderNumber: 'WO\uFFFD-7', partNumbers: ['HA\uFFFD-1', 'HA-1'] });
    expect((await ledger.searchJobs({ workOrder: 'WO\u0000-7' })).map((j) => j.id)).toEqual(['N1']);
    expect(shop.status().refusedEvents).toBeUndefined();
  });

  it('sets an event the ledger refuses aside, names it, and ships the events before and after it', async () => {
    const { shop, append, shipped, store, log } = await bench();
    append('A1');
    // A line number the ledger's integer column cannot take, and a date that is not one.
    append('B2', { lineNumber: 10.5 });
    append('C3', { createdAt: 'the day before' });
    append('D4');
    // And one the bench's own store damaged.
    append('X9');
    store.db.prepare("UPDATE ledger_outbox SET payload = substr(payload, 1, 40) WHERE event_id = 'bench-r:job:X9:1'").run();
    shop.start();
    const ledger = await shipped();
    expect(await ledger.counts()).toMatchObject({ jobs: 2, tags: 4 });
    expect((await ledger.searchJobs({ bench: 'bench-r' })).map((j) => j.id).sort()).toEqual(['A1', 'D4']);
    const status = shop.status();
    expect(status).toMatchObject({ state: 'connected', behindBy: 0, refusedEvents: 3 });
    expect(status.lastRefusal).toMatch(/^bench-r:job:X9:1: its stored payload is damaged/);
    const refused = store.db.prepare('SELECT event_id AS id, error FROM ledger_refused ORDER BY seq').all() as Array<{ id: string; error: string }>;
    expect(refused.map((r) => r.id)).toEqual(['bench-r:job:B2:1', 'bench-r:job:C3:1', 'bench-r:job:X9:1']);
    expect(refused[0]!.error).toMatch(/integer.*10\.5/);
    expect(refused[1]!.error).toMatch(/the day before/);
    // Each named in the log, the one the ledger refused with its job.
    const named = log.lines().filter((l) => l.level === 50);
    expect(named.map((l) => l.event)).toEqual(['bench-r:job:B2:1', 'bench-r:job:C3:1', 'bench-r:job:X9:1']);
    expect(named[0]).toMatchObject({ job: 'B2', workOrder: 'WO-1', msg: expect.stringMatching(/^the shop ledger refused an event for its data/) });
    expect(named[2]).toMatchObject({ err: expect.stringMatching(/^its stored payload is damaged/), msg: expect.stringMatching(/^an event in the outbox cannot be read/) });
    // Later events ship at once, in batches again.
    append('E5');
    await expect.poll(async () => (await ledger.counts()).jobs, { timeout: 15_000, interval: 50 }).toBe(3);
  });

  it("ships a job of a line GoldLeaf numbers 10.5 without its line number (the title names it)", async () => {
    const { shop, shipped, jobs } = await bench();
    const id = jobs.insert({ printerId: 'tags', requestedBy: 'kiosk', kind: 'labels', title: 'tag for WO-9 line 10.5', workOrder: { id: 'wo-9', number: 'WO-9' }, lineNumber: 10.5, document: zplLabels(1, 't'), expiresAt: soon(60_000) }).job.id;
    jobs.transition(id, ['queued'], 'cancelled', {}, 'cancelled by test');
    shop.start();
    const ledger = await shipped();
    expect(await ledger.job('bench-r', id)).toMatchObject({ title: 'tag for WO-9 line 10.5', workOrderNumber: 'WO-9', state: 'cancelled' });
    expect((await ledger.job('bench-r', id))!.lineNumber).toBeUndefined();
    expect(shop.status().refusedEvents).toBeUndefined();
  });
});

describe('what a bench ships', () => {
  it('is on the bench\'s disk before the ledger has it', async () => {
    const { shop, append, store } = await bench();
    const synced = store.durable.bind(store);
    let release: (() => void) | undefined;
    store.durable = async () => {
      await synced();
      await new Promise<void>((go) => (release = go));
    };
    append('S1');
    shop.start();
    await expect.poll(() => release, { timeout: 15_000 }).toBeDefined();
    await new Promise((r) => setTimeout(r, 100));
    expect((await shop.ledger.counts()).jobs).toBe(0);
    store.durable = synced;
    release!();
    await expect.poll(async () => (await shop.ledger.counts()).jobs, { timeout: 15_000, interval: 50 }).toBe(1);
  });

  it("waits for a bench disk that cannot sync, saying it is the bench's disk, not the ledger", async () => {
    const { shop, append, store } = await bench();
    const synced = store.durable.bind(store);
    store.durable = () => Promise.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    append('S2');
    shop.start();
    await expect.poll(() => shop.status().lastError, { timeout: 15_000 }).toMatch(/^The bench could not make its own history safe on its disk \(EIO: i\/o error, fdatasync\), so nothing is sent to the shop ledger until it can\. Check the disk/);
    expect((await shop.ledger.counts()).jobs).toBe(0);
    store.durable = synced;
    await expect.poll(async () => (await shop.ledger.counts()).jobs, { timeout: 15_000, interval: 50 }).toBe(1);
  });
});
