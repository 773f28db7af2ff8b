import { describe, expect, it } from 'vitest';
import { textLineBitmap } from '../../src/labels/preview.js';
import { ZplLabelMaker } from '../../src/labels/zpl-maker.js';
import { demoWorkOrders, labelEngine } from '../helpers/labels.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();

describe('ZPL label maker (fields reused between the labels of a batch)', () => {
  it.each(['hose-tag', 'assembly-2x3', 'assembly-4x6', 'kit-label', 'work-order-label'])(
    '%s: every label of a long batch is exactly what the label laid out on its own makes',
    async (id) => {
      const wos = await demoWorkOrders(dir);
      const { engine } = labelEngine(dir);
      const template = engine.templates.get(id);
      if (!('layout' in template)) throw new Error('a layout template');
      const subject = template.def.subject;
      const wo = wos.find((w) => w.lines.some((l) => (subject === 'kit' ? l.kit : l.assembly)))!;
      const line = wo.lines.find((l) => (subject === 'kit' ? l.kit : l.assembly))!;
      const base = engine.previewData(wo, line.lineNumber, id) as unknown as Record<string, unknown>;
      const ctx = { dpmm: 8, images: engine.images, textBitmap: (b: Parameters<typeof textLineBitmap>[0], i: number) => textLineBitmap(b, i, engine.fonts, 8) };
      const maker = new ZplLabelMaker(template.layout, engine.fonts, ctx);
      maker.startRun();
      // 600 labels: more distinct serials than an element keeps, a field that comes and goes, text that needs a
      // graphic, and a value with ZPL's own characters.
      for (let i = 0; i < 600; i++) {
        const data = {
          ...base,
          serial: `BP26${String(i).padStart(7, '0')}`,
          of: `${i + 1} of 600`,
          shop: i % 3 === 0 ? { name: '^XZ~JA_ 液压软管' } : base.shop,
          ...(i % 5 === 0 ? { workOrder: { ...(base.workOrder as object), customerPo: undefined } } : {}),
        };
        // The same label from a maker that has made nothing before: nothing reused.
        const alone = new ZplLabelMaker(template.layout, engine.fonts, ctx).label(data);
        const out = Buffer.alloc(64 * 1024);
        expect(out.subarray(0, maker.labelInto(out, 0, data)).toString('utf8')).toBe(alone);
      }
    },
  );

  it('draws a changed work order anew in the next run, and refuses nothing when the buffer is too small', async () => {
    const wos = await demoWorkOrders(dir);
    const { engine } = labelEngine(dir);
    const template = engine.templates.get('hose-tag');
    if (!('layout' in template)) throw new Error('a layout template');
    const wo = wos.find((w) => w.lines.some((l) => l.assembly))!;
    const data = engine.previewData(wo, wo.lines.find((l) => l.assembly)!.lineNumber, 'hose-tag') as unknown as { workOrder: { number: string } };
    const maker = new ZplLabelMaker(template.layout, engine.fonts, { dpmm: 8, images: engine.images, textBitmap: (b, i) => textLineBitmap(b, i, engine.fonts, 8) });
    maker.startRun();
    const before = maker.label(data);
    expect(before).toContain(`WO ${data.workOrder.number}/`);
    data.workOrder.number = 'WO-CHANGED';
    maker.startRun();
    const out = Buffer.alloc(64 * 1024);
    expect(out.subarray(0, maker.labelInto(out, 0, data)).toString()).toContain('WO WO-CHANGED/');
    expect(maker.labelInto(Buffer.alloc(10), 0, data)).toBe(-1);
  });
});
