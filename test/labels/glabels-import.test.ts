// The glabels hose tag of the glabels benchmark, imported and printed by the station, against glabels' own PDF of the
// same data (Debian's glabels-3-batch): every field's words and both barcodes at the same places, within 0.5 mm.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import { locateBarcodes, pdfToPngs, pdfWords, type Located } from '../helpers/barcodes.js';
import { asToken, demoStation } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const ADMIN = 'admin-token-0123456789abcdefghijk';
const GLABELS_FILE = new URL('../../bench/glabels/hose-tag.glabels', import.meta.url).pathname;
const dir = tempDir();
let station: RunningStation;

// One tag's merge data, as the glabels benchmark feeds it (its CSV columns).
const ROW = {
  serial: 'BP000004711',
  code2d: 'BP000004711|WO-24005|10|HA-1040',
  pn: 'HA-1040 rev B',
  cpn: 'CX-88120',
  woline: 'WO WO-24005/10   PO 4500-771   2026-12-02',
  hose: 'H-R2AT-08 SAE 100R2AT 1/2"   MWP 275 bar',
  ends: 'A 1JIC-08-08   B 1JIC90-08-08',
  length: 'L 1200 mm +10/-0 mm',
  of: '3 of 8',
  shop: 'Demo Hydraulics Ltd',
};

beforeAll(async () => {
  station = await demoStation(dir, (c) => {
    c.auth.tokens = [{ name: 'office', token: ADMIN, scopes: ['read', 'print', 'admin'] }];
    c.printers = [{ id: 'office', name: 'Office PDF', driver: 'folder', uri: `file://${dir}/out`, dpmm: 8, options: { formats: ['pdf'], create: true } }];
  });
}, 30_000);
afterAll(async () => {
  await station?.stop();
});

/** glabels' PDF of the one tag, merged from a CSV as glabels-3-batch does it. */
function glabelsPdf(): Uint8Array {
  const work = tempDir();
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  writeFileSync(join(work, 'data.csv'), `${Object.keys(ROW).join(',')}\n${Object.values(ROW).map(q).join(',')}\n`);
  copyFileSync(GLABELS_FILE, join(work, 'hose-tag.glabels'));
  execFileSync('glabels-3-batch', ['-i', 'data.csv', '-o', 'glabels.pdf', 'hose-tag.glabels'], { cwd: work, stdio: 'ignore', timeout: 60_000 });
  return new Uint8Array(readFileSync(join(work, 'glabels.pdf')));
}

async function ourPdf(): Promise<Uint8Array> {
  const admin = asToken(station.app, ADMIN);
  const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const imported = await admin('/api/v1/templates/import', json({ fileName: 'hose-tag.glabels', content: readFileSync(GLABELS_FILE, 'utf8'), id: 'gl-hose-tag', save: true }));
  expect(imported.status).toBe(201);
  const job = await admin('/api/v1/jobs', json({ kind: 'template', printer: 'office', template: 'gl-hose-tag', labels: [ROW] }));
  expect(job.status).toBe(201);
  await station.queue.runUntilIdle();
  const file = readdirSync(join(dir, 'out')).find((f) => f.endsWith('.pdf'))!;
  return new Uint8Array(readFileSync(join(dir, 'out', file)));
}

type Box = { left: number; top: number; right: number; bottom: number };
type Word = Box & { text: string };

/** Where a text sits among a page's words: the run of words that spells it (spaces aside; tiny text splits oddly). */
function spanOf(words: Word[], text: string): Box | undefined {
  const want = text.replace(/\s+/g, '');
  for (let i = 0; i < words.length; i++) {
    let got = '';
    for (let j = i; j < words.length && want.startsWith(got + words[j]!.text); j++) {
      got += words[j]!.text;
      if (got === want) {
        const run = words.slice(i, j + 1);
        return { left: run[0]!.left, right: run.at(-1)!.right, top: Math.min(...run.map((w) => w.top)), bottom: Math.max(...run.map((w) => w.bottom)) };
      }
    }
  }
  return undefined;
}

/** The box of dark pixels of a PNG inside a box given in mm. */
function inkIn(png: Uint8Array, dpi: number, area: Box): Box | undefined {
  const img = PNG.sync.read(Buffer.from(png));
  const px = (mm: number) => Math.round((mm * dpi) / 25.4);
  let found: Box | undefined;
  for (let y = Math.max(0, px(area.top)); y < Math.min(img.height, px(area.bottom)); y++) {
    for (let x = Math.max(0, px(area.left)); x < Math.min(img.width, px(area.right)); x++) {
      const i = (y * img.width + x) * 4;
      if (img.data[i]! + img.data[i + 1]! + img.data[i + 2]! > 384) continue;
      const mm = { x: (x * 25.4) / dpi, y: (y * 25.4) / dpi };
      found = found ? { left: Math.min(found.left, mm.x), top: Math.min(found.top, mm.y), right: Math.max(found.right, mm.x), bottom: Math.max(found.bottom, mm.y) } : { left: mm.x, top: mm.y, right: mm.x, bottom: mm.y };
    }
  }
  return found;
}

