// A PDF of many labels replays what each element drew for values met before, and draws afresh what changes on every
// label: every page must still be exactly the label drawn on its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CachedWorkOrder } from '../../src/domain/work-order.js';
import type { LabelEngine } from '../../src/labels/engine.js';
import { PNG } from 'pngjs';
import { encodeBarcode } from '../../src/labels/barcodes.js';
import { locateBarcodes, pdfToPngs } from '../helpers/barcodes.js';
import { demoWorkOrders, labelEngine } from '../helpers/labels.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
let wos: CachedWorkOrder[];
let engine: LabelEngine;
let close: () => void;
beforeAll(async () => {
  wos = await demoWorkOrders(dir);
  const made = labelEngine(dir);
  engine = made.engine;
  close = () => made.store.close();
});
afterAll(async () => {
  await engine.close();
  close();
});

describe('a batch of PDF labels', () => {
  // assembly-4x6 carries a logo (an image), hose-tag two barcodes of the serial; 24 labels go past the point where an
  // element that changes on every label stops being kept.
  it.each(['hose-tag', 'assembly-4x6'])('%s: every page is pixel for pixel the label drawn alone', async (templateId) => {
    const wo = wos.find((w) => w.lines.some((l) => l.assembly))!;
    const line = wo.lines.find((l) => l.assembly)!;
    const batch = await engine.lineLabels({ workOrder: wo, lineNumber: line.lineNumber, templateId, format: 'pdf', dpmm: 8, quantity: 24 });
    const template = engine.templates.get(templateId);
    for (const i of [0, 1, 16, 17, 23]) {
      const alone = await engine.render(template, [batch.labels[i]], 'pdf', 8, 'alone.pdf');
      const [page] = pdfToPngs(batch.document.bytes, 150, { first: i + 1, last: i + 1 });
      const [single] = pdfToPngs(alone.bytes, 150);
      expect(Buffer.compare(Buffer.from(page!), Buffer.from(single!)), `page ${i + 1}`).toBe(0);
    }
  });

  // A printer's driver rasterises the PDF at its own resolution: there every module of a barcode must be whole dots,
  // as the printer draws it from ZPL, not bars with grey edges that its threshold widens or thins.
  it.each([8, 12])('at %i dots/mm, every bar of a tag is whole black dots, as wide as its modules', async (dpmm) => {
    const wo = wos.find((w) => w.lines.some((l) => l.assembly))!;
    const line = wo.lines.find((l) => l.assembly)!;
    const doc = await engine.lineLabels({ workOrder: wo, lineNumber: line.lineNumber, templateId: 'hose-tag', format: 'pdf', dpmm, quantity: 1 });
    const [png] = pdfToPngs(doc.document.bytes, dpmm * 25.4);
    const serial = doc.serials[0]!.serial;
    const found = (await locateBarcodes(png!)).find((b) => b.format === 'Code128');
    expect(found?.text).toBe(serial);
    const img = PNG.sync.read(Buffer.from(png!));
    const y = Math.round((found!.box.top + found!.box.bottom) / 2);
    const row = Array.from({ length: img.width }, (_, x) => img.data[(y * img.width + x) * 4]!);
    const inside = row.slice(Math.floor(found!.box.left) - 2, Math.ceil(found!.box.right) + 3);
    expect(inside.filter((v) => v > 0 && v < 255), 'grey pixels across the bars').toEqual([]);
    // Bar, space, bar, ... from the first black dot to the last.
    const runs: number[] = [];
    const last = inside.lastIndexOf(0);
    for (let x = inside.indexOf(0); x >= 0 && x <= last; ) {
      let end = x;
      while (end <= last && inside[end] === inside[x]) end++;
      runs.push(end - x);
      x = end;
    }
    const code = encodeBarcode('code128', serial);
    if (code.kind !== 'linear') throw new Error('Code 128 is linear');
    const dots = runs[0]! / code.widths[0]!;
    expect(Number.isInteger(dots) && dots >= 1, `${runs[0]} dots for a first bar of ${code.widths[0]} modules`).toBe(true);
    expect(runs).toEqual(code.widths.map((w) => w * dots));
  });
});
