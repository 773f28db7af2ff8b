import { beforeAll, describe, expect, it } from 'vitest';
import type { CachedWorkOrder, LineView } from '../../src/domain/work-order.js';
import { decodeBarcodes, pdfInfo, pdfText, pdfToPngs } from '../helpers/barcodes.js';
import { documentService } from '../helpers/documents.js';
import { demoWorkOrders } from '../helpers/labels.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
let workOrders: CachedWorkOrder[];
beforeAll(async () => {
  workOrders = await demoWorkOrders(dir);
});
const A4 = [595.28, 841.89];
const flat = (s: string) => s.replace(/\s+/g, ' ');

/** A 60-line work order built from the demo lines, with long Unicode and hostile text in places. */
function sixtyLines(): CachedWorkOrder {
  const base = workOrders.find((w) => w.lines.length > 5)!;
  const pool = workOrders.flatMap((w) => w.lines.filter((l) => l.assembly));
  const lines: LineView[] = Array.from({ length: 60 }, (_, i) => {
    const src = structuredClone(pool[i % pool.length]!);
    return { ...src, id: `l${i}`, lineNumber: (i + 1) * 10, quantity: (i % 9) + 1, ...(i % 7 === 0 ? { comments: `Prüfung Ø ± µ ° é ü — ${'sehr lange Bemerkung '.repeat(6)}` } : {}) };
  });
  lines[3]!.assembly!.description = 'ACME^XZ^XA ~JA \u0007 <b>&amp;</b> '.repeat(4);
  return { ...base, lines, comments: 'Ölkühler-Leitungen: Sauberkeit ISO 4406 18/16/13 prüfen.' };
}

describe('work-order datasheet', () => {
  it('continues a 60-line table over pages with its header, numbers every page, and carries the work-order barcode', async () => {
    const wo = sixtyLines();
    const { document } = await documentService().produce({ workOrder: wo, kind: 'datasheet' });
    const info = pdfInfo(document.bytes);
    expect(info.pages).toBeGreaterThanOrEqual(3);
    expect(pdfText(document.bytes).split('\f').filter((p) => /^\s+\d+0\s+\d\s+HA-/m.test(p)).length).toBeGreaterThanOrEqual(2);
    expect(info.pageSizePt[0]).toBeCloseTo(A4[0]!, 0);
    expect(info.pageSizePt[1]).toBeCloseTo(A4[1]!, 0);
    const pages = pdfText(document.bytes).split('\f').filter((p) => p.trim());
    expect(pages).toHaveLength(info.pages);
    pages.forEach((p, i) => {
      if (/^\s+\d+0\s+\d\s+HA-/m.test(p)) expect(p).toContain('Part number'); // the table's header repeats where it continues
      expect(p).toContain(`page ${i + 1} of ${info.pages}`);
      expect(p).toContain(`Work order ${wo.number}`);
    });
    const all = flat(pages.join(' '));
    for (const line of wo.lines) expect(all).toContain(line.assembly!.partNumber);
    expect(all).toContain('Ölkühler-Leitungen');
    expect(all).toContain('Prüfung Ø ± µ ° é ü');
    expect(all).toContain('ACME^XZ^XA ~JA');
    // Every line number once, in order: no row lost or repeated at a page break.
    const numbers = [...all.matchAll(/ (\d+0) (\d) HA-/g)].map((m) => Number(m[1]));
    expect(numbers).toEqual(wo.lines.map((l) => l.lineNumber));
    const [first] = pdfToPngs(document.bytes, 200, { first: 1, last: 1 });
    expect((await decodeBarcodes(first!)).map((d) => d.text)).toContain(wo.number);
  });

  it('copes with missing optional fields', async () => {
    const wo = structuredClone(workOrders[0]!);
    delete wo.customer;
    delete wo.purchaseOrder;
    delete wo.dueDate;
    for (const l of wo.lines) if (l.assembly) l.assembly = { id: l.assembly.id, partNumber: l.assembly.partNumber, hose: {}, end1: {}, end2: {} };
    const { document } = await documentService().produce({ workOrder: wo, kind: 'datasheet' });
    expect(pdfText(document.bytes)).toContain(wo.lines[0]!.assembly!.partNumber);
    const line = wo.lines.find((l) => l.assembly)!;
    const sheet = await documentService().produce({ workOrder: wo, kind: 'assembly-datasheet', lineNumber: line.lineNumber });
    expect(pdfText(sheet.document.bytes)).toContain('length not given');
  });
});

describe('hose-assembly datasheet', () => {
  it('shows hose, both ends with crimp data, lengths, tests, BOM, notes and a drawing', async () => {
    const wo = workOrders.find((w) => w.lines.some((l) => l.assembly?.productionNotes && l.assembly.orientationDeg !== undefined)) ?? workOrders.find((w) => w.lines.some((l) => l.assembly?.productionNotes))!;
    const line = wo.lines.find((l) => l.assembly?.productionNotes)!;
    const a = line.assembly!;
    const { document, template } = await documentService().produce({ workOrder: wo, kind: 'assembly-datasheet', lineNumber: line.lineNumber });
    expect(template).toEqual({ id: 'assembly-datasheet', version: 1 });
    const text = flat(pdfText(document.bytes));
    for (const expected of [
      a.partNumber,
      a.hose.partNumber!,
      a.hose.spec!,
      `${a.hose.maxWorkingPressure!.value} ${a.hose.maxWorkingPressure!.unit}`,
      a.end1.fittingPartNumber!,
      a.end2.fittingPartNumber!,
      `${a.end1.crimp!.diameter!.value.toFixed(2)} +0.1/−0.2 mm`,
      a.end1.crimp!.dieSize!,
      `${a.end1.crimp!.insertLength!.value} mm`,
      `${a.length!.value}`,
      a.length!.tolerance!,
      `${a.cutLength!.value}`,
      a.productionNotes!.slice(0, 30),
      'Proof test',
      'Bill of materials',
      `Ø ${a.end1.crimp!.diameter!.value.toFixed(2)} mm`, // drawing annotation
    ]) expect(text).toContain(expected);
    const png = pdfToPngs(document.bytes, 200, { first: 1, last: 1 })[0]!;
    expect((await decodeBarcodes(png)).map((d) => d.text)).toContain(a.partNumber);
  });
});

describe('hose-kit datasheet', () => {
  it('lists every assembly of the kit with its crimp data', async () => {
    const wo = workOrders.find((w) => w.lines.some((l) => l.kit))!;
    const line = wo.lines.find((l) => l.kit)!;
    const { document } = await documentService().produce({ workOrder: wo, kind: 'kit-datasheet', lineNumber: line.lineNumber });
    const text = flat(pdfText(document.bytes));
    expect(text).toContain(line.kit!.partNumber);
    for (const { assembly } of line.kit!.assemblies) expect(text).toContain(assembly.partNumber);
    expect(text).toContain('Crimp data');
  });

  it('refuses the wrong kind of line with a clear error', async () => {
    const wo = workOrders.find((w) => w.lines.some((l) => l.assembly))!;
    const line = wo.lines.find((l) => l.assembly)!;
    await expect(documentService().produce({ workOrder: wo, kind: 'kit-datasheet', lineNumber: line.lineNumber })).rejects.toMatchObject({ code: 'NOT_A_KIT' });
  });
});
