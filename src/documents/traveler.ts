// The traveler: a work order on one receipt strip for ESC/POS printers, with a QR code the kiosk scanner opens again.
import { lazy } from '../lib/lazy.js';
import type { AssemblyEnd, WorkOrderView } from '../domain/work-order.js';
import { formatQuantity, formatToleranced } from '../kiosk/format.js';
import type { RenderedDocument } from '../printing/types.js';

const thermal = lazy<typeof import('node-thermal-printer')>('node-thermal-printer');

export interface TravelerOptions {
  /** Characters per line: 48 on 80 mm paper, 32 on 58 mm. */
  width?: number;
  shopName: string;
  printedAt: string;
}

/**
 * Data never carries printer commands: control characters are removed, and characters the printer's code page
 * (PC858, Latin-1 plus €) lacks are printed as "?" by the encoder rather than as raw bytes.
 */
export function travelerText(value: string | undefined): string {
  return (value ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').replace(/\u2212/g, '-').trim();
}

function endLine(label: string, e: AssemblyEnd): string {
  const crimp = e.crimp?.diameter ? `  crimp ${formatToleranced(e.crimp.diameter)}` : '';
  const die = e.crimp?.dieSize ? ` die ${e.crimp.dieSize}` : '';
  return travelerText(`${label} ${e.fittingPartNumber ?? '-'}${crimp}${die}`);
}

export function traveler(wo: WorkOrderView, o: TravelerOptions): RenderedDocument {
  const { ThermalPrinter, PrinterTypes, CharacterSet, BreakLine } = thermal();
  // Only the buffer API is used: no interface, the bytes go to a printer driver like any other document.
  const settings = { type: PrinterTypes.EPSON, width: o.width ?? 48, characterSet: CharacterSet.PC858_EURO, removeSpecialCharacters: false, breakLine: BreakLine.WORD };
  const p = new ThermalPrinter(settings as ConstructorParameters<typeof ThermalPrinter>[0]);
  p.clear();
  p.alignCenter();
  p.println(travelerText(o.shopName));
  p.setTextDoubleHeight();
  p.bold(true);
  p.println(travelerText(wo.number));
  p.bold(false);
  p.setTextNormal();
  p.println(travelerText(wo.customer?.name));
  p.alignLeft();
  p.println(travelerText(`PO ${wo.purchaseOrder ?? '-'}   due ${wo.dueDate?.slice(0, 10) ?? '-'}   rev ${wo.revision ?? '-'}`));
  if (wo.comments) p.println(travelerText(wo.comments));
  p.drawLine();
  for (const line of wo.lines) {
    const a = line.assembly;
    p.bold(true);
    p.println(travelerText(`Line ${line.lineNumber}  x${line.quantity}  ${a?.partNumber ?? line.kit?.partNumber ?? '?'}`));
    p.bold(false);
    if (a) {
      p.println(travelerText(`${a.hose.partNumber ?? ''} ${a.hose.spec ?? ''}  L ${formatQuantity(a.length)} ${a.length?.tolerance ?? ''}`));
      if (a.cutLength) p.println(travelerText(`cut ${formatQuantity(a.cutLength)}${a.orientationDeg !== undefined ? `  orient. ${a.orientationDeg} deg` : ''}`));
      p.println(endLine('A', a.end1));
      p.println(endLine('B', a.end2));
    } else if (line.kit) {
      for (const k of line.kit.assemblies) p.println(travelerText(`  ${k.assembly.partNumber} x${k.quantity}`));
    } else if (line.problem) p.println(travelerText(line.problem));
    p.drawLine();
  }
  p.alignCenter();
  p.printQR(travelerText(wo.number), { cellSize: 6, correction: 'M', model: 2 });
  p.println(travelerText(`printed ${o.printedAt}`));
  p.cut();
  // ESC @ first: a previous job may have left the printer in bold, double height or another code page.
  const bytes = new Uint8Array(Buffer.concat([Buffer.from([0x1b, 0x40]), p.getBuffer()]));
  p.clear(); // node-thermal-printer keeps its buffer after reading it
  return { format: 'escpos', bytes, meta: { name: `${wo.number}-traveler.bin`, contentType: 'application/vnd.escpos', origin: 'benchprint traveler' } };
}
