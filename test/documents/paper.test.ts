// Datasheets are pages of paper: each goes to a printer whose paper takes it, never onto a label printer's 4x6 in
// stock, and a page larger than a printer's stock is refused before anything is queued.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PageSizes, PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfPageSize } from '../../src/documents/pdf-page.js';
import { pageFits } from '../../src/labels/fit.js';
import { pwgMediaSize, readyMedia } from '../../src/printing/media.js';
import { simplePdf } from '../../src/sandbox/files.js';
import type { RunningStation } from '../../src/station.js';
import { pdfInfo, pdfText } from '../helpers/barcodes.js';
import { documentService } from '../helpers/documents.js';
import { demoWorkOrders } from '../helpers/labels.js';
import { startIppPrinter, type IppPrinterDouble } from '../doubles/ipp-printer.js';
import { asKiosk, demoStation } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const A4 = { widthMm: 210, heightMm: 297 };
const LETTER = { widthMm: 215.9, heightMm: 279.4 };
const FOUR_BY_SIX = { widthMm: 101.6, heightMm: 152.4 };

describe('the page a PDF states', () => {
  it('is read from the clear text or from compressed object streams, as poppler reads it', async () => {
    const wo = (await demoWorkOrders(tempDir()))[0]!;
    const ours = (await documentService().produce({ workOrder: wo, kind: 'datasheet' })).document;
    const [w, h] = pdfInfo(ours.bytes).pageSizePt;
    expect(pdfPageSize(ours.bytes)).toEqual({ widthMm: Math.round(((w * 25.4) / 72) * 10) / 10, heightMm: Math.round(((h * 25.4) / 72) * 10) / 10 });
    expect(ours.meta.pageMm).toEqual(A4);
    const letter = await PDFDocument.create();
    letter.addPage(PageSizes.Letter);
    const packed = await letter.save(); // PDF 1.5 object streams: the page dictionary is compressed
    expect(Buffer.from(packed).includes('/MediaBox')).toBe(false);
    expect(pdfPageSize(packed)).toEqual(LETTER);
    expect(pdfPageSize(await letter.save({ useObjectStreams: false }))).toEqual(LETTER);
    expect(pdfPageSize(simplePdf(['x'], 288, 432))).toEqual(FOUR_BY_SIX);
    expect(pdfPageSize(Buffer.from('%PDF-1.4\n/MediaBox [0 0 oops] garbage'))).toBeUndefined();
    expect(pdfPageSize(Buffer.from('not a pdf'))).toBeUndefined();
  });

  it('reads the media an IPP printer lists by their PWG names', () => {
    expect(pwgMediaSize('iso_a4_210x297mm')).toEqual(A4);
    expect(pwgMediaSize('na_letter_8.5x11in')).toEqual(LETTER);
    expect(pwgMediaSize('oe_4x6-label_4x6in')).toEqual(FOUR_BY_SIX);
    expect(pwgMediaSize('custom_w76h25_76x25mm')).toEqual({ widthMm: 76, heightMm: 25 });
    expect(pwgMediaSize('roll_current')).toBeUndefined();
    expect(readyMedia(['na_letter_8.5x11in', 'na_letter_8.5x11in', 'tray-1', 7])).toEqual([LETTER]);
    expect(readyMedia('iso_a4_210x297mm')).toEqual([A4]);
    expect(readyMedia(undefined)).toEqual([]);
  });

  it('fits paper it prints on at 90% or more, either way round', () => {
    const loaded = (...sizes: Array<typeof A4>) => ({ sizes, from: 'config' as const });
    expect(pageFits(A4, loaded(FOUR_BY_SIX))).toBe(false); // 48%
    expect(pageFits(LETTER, loaded(A4))).toBe(true); // 97%
    expect(pageFits(A4, loaded(LETTER))).toBe(true); // 94%
    expect(pageFits({ widthMm: 297, heightMm: 210 }, loaded(A4))).toBe(true); // landscape, turned
    expect(pageFits({ widthMm: 297, heightMm: 420 }, loaded(A4))).toBe(false); // A3: 71%
    expect(pageFits(FOUR_BY_SIX, loaded(A4))).toBe(true);
    expect(pageFits(A4, loaded(FOUR_BY_SIX, LETTER))).toBe(true); // one of its trays takes it
    expect(pageFits(A4, undefined)).toBe(true); // stock not known: it may
  });
});

