// Long jobs are never held whole: their documents are written to the store a segment at a time as they are made, and
// read back the same way while they print. What the printer gets is still every label once, in order, byte for byte.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/store.js';
import { JobStore } from '../../src/queue/job-store.js';
import { SEGMENT_BYTES } from '../../src/printing/types.js';
import type { RunningStation } from '../../src/station.js';
import type { CachedWorkOrder } from '../../src/domain/work-order.js';
import { startIppPrinter, type IppPrinterDouble } from '../doubles/ipp-printer.js';
import { startZebraPrinter, type ZebraDouble } from '../doubles/zebra-printer.js';
import { decodeBarcodes, pdfText, pdfToPngs } from '../helpers/barcodes.js';
import { demoWorkOrders } from '../helpers/labels.js';
import { asToken, demoStation } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const segmentsOf = (store: Store, jobId: string) => (store.db.prepare('SELECT COUNT(*) AS n FROM job_segments WHERE job_id = ?').get(jobId) as { n: number }).n;

describe('a document written in segments', () => {
  const store = openStore(join(tempDir(), 'segments.db'));
  const jobs = new JobStore(store);
  afterAll(() => store.close());

  it('reads back any range as the bytes written, across segment ends', () => {
    const stage = jobs.documents.stage();
    const whole: Buffer[] = [];
    // Pieces of odd sizes, each in a buffer the writer reuses (the stage must keep copies).
    const scratch = Buffer.alloc(300_001);
    for (let i = 0; i < 12; i++) {
      const piece = scratch.subarray(0, 100_000 + i * 17_001);
      for (let b = 0; b < piece.length; b++) piece[b] = (b * 31 + i * 7) & 0xff;
      whole.push(Buffer.from(piece));
      stage.write(piece);
    }
    const expected = Buffer.concat(whole);
    const bytes = stage.finish();
    expect(bytes.length).toBe(expected.length);
    expect(segmentsOf(store, stage.jobId)).toBe(Math.floor(expected.length / SEGMENT_BYTES));
    for (const [a, b] of [[0, 10], [SEGMENT_BYTES - 5, SEGMENT_BYTES + 5], [12_345, expected.length], [0, expected.length], [expected.length - 1, expected.length + 10]] as const) {
      expect(Buffer.compare(Buffer.from(bytes.slice(a, b)), expected.subarray(a, b))).toBe(0);
    }
    // Read in order in small steps, as a driver does.
    const steps: Uint8Array[] = [];
    for (let at = 0; at < expected.length; at += 7_777) steps.push(bytes.slice(at, Math.min(expected.length, at + 7_777)));
    expect(Buffer.compare(Buffer.concat(steps), expected)).toBe(0);
  });

  it('leaves nothing behind when discarded, and its pieces go at start when the job was never made', () => {
    const dropped = jobs.documents.stage();
    dropped.write(Buffer.alloc(SEGMENT_BYTES + 1));
    expect(segmentsOf(store, dropped.jobId)).toBe(1);
    dropped.discard();
    expect(segmentsOf(store, dropped.jobId)).toBe(0);
    expect(() => dropped.write(Buffer.alloc(1))).toThrow(/discarded/);

    const orphan = jobs.documents.stage();
    orphan.write(Buffer.alloc(SEGMENT_BYTES * 2));
    orphan.finish();
    expect(segmentsOf(store, orphan.jobId)).toBe(2);
    expect(jobs.documents.sweep()).toBeGreaterThanOrEqual(2);
    expect(segmentsOf(store, orphan.jobId)).toBe(0);
  });
});

