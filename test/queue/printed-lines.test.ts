// What a work order's lines have had as tags, read from the jobs: the kiosk's line strips, its question before a line's
// tags go again, and the list's badge. Counted by how far each job came; reprints (the same serials again) and jobs that
// printed nothing are not a line's tags.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JobStore, type JobState } from '../../src/queue/job-store.js';
import { unprintedOf } from '../../src/queue/printed-lines.js';
import { openStore } from '../../src/store/store.js';
import { soon, zplLabels } from '../helpers/queue.js';
import { tempDir } from '../helpers/temp.js';

const store = openStore(join(tempDir(), 'printed-lines.db'));
const jobs = new JobStore(store);
afterAll(() => store.close());

let serial = 0;
const tags = (wo: string, line: number, count: number, o: { reprintOf?: string; printer?: string } = {}) =>
  jobs.insert({
    printerId: o.printer ?? 'tags',
    requestedBy: 'test',
    kind: 'labels',
    workOrder: { id: `id-${wo}`, number: wo },
    lineNumber: line,
    document: zplLabels(count, `${wo}/${line}`),
    serials: Array.from({ length: count }, () => `BP26${String(++serial).padStart(7, '0')}`),
    ...(o.reprintOf ? { reprintOf: o.reprintOf, isReprint: true } : {}),
    expiresAt: soon(60_000),
  }).job;
/** As the queue moves a job: taken for printing first, unless it ends while waiting (cancelled, expired). */
const move = (id: string, to: JobState, fields: { partsSent?: number; partsConfirmed?: number; partsPrinted?: number } = {}) => {
  if (jobs.get(id)!.state === 'queued' && to !== 'cancelled' && to !== 'expired') jobs.transition(id, ['queued'], 'printing');
  expect(jobs.transition(id, [jobs.get(id)!.state], to, fields)).toBe(true);
};

describe('the tags of a work order\'s lines', () => {
  it('counts each line by how far its jobs came, the newest job last', () => {
    const a = tags('WO-1', 10, 8);
    move(a.id, 'done');
    const reprint = tags('WO-1', 10, 1, { reprintOf: a.id });
    move(reprint.id, 'done');
    // Line 20: one job printed, a second waiting on another printer.
    const b = tags('WO-1', 20, 4);
    move(b.id, 'done');
    tags('WO-1', 20, 2, { printer: 'labels' });
    // Line 30: cut off halfway, then resumed by the operator (the original is closed as failed, after bytes left).
    const c = tags('WO-1', 30, 30);
    move(c.id, 'needs-attention', { partsSent: 15 });
    const d = tags('WO-1', 40, 5);
    move(d.id, 'needs-attention', { partsSent: 5 });
    // Nothing came of these: refused before any byte left, cancelled, expired waiting.
    const e = tags('WO-1', 50, 3);
    move(e.id, 'failed');
    const f = tags('WO-1', 60, 3);
    move(f.id, 'cancelled');
    const g = tags('WO-1', 60, 3);
    move(g.id, 'expired');
    tags('WO-2', 10, 6);

    const lines = jobs.printedLines.forWorkOrder('WO-1');
    expect([...lines.keys()].sort()).toEqual([10, 20, 30, 40]);
    expect(lines.get(10)).toMatchObject({ printed: 8, underWay: 0, inDoubt: 0, jobs: 1, last: { printerId: 'tags', state: 'done' } });
    expect(lines.get(20)).toMatchObject({ printed: 4, underWay: 2, inDoubt: 0, jobs: 2, last: { printerId: 'labels', state: 'queued' } });
    expect(lines.get(30)).toMatchObject({ printed: 0, inDoubt: 30, jobs: 1 });
    expect(lines.get(40)).toMatchObject({ inDoubt: 5 });

    // The operator answers line 30: it resumes from 16, the original is closed (failed after bytes left): printed.
    move(c.id, 'failed');
    expect(jobs.printedLines.forWorkOrder('WO-1').get(30)).toMatchObject({ printed: 30, inDoubt: 0, jobs: 1, last: { state: 'failed' } });

    expect(jobs.printedLines.taggedLines(['WO-1', 'WO-2', 'WO-3'])).toEqual(new Map([['WO-1', new Set([10, 20, 30, 40])], ['WO-2', new Set([10])]]));
  });

  it('counts tags a Zebra confirmed and holds, out of labels, as in the printer until it says they came out', () => {
    const j = tags('WO-7', 10, 6);
    move(j.id, 'done', { partsSent: 6, partsConfirmed: 6, partsPrinted: 2 });
    expect(jobs.printedLines.forWorkOrder('WO-7').get(10)).toMatchObject({ printed: 2, inPrinter: 4, underWay: 0, inDoubt: 0 });
    jobs.setPrinted([{ id: j.id, printed: 6 }]);
    expect(jobs.printedLines.forWorkOrder('WO-7').get(10)).toMatchObject({ printed: 6, inPrinter: 0 });
    // Once nothing follows them (a job finished over a day ago, left by a station before this one), done is printed.
    expect(unprintedOf({ partsConfirmed: 6, partsPrinted: 2, finishedAt: new Date(Date.now() - 25 * 3600_000).toISOString() })).toBe(0);
    expect(unprintedOf({ partsConfirmed: 6, partsPrinted: 2, finishedAt: new Date(Date.now() - 23 * 3600_000).toISOString() })).toBe(4);
    // A printer that does not say what came out (a hot folder, a PDF on the office laser): done is printed.
    const k = tags('WO-7', 20, 3);
    move(k.id, 'done', { partsSent: 3, partsConfirmed: 3 });
    expect(jobs.printedLines.forWorkOrder('WO-7').get(20)).toMatchObject({ printed: 3, inPrinter: 0 });
  });

  it('keeps what a line\'s tags were made from, and reads it from the label data of jobs made before it was kept', () => {
    const line = { assembly: { partNumber: 'HA-1', cutLength: { value: 1712, unit: 'mm' } } };
    const base = { printerId: 'tags', requestedBy: 'test', kind: 'labels' as const, workOrder: { id: 'id-WO-5', number: 'WO-5' }, lineNumber: 10, document: zplLabels(2, 'w'), expiresAt: soon(60_000) };
    const now = jobs.insert({ ...base, printedWith: { line, po: 'PO-1' }, labelData: [{ line: { assembly: { partNumber: 'not read' } } }] }).job;
    const older = jobs.insert({ ...base, labelData: [{ line, po: 'PO-0', serial: 'a' }, { line, po: 'PO-0', serial: 'b' }] }).job;
    expect(jobs.printedLines.printedWith(now.id)).toEqual({ line, po: 'PO-1' });
    expect(jobs.printedLines.printedWith(older.id)).toMatchObject({ line, po: 'PO-0', serial: 'a' });
    expect(jobs.printedLines.printedWith('no-such-job')).toBeUndefined();
  });

  it('counts a PDF job of many tags by its serials, not its one document part', () => {
    const pdf = jobs.insert({
      printerId: 'labels',
      requestedBy: 'test',
      kind: 'labels',
      workOrder: { id: 'id-WO-9', number: 'WO-9' },
      lineNumber: 10,
      document: { format: 'pdf', bytes: Buffer.from('%PDF-1.7 …'), meta: { name: 'tags.pdf', contentType: 'application/pdf' } },
      serials: ['BP269000001', 'BP269000002', 'BP269000003'],
      expiresAt: soon(60_000),
    }).job;
    move(pdf.id, 'done');
    expect(jobs.printedLines.forWorkOrder('WO-9').get(10)).toMatchObject({ printed: 3, jobs: 1 });
  });
});
