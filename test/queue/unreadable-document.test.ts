// A job whose stored document the store cannot give back (a segment lost: a damaged or half-copied store). One bad
// record stops nothing else: that job fails or needs attention saying so, never stays "printing", and the jobs it was
// taken with print; labels the store could not read are never counted as possibly printed.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events.js';
import { silentLogger } from '../../src/logger.js';
import { Deliveries } from '../../src/queue/delivery.js';
import { JobStore } from '../../src/queue/job-store.js';
import { loadPrinters } from '../../src/printing/registry.js';
import { PartialPrintError, type PrintDocument } from '../../src/printing/types.js';
import { openStore, type Store } from '../../src/store/store.js';
import { startZebraPrinter, type ZebraDouble } from '../doubles/zebra-printer.js';
import { soon, zplLabels } from '../helpers/queue.js';
import { tempDir } from '../helpers/temp.js';

let zebra: ZebraDouble;
let store: Store | undefined;
afterEach(async () => {
  store?.close();
  store = undefined;
  await zebra?.close();
});

async function setup(joinJobs = 6) {
  zebra = await startZebraPrinter();
  store = openStore(join(tempDir(), 'unreadable.db'));
  const jobs = new JobStore(store);
  const printers = await loadPrinters([{ id: 'z', driver: 'zpl', uri: zebra.uri, options: { statusTimeoutMs: 500, writeTimeoutMs: 3000, confirmEvery: 2, joinJobs } }], silentLogger());
  const config = { retryBaseMs: 1000, retryMaxMs: 2000, duplicateWindowSec: 10, holdPollMs: 300, expireAfterMin: 60 };
  const deliveries = new Deliveries({ jobs, printers, events: new EventBus(), logger: silentLogger(), config, changed: () => undefined });
  const lose = (jobId: string, segment?: number) =>
    segment === undefined ? store!.db.prepare('DELETE FROM job_segments WHERE job_id = ?').run(jobId) : store!.db.prepare('DELETE FROM job_segments WHERE job_id = ? AND seq = ?').run(jobId, segment);
  return { jobs, printers, deliveries, lose };
}

const tags = () => zebra.printed.map((f) => /\^FD(\w+) \d+ of/.exec(f)![1]);

