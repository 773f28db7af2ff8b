// A test print for any printer, in the first format it takes: proves the whole path from station to paper.
import { lazy } from '../lib/lazy.js';
import { zplEscape } from '../labels/zpl.js';
import type { LabelFont, Weight } from '../labels/fonts.js';
import { PdfDocument } from '../pdf/canvas.js';
import type { RenderedDocument } from './types.js';
import type { Printer } from './registry.js';

const thermal = lazy<typeof import('node-thermal-printer')>('node-thermal-printer');
const resvg = lazy<typeof import('@resvg/resvg-js')>('@resvg/resvg-js');

export async function testPage(printer: Printer, ctx: { stationName: string; fonts: Record<Weight, LabelFont> }): Promise<RenderedDocument> {
  const format = printer.driver?.formats[0] ?? 'file';
  const when = new Date().toISOString().slice(0, 19).replace('T', ' ');
  const lines = ['benchprint test print', `printer ${printer.id} (${printer.entry.name ?? printer.entry.driver})`, `station ${ctx.stationName}`, when];
  const name = `test-print-${printer.id}`;
  switch (format) {
    case 'zpl': {
      const dpmm = printer.entry.dpmm;
      const w = Math.round((printer.entry.media?.widthMm ?? 76) * dpmm);
      const fields = lines.map((l, i) => `^FO${2 * dpmm},${(2 + i * 4) * dpmm}^A0N,${3 * dpmm},${3 * dpmm}^FH_^FD${zplEscape(l)}^FS`).join('\n');
      const zpl = `^XA\n^CI28\n^PW${w}\n${fields}\n^XZ\n`;
      const bytes = new TextEncoder().encode(zpl);
      return { format, bytes, meta: { name: `${name}.zpl`, contentType: 'application/vnd.zebra.zpl', partEnds: [bytes.length], origin: 'test print' } };
    }
    case 'escpos': {
      const { ThermalPrinter, PrinterTypes, CharacterSet } = thermal();
      const p = new ThermalPrinter({ type: PrinterTypes.EPSON, width: 48, characterSet: CharacterSet.PC858_EURO } as ConstructorParameters<typeof ThermalPrinter>[0]);
      p.alignCenter();
      for (const l of lines) p.println(l);
      p.cut();
      const bytes = new Uint8Array(Buffer.concat([Buffer.from([0x1b, 0x40]), p.getBuffer()]));
      return { format, bytes, meta: { name: `${name}.bin`, contentType: 'application/vnd.escpos', origin: 'test print' } };
    }
    case 'pdf': {
      const size = printer.entry.media ?? { widthMm: 210, heightMm: 297 };
      const doc = await PdfDocument.create(ctx.fonts, name);
      const page = doc.addPage(size.widthMm, size.heightMm);
      for (const [i, l] of lines.entries()) await page.text(l, 5, 10 + i * 6, 4, i === 0 ? 'bold' : 'regular');
      return { format, bytes: await doc.save(), meta: { name: `${name}.pdf`, contentType: 'application/pdf', origin: 'test print' } };
    }
    case 'png': {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="200"><rect width="600" height="200" fill="#fff"/>${lines.map((l, i) => `<text x="10" y="${40 + i * 40}" font-size="28">${l.replace(/[<&>]/g, '')}</text>`).join('')}</svg>`;
      const bytes = new Uint8Array(new (resvg().Resvg)(svg, { font: { loadSystemFonts: false } }).render().asPng());
      return { format, bytes, meta: { name: `${name}.png`, contentType: 'image/png', origin: 'test print' } };
    }
    default:
      return { format: 'file', bytes: new TextEncoder().encode(lines.join('\r\n') + '\r\n'), meta: { name: `${name}.txt`, contentType: 'text/plain', origin: 'test print' } };
  }
}
