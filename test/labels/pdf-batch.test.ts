// A PDF of many labels replays what each element drew for values met before, and draws afresh what changes on every
// label: every page must still be exactly the label drawn on its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CachedWorkOrder } from '../../src/domain/work-order.js';
import type { LabelEngine } from '../../src/labels/engine.js';
import { pdfToPngs } from '../helpers/barcodes.js';
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
});