describe('datasheets and the paper in each printer (demo bench)', () => {
  const dir = tempDir();
  let station: RunningStation;
  let kiosk: Awaited<ReturnType<typeof asKiosk>>;
  beforeAll(async () => {
    station = await demoStation(dir);
    await station.sync.syncOnce();
    kiosk = await asKiosk(station.app);
  });
  afterAll(async () => station?.stop());
  const post = (body: object) => kiosk('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('refuses an A4 datasheet, or GoldLeaf\'s Letter one, for the 4x6 label printer before anything is queued, naming both sizes', async () => {
    const before = station.jobs.list({ limit: 100 }).length;
    const res = await post({ kind: 'document', printer: 'labels', workOrder: 'WO-24005', document: 'datasheet' });
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('DOCUMENT_DOES_NOT_FIT');
    expect(error.message).toContain('"Datasheet WO-24005" is a page of 210 × 297 mm; Label printer (virtual, PDF) has 101.6 × 152.4 mm stock loaded.');
    expect(error.message).toMatch(/Send it to a printer with paper of that size \(an office printer\)/);
    const line = await post({ kind: 'document', printer: 'labels', workOrder: 'WO-24005', document: 'assembly-datasheet', line: 10 });
    expect(line.status).toBe(422);
    const theirs = await post({ kind: 'document', printer: 'labels', workOrder: 'WO-24005', document: 'datasheet', source: 'goldleaf' });
    expect(theirs.status).toBe(422);
    expect(((await theirs.json()) as { error: { message: string } }).error.message).toContain('is a page of 215.9 × 279.4 mm');
    expect(station.jobs.list({ limit: 100 })).toHaveLength(before);
    expect(existsSync(join(dir, 'virtual-printers', 'labels'))).toBe(false); // made at its first file
  });

  it("prints it on the office printer's A4 paper, and GoldLeaf's labels in the size of the label printer's stock", async () => {
    const res = await post({ kind: 'document', printer: 'office', workOrder: 'WO-24005', document: 'datasheet' });
    expect(res.status).toBe(201);
    await station.queue.runUntilIdle();
    const folder = join(dir, 'virtual-printers', 'office');
    const [file] = readdirSync(folder);
    const pdf = readFileSync(join(folder, file!));
    expect(pdfInfo(pdf).pageSizePt.map(Math.round)).toEqual([595, 842]);
    expect(pdfText(pdf)).toContain('WO-24005');
    const labelsFolder = join(dir, 'virtual-printers', 'labels');
    const goldleafLabels = async (body: object) => {
      const before = existsSync(labelsFolder) ? readdirSync(labelsFolder) : [];
      const res = await post({ kind: 'document', printer: 'labels', workOrder: 'WO-24005', document: 'goldleaf-labels', line: 10, ...body });
      expect(res.status).toBe(201);
      await station.queue.runUntilIdle();
      const fresh = readdirSync(labelsFolder).filter((f) => !before.includes(f));
      return pdfInfo(readFileSync(join(labelsFolder, fresh[0]!))).pageSizePt;
    };
    expect(await goldleafLabels({})).toEqual([288, 432]); // 4x6 in, the stock's own size
    expect(await goldleafLabels({ labelSize: '2x3' })).toEqual([216, 144]); // asked for
  });

  it('keeps a waiting datasheet off the label printer when moved, and a reprint of it keeps its page', async () => {
    station.queue.pause('office');
    const res = await post({ kind: 'document', printer: 'office', workOrder: 'WO-24003', document: 'datasheet' });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(station.jobs.documentFacts(id)).toEqual({ kind: 'datasheet', pageMm: { widthMm: 210, heightMm: 297 } });
    const move = (to: string) => kiosk('/api/v1/jobs/move', { method: 'POST', headers: { 'x-admin-pin': '0000', 'content-type': 'application/json' }, body: JSON.stringify({ jobs: [id], to }) });
    const refused = await move('labels');
    expect(refused.status).toBe(422);
    const { error } = (await refused.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('DOCUMENT_DOES_NOT_FIT');
    expect(error.message).toContain('"Datasheet WO-24003" is a page of 210 × 297 mm; Label printer (virtual, PDF) has 101.6 × 152.4 mm stock loaded.');
    expect(station.jobs.get(id)).toMatchObject({ state: 'queued', printerId: 'office' });
    station.queue.resume('office');
    await station.queue.runUntilIdle();
    expect(station.jobs.get(id)?.state).toBe('done');
    // Printed again, it is the same datasheet on the same paper: a move of the reprint is checked as the first was.
    station.queue.pause('office');
    const again = await station.queue.reprint(id, 1, 1, 'test');
    expect(station.jobs.documentFacts(again.id)).toEqual({ kind: 'datasheet', pageMm: { widthMm: 210, heightMm: 297 } });
    expect((await kiosk('/api/v1/jobs/move', { method: 'POST', headers: { 'x-admin-pin': '0000', 'content-type': 'application/json' }, body: JSON.stringify({ jobs: [again.id], to: 'labels' }) })).status).toBe(422);
    station.queue.resume('office');
    await station.queue.runUntilIdle();
  });

  it('gives the kiosk\'s datasheet buttons the printer with paper, and none when no working printer has it', async () => {
    const page = await (await kiosk('/kiosk/wo/WO-24002')).text();
    const buttons = [...page.matchAll(/<button data-action="document" data-printer="([a-z-]+)" data-document="([a-z-]+)"/g)].map((m) => `${m[2]}→${m[1]}`);
    expect(buttons).toContain('datasheet→office');
    expect(buttons).toContain('assembly-datasheet→office');
    expect(page).toMatch(/data-action="everything"[^>]*data-pdf="office"/);
    // The office printer switched off: the datasheet buttons cannot be pressed, and say why; the Marken hot folder
    // (which takes any file) is not given them.
    const off = await kiosk('/api/v1/admin/printers/office/enabled', { method: 'POST', headers: { 'x-admin-pin': '0000', 'content-type': 'application/json' }, body: JSON.stringify({ enabled: false }) });
    expect(off.status, await off.clone().text()).toBe(200);
    const without = await (await kiosk('/kiosk/wo/WO-24002')).text();
    expect(without).not.toMatch(/data-document="(assembly-)?datasheet"/);
    expect(without).toContain('title="No working printer has paper for a page of 210 × 297 mm">Datasheet</button>');
    expect(without).toMatch(/data-action="everything"[^>]*data-pdf=""/);
    expect(without).toContain('"Print everything" leaves out the datasheet (no working printer has paper for a page of 210 × 297 mm).');
    expect(page).not.toContain('leaves out');
  });
});

describe('IPP printers say what paper they have loaded', () => {
  const dir = tempDir();
  let station: RunningStation;
  let kiosk: Awaited<ReturnType<typeof asKiosk>>;
  let envelopes: IppPrinterDouble;
  let laser: IppPrinterDouble;
  beforeAll(async () => {
    [envelopes, laser] = await Promise.all([startIppPrinter(), startIppPrinter()]);
    // Someone filled the first printer's trays with DL envelopes; the second has its Letter paper.
    await envelopes.loadMedia('iso_dl_110x220mm');
    // Neither entry says what is loaded: the printers do.
    station = await demoStation(dir, (c) => {
      c.printers = c.printers.filter((p) => (p as { id: string }).id !== 'office');
      // The tag printer's stock not set either, as a shop may leave it.
      delete (c.printers.find((p) => (p as { id: string }).id === 'tags') as { media?: unknown }).media;
      c.printers.push({ id: 'envelopes', name: 'Front office', driver: 'ipp', uri: envelopes.uri, dpmm: 8, options: {} }, { id: 'laser', name: 'Laser', driver: 'ipp', uri: laser.uri, dpmm: 8, options: {} });
    });
    await station.sync.syncOnce();
    await station.printers.refreshAll();
    kiosk = await asKiosk(station.app);
  }, 30_000);
  afterAll(async () => {
    await station?.stop();
    await Promise.all([envelopes?.close(), laser?.close()]);
  });
  const post = (body: object) => kiosk('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('sends the datasheet to the printer whose paper takes it, refuses it for the one with envelopes, and follows a change of paper', async () => {
    expect(station.printers.stock('envelopes')).toEqual({ sizes: [{ widthMm: 110, heightMm: 220 }], from: 'printer' });
    expect(station.printers.stock('laser')).toEqual({ sizes: [LETTER, { widthMm: 104.8, heightMm: 241.3 }], from: 'printer' });
    const page = await (await kiosk('/kiosk/wo/WO-24005')).text();
    expect(page).toContain('<button data-action="document" data-printer="laser" data-document="datasheet"');
    // Tags still go to the Zebra: a Letter sheet or a 4x6 label is not tag stock, though a tag would fit on it.
    expect(page).toMatch(/<button data-action="labels" data-printer="tags"[^>]*>Print tags</);
    expect(page).toMatch(/<button data-action="everything" data-printer="tags"/);
    const refused = await post({ kind: 'document', printer: 'envelopes', workOrder: 'WO-24005', document: 'datasheet' });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('"Datasheet WO-24005" is a page of 210 × 297 mm; Front office says it has 110 × 220 mm loaded.');
    // A4 paper goes in: the station hears it at its next look at the printer, and prints there.
    await envelopes.loadMedia('iso_a4_210x297mm', 'iso_dl_110x220mm');
    await station.printers.refresh('envelopes');
    expect(station.printers.stock('envelopes')?.sizes).toContainEqual(A4);
    const taken = await post({ kind: 'document', printer: 'envelopes', workOrder: 'WO-24005', document: 'datasheet' });
    expect(taken.status).toBe(201);
    await station.queue.runUntilIdle();
    await expect.poll(() => envelopes.jobFiles().length, { timeout: 10_000 }).toBe(1);
    expect(pdfText(envelopes.jobFiles()[0]!)).toContain('WO-24005');
    // Now both take it: paper of the page's own size first.
    const again = await (await kiosk('/kiosk/wo/WO-24005')).text();
    expect(again).toContain('<button data-action="document" data-printer="envelopes" data-document="datasheet"');
  });
});
