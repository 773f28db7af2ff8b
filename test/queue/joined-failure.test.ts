// A joined delivery that fails for a reason that is not the printer's (the store refusing a write halfway, as on a
// full disk): the labels recorded as leaving are never counted unsent, so none of them is sent again on its own.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events.js';
import { silentLogger } from '../../src/logger.js';
import { Deliveries } from '../../src/queue/delivery.js';
import { JobStore } from '../../src/queue/job-store.js';
import { loadPrinters } from '../../src/printing/registry.js';
import { openStore } from '../../src/store/store.js';
import { startZebraPrinter, type ZebraDouble } from '../doubles/zebra-printer.js';
import { soon, zplLabels } from '../helpers/queue.js';
import { tempDir } from '../helpers/temp.js';

/** A store whose n-th commit of finished jobs fails once (a full disk for a moment). */
class FailingStore extends JobStore {
  failOnFinish = 0;
  private finishes = 0;
  override finishAndClaim(...args: Parameters<JobStore['finishAndClaim']>): ReturnType<JobStore['finishAndClaim']> {
    if (++this.finishes === this.failOnFinish) throw new Error('database or disk is full');
    return super.finishAndClaim(...args);
  }
}

let zebra: ZebraDouble;
afterEach(async () => zebra?.close());

async function setup() {
  zebra = await startZebraPrinter();
  const store = openStore(join(tempDir(), 'joined-failure.db'));
  const jobs = new FailingStore(store);
  const printers = await loadPrinters([{ id: 'z', driver: 'zpl', uri: zebra.uri, options: { statusTimeoutMs: 500, writeTimeoutMs: 1500, confirmEvery: 2, joinJobs: 6 } }], silentLogger());
  const config = { retryBaseMs: 1000, retryMaxMs: 2000, duplicateWindowSec: 10, holdPollMs: 300, expireAfterMin: 60 };
  const deliveries = new Deliveries({ jobs, printers, events: new EventBus(), logger: silentLogger(), config, changed: () => undefined });
  const ids = Array.from({ length: 6 }, (_, i) => jobs.insert({ printerId: 'z', requestedBy: 'test', kind: 'raw', document: zplLabels(1, `tag${i + 1}`), expiresAt: soon(60_000) }).job.id);
  const batch = jobs.claimJoined('z', soon(60_000), 6);
  expect(batch.map((j) => j.id)).toEqual(ids);
  return { jobs, deliveries, batch, ids, done: () => store.close() };
}

describe('a joined delivery the station itself cannot record', () => {
  it('leaves the labels that may have left in doubt and sends nothing again', async () => {
    const { jobs, deliveries, batch, ids, done } = await setup();
    // The commit that records labels 3-4 done fails after the printer confirmed them.
    jobs.failOnFinish = 2;
    expect(await deliveries.print(batch, new AbortController().signal)).toEqual([]);
    const states = ids.map((id) => jobs.get(id)!.state);
    expect(states).toEqual(['done', 'done', 'needs-attention', 'needs-attention', 'failed', 'queued']);
    expect(jobs.get(ids[2]!)!.attention).toMatch(/database or disk is full; this job's label was label 3 of the 6 sent together\..* may or may not have printed/);
    // The first never sent fails with the reason, as a job alone does on an error that is not the printer's (it
    // can be asked for again: nothing of it left); the one after it waits its turn.
    expect(jobs.get(ids[4]!)!.error).toBe('database or disk is full');
    expect(zebra.printed.map((f) => /\^FD(\w+) 1 of/.exec(f)![1])).toEqual(['tag1', 'tag2', 'tag3', 'tag4']);
    done();
  });

  it('counts nothing sent when it fails before the first label left', async () => {
    const { jobs, deliveries, batch, ids, done } = await setup();
    zebra.state = 'head-open';
    expect(await deliveries.print(batch, new AbortController().signal)).toEqual([]);
    // The printer answered "head open" before anything was sent: the first waits for it, the rest behind it.
    expect(ids.map((id) => jobs.get(id)!.state)).toEqual(['queued', 'queued', 'queued', 'queued', 'queued', 'queued']);
    expect(jobs.get(ids[0]!)!.waitingReason).toMatch(/print head is open/);
    expect(zebra.labels() + zebra.buffered()).toBe(0);
    done();
  });
});