const near = (a: number, b: number, what: string) => expect(Math.abs(a - b), `${what}: glabels ${a.toFixed(2)} mm, the station ${b.toFixed(2)} mm`).toBeLessThanOrEqual(0.5);

describe('a glabels document imported', () => {
  it('prints its fields and barcodes where glabels puts them, within 0.5 mm', async () => {
    const [theirs, ours] = [glabelsPdf(), await ourPdf()];
    const template = (await (await asToken(station.app, ADMIN)('/api/v1/templates/gl-hose-tag')).json()) as {
      template: { elements: Array<{ type: string; text?: string; align?: string; data?: string; x: number; y: number; w: number; h: number; symbology?: string }> };
    };
    const fill = (t: string) => t.replace(/\{\{(\w+)\}\}/g, (_, k: keyof typeof ROW) => ROW[k]);

    // Text: every field where glabels printed it: its start (or its middle, when centred), its top and its bottom.
    // (Word widths differ a little: glabels' pango draws "DejaVu Sans Condensed" as DejaVu Sans.)
    const [theirWords, ourWords] = [pdfWords(theirs), pdfWords(ours)];
    const texts = template.template.elements.filter((e) => e.type === 'text');
    expect(texts).toHaveLength(8);
    for (const e of texts) {
      const text = fill(e.text!);
      const a = spanOf(theirWords, text);
      const b = spanOf(ourWords, text);
      expect(a, `glabels printed "${text}"`).toBeDefined();
      expect(b, `the station printed "${text}"`).toBeDefined();
      if (e.align === 'center') near((a!.left + a!.right) / 2, (b!.left + b!.right) / 2, `the middle of "${text}"`);
      else near(a!.left, b!.left, `the start of "${text}"`);
      near(a!.top, b!.top, `the top of "${text}"`);
      near(a!.bottom, b!.bottom, `the bottom of "${text}"`);
    }

    // Barcodes: read from both at 300 dpi, the same data; the Data Matrix from its corner (both anchor it there), the
    // Code 128 by its middle (both centre it in its box).
    const dpi = 300;
    const [theirPng, ourPng] = [pdfToPngs(theirs, dpi)[0]!, pdfToPngs(ours, dpi)[0]!];
    const mm = (b: Located) => ({ ...b, box: Object.fromEntries(Object.entries(b.box).map(([k, v]) => [k, (v * 25.4) / dpi])) as Box });
    const [theirCodes, ourCodes] = [(await locateBarcodes(theirPng)).map(mm), (await locateBarcodes(ourPng)).map(mm)];
    const matrix = [theirCodes.find((c) => c.text === ROW.code2d), ourCodes.find((c) => c.text === ROW.code2d)];
    expect(matrix.map((m) => m?.format)).toEqual(['DataMatrix', 'DataMatrix']);
    near(matrix[0]!.box.left, matrix[1]!.box.left, 'the Data Matrix left side');
    near(matrix[0]!.box.top, matrix[1]!.box.top, 'the Data Matrix top');
    const dm = template.template.elements.find((e) => e.symbology === 'datamatrix')!;
    expect(matrix[1]!.box.right).toBeLessThanOrEqual(dm.x + dm.w + 0.1); // inside its box, in whole printer dots a module

    const linear = [theirCodes.find((c) => c.text === ROW.serial), ourCodes.find((c) => c.text === ROW.serial)];
    expect(linear.map((m) => m?.format)).toEqual(['Code128', 'Code128']);
    near((linear[0]!.box.left + linear[0]!.box.right) / 2, (linear[1]!.box.left + linear[1]!.box.right) / 2, 'the middle of the Code 128');
    const c128 = template.template.elements.find((e) => e.symbology === 'code128')!;
    const middle = (linear[1]!.box.left + linear[1]!.box.right) / 2;
    const bars = (png: Uint8Array) => inkIn(png, dpi, { left: middle - 5, right: middle + 5, top: c128.y - 1, bottom: c128.y + c128.h / 2 })!;
    // Vertically both keep the bars inside the object's box. (glabels' gnu-barcode backend draws these bars 1.4 mm
    // tall under 4.6 mm digits that run off the label; the station's bars fill the box above a readable line.)
    for (const [who, png] of [
      ['glabels', theirPng],
      ['the station', ourPng],
    ] as const) {
      const ink = bars(png);
      expect(ink.top, `${who}: top of the Code 128 bars`).toBeGreaterThanOrEqual(c128.y - 0.1);
      expect(ink.top, `${who}: top of the Code 128 bars`).toBeLessThanOrEqual(c128.y + c128.h);
    }
    expect(Math.abs(bars(ourPng).top - c128.y), "the station's bars start at the top of the box").toBeLessThanOrEqual(0.5);
  }, 90_000);
});
