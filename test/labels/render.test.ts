import { beforeAll, describe, expect, it } from 'vitest';
import type { CachedWorkOrder } from '../../src/domain/work-order.js';
import { compileText } from '../../src/labels/bind.js';
import type { LabelEngine } from '../../src/labels/engine.js';
import type { LoadedTemplate } from '../../src/labels/templates.js';
import { decodeBarcodes, pdfInfo, pdfText, pdfToPngs, renderZpl } from '../helpers/barcodes.js';
import { demoWorkOrders, labelEngine } from '../helpers/labels.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
let workOrders: CachedWorkOrder[];
let engine: LabelEngine;

beforeAll(async () => {
  workOrders = await demoWorkOrders(dir);
  engine = labelEngine(dir).engine;
});

const FORMAT: Record<string, string> = { code128: 'Code128', 'gs1-128': 'Code128', qr: 'QRCode', datamatrix: 'DataMatrix', 'gs1-datamatrix': 'DataMatrix' };

function target(t: LoadedTemplate): { wo: CachedWorkOrder; lineNumber?: number } {
  if (t.def.subject === 'workorder') return { wo: workOrders[0]! };
  const wo = workOrders.find((w) => w.lines.some((l) => (t.def.subject === 'kit' ? l.kit : l.assembly)))!;
  return { wo, lineNumber: wo.lines.find((l) => (t.def.subject === 'kit' ? l.kit : l.assembly))!.lineNumber };
}

/** The barcodes a label should carry: [zxing format, text], from the template's own bindings. */
function expectedBarcodes(t: LoadedTemplate, data: unknown): Array<[string, string]> {
  if (!('layout' in t)) return [];
  return t.layout.template.elements.flatMap((e) => (e.type === 'barcode' ? [[FORMAT[e.symbology]!, compileText(e.data)(data)] as [string, string]] : []));
}

const sorted = (list: Array<[string, string]>) => [...list].sort((a, b) => a.join().localeCompare(b.join()));