describe('a 3,000-tag job', () => {
  let zebra: ZebraDouble;
  let office: IppPrinterDouble;
  let station: RunningStation;
  let wo: CachedWorkOrder;
  let hot: string;
  let sheets: string;
  beforeAll(async () => {
    const dir = tempDir();
    wo = (await demoWorkOrders(dir)).find((w) => w.lines.some((l) => l.assembly))!;
    zebra = await startZebraPrinter();
    zebra.bufferCapacity = 5000;
    office = await startIppPrinter();
    hot = join(dir, 'hot');
    sheets = join(dir, 'sheets');
    station = await demoStation(dir, (c) => {
      c.auth.tokens = [{ name: 'office', token: 'office-token-0123456789', scopes: ['read', 'print'] }];
      c.printers = [
        { id: 'z', driver: 'zpl', uri: zebra.uri, dpmm: 8, options: { pollMs: 20, confirmEvery: 200, maxAhead: 1000 } },
        { id: 'hot', driver: 'folder', uri: `file://${hot}`, dpmm: 8, options: { formats: ['zpl'], create: true } },
        { id: 'sheets', driver: 'folder', uri: `file://${sheets}`, dpmm: 8, options: { formats: ['pdf'], create: true } },
        { id: 'office', driver: 'ipp', uri: office.uri, dpmm: 8, options: { pollMs: 100 } },
      ];
    });
    await station.sync.syncOnce();
  });
  afterAll(async () => {
    await station.stop();
    await zebra.close();
    await office.close();
  });

  async function tags(printer: string, quantity: number): Promise<string> {
    const office = asToken(station.app, 'office-token-0123456789');
    const line = wo.lines.find((l) => l.assembly)!;
    const res = await office('/api/v1/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'labels', printer, workOrder: wo.number, line: line.lineNumber, template: 'hose-tag', quantity, force: true }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  }

  const serialOf = (format: string) => /\^FD(BP[0-9A-Z]+)\|/.exec(format)?.[1];
  const whole = (id: string) => {
    const { bytes } = station.jobs.document(id);
    return Buffer.from(bytes.slice(0, bytes.length));
  };

  it('is stored in segments and reaches a Zebra whole: every tag once, in order, byte for byte', async () => {
    const id = await tags('z', 3000);
    await station.queue.runUntilIdle(60_000);
    const job = station.queue.get(id);
    expect(job.state).toBe('done');
    expect(job.partsConfirmed).toBe(3000);
    expect(segmentsOf(station.store, id)).toBeGreaterThanOrEqual(2);
    expect(job.bytesTotal).toBeGreaterThan(SEGMENT_BYTES);
    await expect.poll(() => zebra.labels()).toBe(3000);
    expect(zebra.printed.map(serialOf)).toEqual(job.serials);
    expect(Buffer.compare(Buffer.concat(zebra.jobs), whole(id))).toBe(0);

    // The rest after tag 1,600 again (a resume): a long range is copied into a new document a segment at a time.
    const again = await station.queue.reprint(id, 1600, undefined, 'test');
    expect(segmentsOf(station.store, again.id)).toBeGreaterThanOrEqual(2);
    await station.queue.runUntilIdle(60_000);
    expect(station.queue.get(again.id).state).toBe('done');
    await expect.poll(() => zebra.labels()).toBe(3000 + 1401);
    expect(zebra.printed.slice(3000).map(serialOf)).toEqual(job.serials.slice(1599));
  }, 90_000);

  it('goes into a hot folder as one file, the same bytes', async () => {
    const id = await tags('hot', 3000);
    await station.queue.runUntilIdle(60_000);
    expect(station.queue.get(id).state).toBe('done');
    const files = readdirSync(hot).filter((f) => !f.startsWith('.'));
    expect(files).toHaveLength(1);
    expect(Buffer.compare(readFileSync(join(hot, files[0]!)), whole(id))).toBe(0);
  }, 60_000);

  it('as PDF comes from its drawing thread in pieces into the store, and is one whole PDF: every tag, in order', async () => {
    const id = await tags('sheets', 3000);
    await station.queue.runUntilIdle(60_000);
    const job = station.queue.get(id);
    expect(job.state).toBe('done');
    expect(segmentsOf(station.store, id)).toBeGreaterThanOrEqual(2);
    const files = readdirSync(sheets).filter((f) => !f.startsWith('.'));
    expect(files).toHaveLength(1);
    const pdf = readFileSync(join(sheets, files[0]!));
    expect(Buffer.compare(pdf, whole(id))).toBe(0);
    // poppler reads it without a complaint, page by page: each page is its tag.
    const info = spawnSync('pdfinfo', ['-'], { input: pdf });
    expect(info.stderr.toString()).toBe('');
    expect(/Pages:\s+(\d+)/.exec(info.stdout.toString())?.[1]).toBe('3000');
    const pages = pdfText(pdf).split('\f').slice(0, 3000);
    expect(pages.map((text, i) => text.includes(job.serials[i]!) && text.includes(`${i + 1} of 3000`))).toEqual(pages.map(() => true));
    const last = await decodeBarcodes(pdfToPngs(pdf, 300, { first: 3000, last: 3000 })[0]!);
    expect(last.map((b) => b.text)).toContain(job.serials[2999]);
  }, 90_000);

  it('as PDF reaches an IPP printer whole, sent a segment at a time', async () => {
    const id = await tags('office', 3000);
    await station.queue.runUntilIdle(60_000);
    expect(station.queue.get(id)).toMatchObject({ state: 'done', partsConfirmed: 1 });
    expect(segmentsOf(station.store, id)).toBeGreaterThanOrEqual(2);
    await expect.poll(() => office.jobFiles().length).toBe(1);
    expect(Buffer.compare(office.jobFiles()[0]!, whole(id))).toBe(0);
  }, 60_000);

  it('that cannot be drawn to the end leaves nothing in the store, though its first segments were written', async () => {
    const segments = station.store.db.prepare('SELECT COUNT(*) AS n FROM job_segments');
    const count = () => (segments.get() as { n: number }).n;
    const before = count();
    const labels = Array.from({ length: 3000 }, (_, i) => ({ serial: `BP${String(i).padStart(9, '0')}`, of: `${i + 1} of 3000` }));
    // The last tag's Data Matrix cannot hold its serial: the document fails there, after megabytes were staged.
    labels[2999] = { serial: 'X'.repeat(4000), of: '3000 of 3000' };
    const office = asToken(station.app, 'office-token-0123456789');
    let staged = 0;
    const watch = setInterval(() => (staged = Math.max(staged, count() - before)), 1);
    const res = await office('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'template', printer: 'z', template: 'hose-tag', labels }) });
    clearInterval(watch);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(staged).toBeGreaterThan(0);
    expect(count()).toBe(before);
  }, 60_000);

  it('made for a printer that refuses it leaves nothing in the store', async () => {
    const before = (station.store.db.prepare('SELECT COUNT(*) AS n FROM job_segments').get() as { n: number }).n;
    await station.printerAdmin.setEnabled('hot', false, 'test', 'test');
    try {
      const office = asToken(station.app, 'office-token-0123456789');
      const line = wo.lines.find((l) => l.assembly)!;
      const res = await office('/api/v1/jobs', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'labels', printer: 'hot', workOrder: wo.number, line: line.lineNumber, template: 'hose-tag', quantity: 3000, force: true }),
      });
      expect(res.status).toBe(409);
    } finally {
      await station.printerAdmin.setEnabled('hot', true, undefined, 'test');
    }
    expect((station.store.db.prepare('SELECT COUNT(*) AS n FROM job_segments').get() as { n: number }).n).toBe(before);
  }, 60_000);
});
