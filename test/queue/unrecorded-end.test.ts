// A job whose end the station cannot record (the disk full for a moment just as the printer confirmed it, and again
// when the failure is recorded) must not stay `printing` for ever while its printer goes on with other jobs: once the
// store takes writes again, it is treated as after a restart, in doubt, never printed again on its own.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events.js';
import { silentLogger } from '../../src/logger.js';
import { JobStore } from '../../src/queue/job-store.js';
import { PrintQueue } from '../../src/queue/queue.js';
import { loadPrinters } from '../../src/printing/registry.js';
import { openStore } from '../../src/store/store.js';
import { startZebraPrinter, type ZebraDouble } from '../doubles/zebra-printer.js';
import { soon, zplLabels } from '../helpers/queue.js';
import { tempDir } from '../helpers/temp.js';

/** A store that refuses to record how jobs end while `full` (the rest of its writes go through). */
class FullStore extends JobStore {
  full = false;
  refused = 0;
  private refuse(): void {
    if (!this.full) return;
    this.refused++;
    throw new Error('database or disk is full');
  }
  override finishAndClaim(...args: Parameters<JobStore['finishAndClaim']>): ReturnType<JobStore['finishAndClaim']> {
    this.refuse();
    return super.finishAndClaim(...args);
  }
  override transition(...args: Parameters<JobStore['transition']>): ReturnType<JobStore['transition']> {
    this.refuse();
    return super.transition(...args);
  }
}

let zebra: ZebraDouble;
let queue: PrintQueue | undefined;
afterEach(async () => {
  await queue?.stop(1000);
  await zebra?.close();
});

describe('a job whose end the store could not record', () => {
  it('needs a look once the store takes writes again, and the printer goes on with its next job', async () => {
    zebra = await startZebraPrinter();
    const store = openStore(join(tempDir(), 'unrecorded.db'));
    const jobs = new FullStore(store);
    const printers = await loadPrinters([{ id: 'z', name: 'Tag printer', driver: 'zpl', uri: zebra.uri, options: {} }], silentLogger());
    const config = { retryBaseMs: 500, retryMaxMs: 1000, duplicateWindowSec: 10, holdPollMs: 300, expireAfterMin: 60 };
    queue = new PrintQueue({ jobs, printers, events: new EventBus(), logger: silentLogger(), config });
    queue.start();

    jobs.full = true;
    const { job } = queue.submit({ printerId: 'z', requestedBy: 'test', kind: 'raw', document: zplLabels(3, 'first'), expiresAt: soon(60_000) });
    await expect.poll(() => jobs.refused, { timeout: 5000 }).toBeGreaterThanOrEqual(2); // its end, then its failure
    expect(zebra.labels()).toBe(3);
    expect(queue.get(job.id).state).toBe('printing');
    jobs.full = false;

    await expect.poll(() => queue!.get(job.id).state, { timeout: 5000 }).toBe('needs-attention');
    expect(queue.get(job.id).attention).toMatch(/^The station could not record how this job ended \(database or disk is full\)\. /);
    const next = queue.submit({ printerId: 'z', requestedBy: 'test', kind: 'raw', document: zplLabels(2, 'next'), expiresAt: soon(60_000) }).job;
    await expect.poll(() => queue!.get(next.id).state, { timeout: 5000 }).toBe('done');
    expect(zebra.printed.map((f) => /\^FD(\w+ \d) of/.exec(f)![1])).toEqual(['first 1', 'first 2', 'first 3', 'next 1', 'next 2']);
    await queue.stop(1000);
    queue = undefined;
    store.close();
  });
});