describe('every shipped template', () => {
  it('loads without problems', () => {
    expect(engine.templates.problems).toEqual([]);
    expect(engine.templates.list().map((t) => t.def.id).sort()).toEqual(['assembly-2x3', 'assembly-4x6', 'designer-tag', 'hose-tag', 'kit-label', 'work-order-label'].sort());
  });

  it.each(['hose-tag', 'assembly-2x3', 'assembly-4x6', 'kit-label', 'work-order-label'])('%s: ZPL prints one label per tag and its barcodes scan back to the data', async (id) => {
    const t = engine.templates.get(id);
    const { wo, lineNumber } = target(t);
    const doc = await engine.lineLabels({ workOrder: wo, ...(lineNumber === undefined ? {} : { lineNumber }), templateId: id, format: 'zpl', dpmm: 8, quantity: 2 });
    const zpl = new TextDecoder().decode(doc.document.bytes);
    const count = t.def.subject === 'workorder' ? 1 : 2;
    expect(zpl.match(/\^XA/g)).toHaveLength(count);
    expect(zpl.match(/\^XZ/g)).toHaveLength(count);
    expect(doc.document.meta.partEnds).toHaveLength(count);
    expect(zpl.match(/\^CI28/g)).toHaveLength(count);
    const pngs = await renderZpl(zpl, t.def.size.widthMm, t.def.size.heightMm, 8);
    expect(pngs).toHaveLength(count);
    for (const [i, png] of pngs.entries()) {
      const found = (await decodeBarcodes(png)).map((d) => [d.format, d.text] as [string, string]);
      expect(sorted(found)).toEqual(sorted(expectedBarcodes(t, doc.labels[i])));
    }
    if (count === 2) expect(doc.serials.map((s) => s.serial)).toEqual(doc.labels.map((l) => l.serial));
  });

  it.each(['hose-tag', 'assembly-2x3', 'assembly-4x6', 'kit-label', 'work-order-label'])('%s: PDF has one page per tag of the right size, readable text and scannable codes', async (id) => {
    const t = engine.templates.get(id);
    const { wo, lineNumber } = target(t);
    const doc = await engine.lineLabels({ workOrder: wo, ...(lineNumber === undefined ? {} : { lineNumber }), templateId: id, format: 'pdf', dpmm: 8, quantity: 2 });
    const info = pdfInfo(doc.document.bytes);
    const count = t.def.subject === 'workorder' ? 1 : 2;
    expect(info.pages).toBe(count);
    expect(info.pageSizePt[0]).toBeCloseTo((t.def.size.widthMm * 72) / 25.4, 0);
    expect(info.pageSizePt[1]).toBeCloseTo((t.def.size.heightMm * 72) / 25.4, 0);
    const text = pdfText(doc.document.bytes);
    const first = doc.labels[0]!;
    if (first.assembly) expect(text).toContain(first.assembly.partNumber);
    if (first.kit) expect(text).toContain(first.kit.partNumber);
    if (count === 2) expect(text).toContain('2 of 2');
    const pngs = pdfToPngs(doc.document.bytes, 300);
    for (const [i, png] of pngs.entries()) {
      const found = (await decodeBarcodes(png)).map((d) => [d.format, d.text] as [string, string]);
      expect(sorted(found)).toEqual(sorted(expectedBarcodes(t, doc.labels[i])));
    }
  });

  it('hose tag shows what a crimper and a customer need', async () => {
    const wo = workOrders.find((w) => w.lines.some((l) => l.assembly?.orientationDeg !== undefined && l.assembly.revision))!;
    const line = wo.lines.find((l) => l.assembly?.orientationDeg !== undefined)!;
    const a = line.assembly!;
    const doc = await engine.lineLabels({ workOrder: wo, lineNumber: line.lineNumber, templateId: 'hose-tag', format: 'pdf', dpmm: 8, quantity: 1 });
    const text = pdfText(doc.document.bytes).replace(/\s+/g, ' ');
    for (const expected of [
      'Demo Hydraulics',
      a.partNumber,
      `CPN ${a.customerPartNumber}`,
      `WO ${wo.number}/${line.lineNumber}`,
      `PO ${line.purchaseOrder}`,
      doc.labels[0]!.date,
      a.hose.partNumber!,
      a.hose.spec!,
      `MWP ${a.hose.maxWorkingPressure!.value} ${a.hose.maxWorkingPressure!.unit}`,
      a.end1.fittingPartNumber!,
      a.end2.fittingPartNumber!,
      `orient. ${a.orientationDeg}°`,
      `L ${a.length!.value} `,
      a.length!.tolerance!,
      '1 of 1',
    ]) expect(text).toContain(expected);
    expect(text.toLowerCase()).not.toContain('burst');
  });

  it('draws Unicode from hose data in PDF and keeps it as UTF-8 in ZPL', async () => {
    const wo = workOrders.find((w) => w.customer?.name?.includes('Müller'))!;
    const doc = await engine.lineLabels({ workOrder: wo, lineNumber: wo.lines.find((l) => l.assembly)!.lineNumber, templateId: 'assembly-2x3', format: 'pdf', dpmm: 8, quantity: 1 });
    expect(pdfText(doc.document.bytes)).toContain('Hydraulik Müller GmbH');
    const zpl = await engine.lineLabels({ workOrder: wo, lineNumber: wo.lines.find((l) => l.assembly)!.lineNumber, templateId: 'assembly-2x3', format: 'zpl', dpmm: 8, quantity: 1 });
    expect(new TextDecoder().decode(zpl.document.bytes)).toContain('Hydraulik Müller GmbH');
  });

  it('raw ZPL design: placeholders filled and escaped, one label per tag, barcodes scan', async () => {
    const t = engine.templates.get('designer-tag');
    const { wo, lineNumber } = target(t);
    const doc = await engine.lineLabels({ workOrder: wo, lineNumber: lineNumber!, templateId: 'designer-tag', format: 'zpl', dpmm: 8, quantity: 3 });
    const zpl = new TextDecoder().decode(doc.document.bytes);
    expect(zpl.match(/\^XA/g)).toHaveLength(3);
    expect(zpl).not.toContain('{{');
    const pngs = await renderZpl(zpl, 76, 25, 8);
    const codes = await decodeBarcodes(pngs[2]!);
    expect(codes.map((c) => c.text).sort()).toEqual([doc.serials[2]!.serial, doc.serials[2]!.serial]);
    await expect(engine.lineLabels({ workOrder: wo, lineNumber: lineNumber!, templateId: 'designer-tag', format: 'pdf', dpmm: 8 })).rejects.toMatchObject({ code: 'TEMPLATE_ZPL_ONLY' });
  });

  it('previews as SVG and as PNG at the printer resolution, and the preview scans too', async () => {
    const { wo, lineNumber } = target(engine.templates.get('hose-tag'));
    const data = engine.previewData(wo, lineNumber, 'hose-tag');
    const svg = new TextDecoder().decode((await engine.preview('hose-tag', data, 'svg', 8)).bytes);
    expect(svg).toMatch(/^<svg [^>]*viewBox="0 0 76 25"/);
    const png = await engine.preview('hose-tag', data, 'png', 12);
    expect(png.contentType).toBe('image/png');
    expect(Buffer.from(png.bytes).readUInt32BE(16)).toBe(76 * 12); // PNG width in the IHDR chunk
    const codes = await decodeBarcodes(png.bytes);
    expect(codes.map((c) => c.format).sort()).toEqual(['Code128', 'DataMatrix']);
  });
});
