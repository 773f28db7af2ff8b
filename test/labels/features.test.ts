import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabelEngine } from '../../src/labels/engine.js';
import { encodeBarcode } from '../../src/labels/barcodes.js';
import { SerialStore } from '../../src/labels/serials.js';
import { openStore } from '../../src/store/store.js';
import { decodeBarcodes, pdfText, pdfToPngs, renderZpl } from '../helpers/barcodes.js';
import { demoWorkOrders, TEMPLATES_DIR } from '../helpers/labels.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();

/** A template that uses what the shipped ones do not: rotation, GS1 codes, an image, a filled box. */
function featureEngine() {
  const root = join(dir, 'features');
  mkdirSync(join(root, 'labels'), { recursive: true });
  cpSync(join(TEMPLATES_DIR, 'fonts'), join(root, 'fonts'), { recursive: true });
  cpSync(join(TEMPLATES_DIR, 'images'), join(root, 'images'), { recursive: true });
  writeFileSync(
    join(root, 'labels', 'features.json'),
    JSON.stringify({
      id: 'features',
      version: 2,
      name: 'features',
      kind: 'layout',
      subject: 'assembly',
      size: { widthMm: 101.6, heightMm: 101.6 },
      elements: [
        { type: 'image', x: 2, y: 2, w: 30, h: 9, src: 'logo.png' },
        { type: 'box', x: 34, y: 2, w: 10, h: 9, fill: true },
        { type: 'text', x: 2, y: 14, w: 6, h: 60, size: 4, rotate: 270, text: '{{assembly.partNumber}} up' },
        { type: 'text', x: 93, y: 14, w: 6, h: 60, size: 4, rotate: 90, text: '{{assembly.partNumber}} down' },
        { type: 'barcode', symbology: 'code128', x: 12, y: 14, w: 14, h: 70, rotate: 90, data: '{{serial}}' },
        { type: 'barcode', symbology: 'gs1-128', x: 30, y: 14, w: 60, h: 14, data: '(01)09501101530003(10){{line.lineNumber}}' },
        { type: 'barcode', symbology: 'gs1-datamatrix', x: 30, y: 32, w: 22, h: 22, data: '(01)09501101530003(21){{serial}}' },
        { type: 'barcode', symbology: 'qr', x: 60, y: 32, w: 28, h: 28, rotate: 180, data: '{{workOrder.number}}' },
        { type: 'line', x1: 30, y1: 90, x2: 98, y2: 98, thickness: 0.5 },
      ],
    }),
  );
  const serials = new SerialStore(openStore(join(dir, 'features.db')), 'T');
  return { engine: new LabelEngine({ templatesDir: root, serials, shopName: 'Shop', stationName: 'Bench' }), serials };
}