describe('a job whose document the store lost', () => {
  it('fails alone when it was taken with others; the others print in their order', async () => {
    const { jobs, deliveries, lose } = await setup();
    const ids = Array.from({ length: 5 }, (_, i) => jobs.insert({ printerId: 'z', requestedBy: 'test', kind: 'raw', document: zplLabels(1, `tag${i + 1}`), expiresAt: soon(60_000) }).job.id);
    lose(ids[2]!);
    const batch = jobs.claimJoined('z', soon(60_000), 6);
    expect(batch).toHaveLength(5);
    expect(await deliveries.print(batch, new AbortController().signal)).toEqual([]);
    expect(ids.map((id) => jobs.get(id)!.state)).toEqual(['done', 'done', 'failed', 'done', 'done']);
    const lost = jobs.get(ids[2]!)!;
    expect(lost.errorCode).toBe('DOCUMENT_UNREADABLE');
    expect(lost.error).toMatch(/The station's store has lost part of this job's document \(none of it is in the store\)/);
    expect(lost.partsSent).toBe(0);
    expect(tags()).toEqual(['tag1', 'tag2', 'tag4', 'tag5']);
  });

  it('fails, nothing sent, instead of staying "printing" when it goes alone', async () => {
    const { jobs, deliveries, lose } = await setup();
    const id = jobs.insert({ printerId: 'z', requestedBy: 'test', kind: 'raw', document: zplLabels(3, 'tag'), expiresAt: soon(60_000) }).job.id;
    lose(id);
    const batch = jobs.claimJoined('z', soon(60_000), 6);
    expect(await deliveries.print(batch, new AbortController().signal)).toEqual([]);
    expect(jobs.get(id)!.state).toBe('failed');
    expect(jobs.get(id)!.errorCode).toBe('DOCUMENT_UNREADABLE');
    expect(zebra.labels() + zebra.buffered()).toBe(0);
  });

  it('fails before anything is sent when a segment in the middle or at the end is lost (no label shifted)', async () => {
    const { jobs, deliveries, lose } = await setup();
    // Twelve labels of ~250 KB each: a document of several 1 MB segments.
    const big = () => {
      const stage = jobs.documents.stage();
      const ends: number[] = [];
      let length = 0;
      for (let i = 1; i <= 12; i++) {
        const label = Buffer.from(`^XA^FX${'x'.repeat(250_000)}^FS^FO20,20^A0N,30,30^FDbig ${i} of 12^FS^XZ\n`);
        stage.write(label);
        ends.push((length += label.length));
      }
      return jobs.insert({ printerId: 'z', requestedBy: 'test', kind: 'raw', document: { format: 'zpl', bytes: stage.finish(), meta: { name: 'big.zpl', contentType: 'application/vnd.zebra.zpl', partEnds: ends } }, expiresAt: soon(60_000) }).job.id;
    };
    const middle = big();
    const end = big();
    const segments = (id: string) => (store!.db.prepare('SELECT COUNT(*) AS n FROM job_segments WHERE job_id = ?').get(id) as { n: number }).n;
    expect(segments(middle)).toBeGreaterThanOrEqual(3);
    lose(middle, 1);
    lose(end, segments(end) - 1);
    // Each goes alone (not one-label jobs); before, the rest of a document with a segment lost in the middle was read
    // from the wrong place and sent as labels.
    for (const id of [middle, end]) {
      const batch = jobs.claimJoined('z', soon(60_000), 6);
      expect(batch.map((j) => j.id)).toEqual([id]);
      expect(await deliveries.print(batch, new AbortController().signal)).toEqual([]);
      expect(jobs.get(id)!.state).toBe('failed');
      expect(jobs.get(id)!.partsSent).toBe(0);
    }
    expect(jobs.get(middle)!.error).toMatch(/lost part of this job's document \(segment 2 is missing\)/);
    expect(jobs.get(end)!.error).toMatch(/lost part of this job's document \(its end is missing: \d+ of \d+ bytes are there\)/);
    expect(zebra.labels() + zebra.buffered()).toBe(0);
  });

  it('fails, nothing sent, when where its labels end does not fit its bytes', async () => {
    const { jobs, deliveries } = await setup();
    const id = jobs.insert({ printerId: 'z', requestedBy: 'test', kind: 'raw', document: zplLabels(3, 'tag'), expiresAt: soon(60_000) }).job.id;
    // The last label said to end past the document: it would have gone out short and been counted confirmed.
    store!.db.prepare("UPDATE jobs SET part_ends = json_set(part_ends, '$[2]', bytes_total + 100) WHERE id = ?").run(id);
    const batch = jobs.claimJoined('z', soon(60_000), 6);
    expect(await deliveries.print(batch, new AbortController().signal)).toEqual([]);
    expect(jobs.get(id)!.state).toBe('failed');
    expect(jobs.get(id)!.error).toMatch(/lost part of this job's document \(where its labels end does not fit its bytes\)/);
    expect(zebra.labels() + zebra.buffered()).toBe(0);
  });

  it('needs attention with the labels the printer confirmed when the store fails to read the rest, none in doubt', async () => {
    const { jobs, deliveries } = await setup();
    const id = jobs.insert({ printerId: 'z', requestedBy: 'test', kind: 'raw', document: zplLabels(4, 'tag'), expiresAt: soon(60_000) }).job.id;
    // The disk fails to give back what follows label 2 while the job prints.
    const stored = jobs.document.bind(jobs);
    const failAt = zplLabels(4, 'tag').meta.partEnds![1]! + 1;
    jobs.document = (jobId: string) => {
      const d = stored(jobId);
      return { ...d, bytes: { length: d.bytes.length, slice: (a: number, b: number) => (b > failAt ? fail() : d.bytes.slice(a, b)) } };
    };
    const fail = (): never => {
      throw new Error('disk I/O error');
    };
    const batch = jobs.claimJoined('z', soon(60_000), 6);
    expect(await deliveries.print(batch, new AbortController().signal)).toEqual([]);
    const job = jobs.get(id)!;
    expect(job.state).toBe('needs-attention');
    expect({ sent: job.partsSent, confirmed: job.partsConfirmed }).toEqual({ sent: 2, confirmed: 2 });
    expect(zebra.printed).toHaveLength(2);
    expect(job.attention).toContain('disk I/O error');
    expect(job.attention).toContain('Labels 1 to 2 were confirmed by the printer. Labels 3 to 4 were not received. Resume from label 3.');
    expect(job.attention).not.toMatch(/may have printed|connection failed/);
  });
});

describe('the ZPL driver reading a document it cannot read', () => {
  /** A 4-label document whose bytes from `failAt` on cannot be read. */
  const failing = (failAt: number): PrintDocument => {
    const doc = zplLabels(4, 'tag');
    const whole = doc.bytes as Buffer;
    return {
      ...doc,
      bytes: {
        length: whole.length,
        slice: (start: number, end: number) => {
          if (end > failAt) throw new Error('disk I/O error');
          return whole.subarray(start, end);
        },
      },
    };
  };

  it('gives the store error as it is when nothing was sent yet', async () => {
    const { printers } = await setup();
    await expect(printers.print('z', failing(1), { signal: new AbortController().signal })).rejects.toThrow(/^disk I\/O error$/);
    expect(zebra.labels() + zebra.buffered()).toBe(0);
  });

  it('after some labels: they are what the printer has, confirmed, and nothing is in doubt', async () => {
    const { printers } = await setup();
    const doc = failing(((zplLabels(4, 'tag').meta.partEnds ?? [])[1] ?? 0) + 1);
    const err = await printers.print('z', doc, { signal: new AbortController().signal }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PartialPrintError);
    expect((err as PartialPrintError).evidence).toMatchObject({ partsSent: 2, partsConfirmed: 2 });
    expect((err as PartialPrintError).message).toMatch(/disk I\/O error/);
    expect(tags()).toEqual(['tag', 'tag']);
  });
});
