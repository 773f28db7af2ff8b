// Print requests that arrive together are queued in one commit (a commit writes each index page it touched once), and
// each is answered as it would be alone: one refused is refused alone, and a commit that fails queues none of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewJob } from '../../src/queue/job-store.js';
import type { RunningStation } from '../../src/station.js';
import { startTcpPrinter, type TcpPrinterDouble } from '../doubles/tcp-printer.js';
import { soon, zplLabels } from '../helpers/queue.js';
import { asKiosk, demoStation } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

let station: RunningStation;
let printer: TcpPrinterDouble;
let kiosk: Awaited<ReturnType<typeof asKiosk>>;
/** The size of each group of jobs the store was given to insert in one commit. */
const groups: number[] = [];

beforeAll(async () => {
  printer = await startTcpPrinter('zpl');
  station = await demoStation(tempDir(), (c) => {
    c.printers = [{ id: 'a', driver: 'zpl', uri: printer.uri, dpmm: 8, options: {} }];
  });
  await station.sync.syncOnce();
  kiosk = await asKiosk(station.app);
  const insertTogether = station.jobs.insertTogether.bind(station.jobs);
  station.jobs.insertTogether = (jobs, now) => {
    groups.push(jobs.length);
    return insertTogether(jobs, now);
  };
});
afterAll(async () => {
  await station.stop();
  await printer.close();
});

const raw = (tag: string, printerId = 'a'): NewJob => ({ printerId, requestedBy: 'test', kind: 'raw', document: zplLabels(1, tag), expiresAt: soon(60_000) });
const segments = (jobId: string) => (station.store.db.prepare('SELECT count(*) AS n FROM job_segments WHERE job_id = ?').get(jobId) as { n: number }).n;
/** A job's document written as it was made (as a long job's is), under the id the job will take. */
const staged = (tag: string): NewJob & { jobId: string } => {
  const stage = station.jobs.documents.stage();
  stage.write(zplLabels(1, tag).bytes);
  return { ...raw(tag), document: { ...zplLabels(1, tag), bytes: stage.finish() }, jobId: stage.jobId };
};

describe('print requests that arrive together', () => {
  it('are queued in fewer commits than requests, each answered with its own job, and every label prints once', async () => {
    groups.length = 0;
    const before = printer.labels();
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        kiosk('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'template', printer: 'a', template: 'work-order-label', labels: [{ workOrder: { number: `TOGETHER-${i}` } }] }) }),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(12).fill(201));
    const jobs = (await Promise.all(answers.map((r) => r.json()))) as Array<{ id: string }>;
    expect(new Set(jobs.map((j) => j.id)).size).toBe(12);
    // Fewer commits than requests: without the grouping there is one each.
    expect(groups.reduce((a, b) => a + b, 0)).toBe(12);
    expect(groups.length).toBeLessThan(12);
    await station.queue.runUntilIdle();
    expect(printer.labels() - before).toBe(12);
    const texts = printer.received().toString('latin1');
    // Each label carries its work order number in several fields: as often for every one of them, none twice.
    const counts = Array.from({ length: 12 }, (_, i) => texts.split(`TOGETHER-${i}^FS`).length - 1);
    expect(counts[0]).toBeGreaterThan(0);
    expect(new Set(counts).size).toBe(1);
    for (const j of jobs) expect(station.jobs.get(j.id)?.state).toBe('done');
  });

  it('refuse one alone: the printer cannot take it, or the store refuses its row', async () => {
    groups.length = 0;
    const keyed = { ...raw('first'), idempotencyKey: 'together-key' };
    const first = await station.queue.submitSoon(keyed);
    // A row the store refuses (a constraint fails), its document written as a long job's is.
    const clash = { ...staged('clash'), requestedBy: null as unknown as string };
    const [ok, unknownPrinter, refused, again, last] = await Promise.allSettled([
      station.queue.submitSoon(raw('ok')),
      station.queue.submitSoon(raw('nowhere', 'missing')),
      station.queue.submitSoon(clash),
      station.queue.submitSoon({ ...raw('again'), idempotencyKey: 'together-key' }),
      station.queue.submitSoon(raw('last')),
    ]);
    expect(groups).toEqual([1, 4]);
    expect(ok.status).toBe('fulfilled');
    expect(last.status).toBe('fulfilled');
    expect(unknownPrinter.status).toBe('rejected');
    expect(String((unknownPrinter as PromiseRejectedResult).reason)).toMatch(/missing/);
    expect(refused.status).toBe('rejected');
    expect(String((refused as PromiseRejectedResult).reason)).toMatch(/NOT NULL constraint failed: jobs.requested_by/);
    expect(again).toMatchObject({ status: 'fulfilled', value: { created: false, job: { id: first.job.id } } });
    const made = [ok, last].map((r) => (r as PromiseFulfilledResult<{ job: { id: string; seq: number } }>).value.job);
    expect(made[1]!.seq).toBeGreaterThan(made[0]!.seq);
    await station.queue.runUntilIdle();
    for (const j of made) expect(station.jobs.get(j.id)?.state).toBe('done');
    expect(segments(clash.jobId)).toBe(0);
  });

  it('queue none when the commit fails, and the documents written for them go', async () => {
    const a = staged('lost-a');
    const b = staged('lost-b');
    const insertTogether = station.jobs.insertTogether;
    station.jobs.insertTogether = () => {
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    };
    try {
      const outcome = await Promise.allSettled([station.queue.submitSoon(a), station.queue.submitSoon(b)]);
      expect(outcome.map((o) => o.status)).toEqual(['rejected', 'rejected']);
      expect(String((outcome[0] as PromiseRejectedResult).reason)).toMatch(/disk is full/);
    } finally {
      station.jobs.insertTogether = insertTogether;
    }
    expect(station.jobs.get(a.jobId)).toBeUndefined();
    expect(segments(a.jobId)).toBe(0);
    expect(segments(b.jobId)).toBe(0);
  });
});