describe('label features', () => {
  it('rotated text and barcodes, GS1-128, GS1 DataMatrix, image and box come out right in ZPL and PDF', async () => {
    const wos = await demoWorkOrders(dir);
    const wo = wos.find((w) => w.lines.some((l) => l.assembly))!;
    const line = wo.lines.find((l) => l.assembly)!;
    const { engine } = featureEngine();
    expect(engine.templates.problems).toEqual([]);
    const zplDoc = await engine.lineLabels({ workOrder: wo, lineNumber: line.lineNumber, templateId: 'features', format: 'zpl', dpmm: 12, quantity: 1 });
    const serial = zplDoc.serials[0]!.serial;
    const expected = [
      ['Code128', serial],
      ['Code128', `(01)09501101530003(10)${line.lineNumber}`],
      ['DataMatrix', `(01)09501101530003(21)${serial}`],
      ['QRCode', wo.number],
    ].map((x) => x.join('=')).sort();
    const zpl = new TextDecoder().decode(zplDoc.document.bytes);
    // The image is stored in the printer before the label (~DG) and recalled by it (^XG).
    expect(zpl.slice(0, zplDoc.document.meta.prefix)).toMatch(/^~DGR:BP[0-9A-F]{6}\.GRF,/);
    expect(zpl.slice(zplDoc.document.meta.prefix)).toMatch(/\^XGR:BP[0-9A-F]{6}\.GRF,1,1\^FS/);
    const [zplPng] = await renderZpl(zpl, 101.6, 101.6, 12);
    const fromZpl = (await decodeBarcodes(zplPng!)).map((d) => `${d.format}=${d.text.replace(/\u001d/g, '')}`).sort();
    expect(fromZpl).toEqual(expected);

    const pdfDoc = await engine.lineLabels({ workOrder: wo, lineNumber: line.lineNumber, templateId: 'features', format: 'pdf', dpmm: 12, quantity: 1 });
    const [pdfPng] = pdfToPngs(pdfDoc.document.bytes, 300);
    const pdfSerial = pdfDoc.serials[0]!.serial;
    const fromPdf = (await decodeBarcodes(pdfPng!)).map((d) => `${d.format}=${d.text.replace(/\u001d/g, '')}`).sort();
    expect(fromPdf).toEqual(expected.map((e) => e.replace(serial, pdfSerial)).sort());
    const text = pdfText(pdfDoc.document.bytes);
    expect(text).toContain(`${line.assembly!.partNumber} up`);
  });

  it('refuses data a barcode cannot carry, and a barcode that cannot fit its box, with a clear reason', async () => {
    expect(() => encodeBarcode('gs1-128', '(01)123')).toThrow(/cannot be encoded as gs1-128: AI 01: Too short/);
    const { engine } = featureEngine();
    const wos = await demoWorkOrders(dir);
    const wo = wos.find((w) => w.lines.some((l) => l.assembly))!;
    const line = wo.lines.find((l) => l.assembly)!;
    const long = structuredClone(wo);
    long.number = 'W'.repeat(2000);
    await expect(engine.lineLabels({ workOrder: long, lineNumber: line.lineNumber, templateId: 'features', format: 'zpl', dpmm: 8, quantity: 1 })).rejects.toMatchObject({
      code: 'BARCODE_TOO_LARGE',
    });
  });

  it('Code 128 in ZPL automatic mode has exactly the width of the preview', async () => {
    for (const data of ['BP260000001', 'HA-1040|x', 'A>B>;C', '12345678', 'abc123456def', 'ACME^XZ~JA_5E']) {
      const code = encodeBarcode('code128', data);
      const esc = data.replace(/[\^~_\\]/g, (c) => `_${c.charCodeAt(0).toString(16).toUpperCase()}`);
      const [png] = await renderZpl(`^XA^PW1600^LL200^BY2,3^FO100,50^BCN,60,N,N,N,A^FH_^FD${esc}^FS^XZ`, 200, 25, 8);
      const { PNG } = await import('pngjs');
      const img = PNG.sync.read(Buffer.from(png!));
      const dark = [...Array(img.width).keys()].filter((x) => img.data[(80 * img.width + x) * 4]! < 128);
      expect((dark.at(-1)! - dark[0]! + 1) / 2, data).toBe(code.kind === 'linear' ? code.modules : -1);
    }
  });
});

describe('serials', () => {
  it('gives each tag a new serial, never reuses one, and a reprint gets the same serial back', async () => {
    const wos = await demoWorkOrders(dir);
    const { engine, serials } = featureEngine();
    const wo = wos.find((w) => w.lines.some((l) => l.assembly))!;
    const line = wo.lines.find((l) => l.assembly)!;
    const first = await engine.lineLabels({ workOrder: wo, lineNumber: line.lineNumber, templateId: 'features', format: 'zpl', dpmm: 8, quantity: 12 });
    const second = await engine.lineLabels({ workOrder: wo, lineNumber: line.lineNumber, templateId: 'features', format: 'zpl', dpmm: 8, quantity: 12 });
    const all = [...first.serials, ...second.serials].map((s) => s.serial);
    expect(new Set(all).size).toBe(24);
    expect(first.labels.map((l) => l.of)).toEqual(Array.from({ length: 12 }, (_, i) => `${i + 1} of 12`));
    const seventh = first.serials[6]!;
    expect(serials.find(seventh.serial)).toMatchObject({ index: 7, count: 12, workOrderNumber: wo.number, lineNumber: line.lineNumber });
    // A scanner set to lower case, with a trailing newline, still finds the tag.
    expect(serials.find(`${seventh.serial.toLowerCase()}\n`)).toMatchObject({ index: 7, serial: seventh.serial });
    const reprint = await engine.lineLabels({ workOrder: wo, lineNumber: line.lineNumber, templateId: 'features', format: 'zpl', dpmm: 8, reprint: { batchId: seventh.batchId, from: 7, to: 7 } });
    expect(reprint.serials.map((s) => s.serial)).toEqual([seventh.serial]);
    expect(reprint.labels[0]!.of).toBe('7 of 12');
    expect(new TextDecoder().decode(reprint.document.bytes).match(/\^XA/g)).toHaveLength(1);
    const other = wo.lines.find((l) => l.assembly && l.lineNumber !== line.lineNumber);
    if (other) {
      await expect(engine.lineLabels({ workOrder: wo, lineNumber: other.lineNumber, templateId: 'features', format: 'zpl', dpmm: 8, reprint: { batchId: seventh.batchId } })).rejects.toMatchObject({ code: 'REPRINT_MISMATCH' });
    }
  });
});
