// What a line's printed tags say that the line no longer does: the data they were made from (kept with their job)
// against the work order as GoldLeaf has it now. The office corrects a cut length after the tags came out; the crimper
// is told, on the line, before building hoses to tags that are wrong. Each difference is named as a person reads it.
import type { AssemblyView, KitView, LineView, WorkOrderView } from '../domain/work-order.js';
import { formatQuantity, formatToleranced } from '../kiosk/format.js';

/** What a label was filled with, as far as it concerns the line (see LabelData). */
export interface PrintedWith {
  workOrder?: Pick<WorkOrderView, 'purchaseOrder'>;
  line?: Pick<LineView, 'purchaseOrder' | 'assembly' | 'kit'>;
  po?: string;
}

type Field = readonly [name: string, read: (a: AssemblyView) => string | undefined];

const ASSEMBLY: readonly Field[] = [
  ['part', (a) => `${a.partNumber}${a.revision ? ` rev ${a.revision}` : ''}`],
  ['customer part number', (a) => a.customerPartNumber],
  ['hose', (a) => a.hose?.partNumber],
  ['overall length', (a) => (a.length ? [formatQuantity(a.length), a.length.tolerance].filter(Boolean).join(' ') : undefined)],
  ['cut length', (a) => (a.cutLength ? formatQuantity(a.cutLength) : undefined)],
  ['fitting A', (a) => a.end1?.fittingPartNumber],
  ['fitting B', (a) => a.end2?.fittingPartNumber],
  ['crimp diameter A', (a) => (a.end1?.crimp?.diameter ? formatToleranced(a.end1.crimp.diameter) : undefined)],
  ['crimp diameter B', (a) => (a.end2?.crimp?.diameter ? formatToleranced(a.end2.crimp.diameter) : undefined)],
  ['orientation', (a) => (a.orientationDeg === undefined ? undefined : `${a.orientationDeg}°`)],
  ['max working pressure', (a) => (a.hose?.maxWorkingPressure ? formatQuantity(a.hose.maxWorkingPressure) : undefined)],
];

const kitWords = (k: KitView) => `${k.partNumber}${k.revision ? ` rev ${k.revision}` : ''}: ${k.assemblies.map((x) => `${x.quantity} × ${x.assembly.partNumber}`).join(', ')}`;

/** "cut length 1712 mm → 1700 mm", one for each thing that differs; empty when the tags still match the line. */
export function tagChanges(printed: PrintedWith, line: LineView, wo: Pick<WorkOrderView, 'purchaseOrder'>): string[] {
  const changes: string[] = [];
  const differ = (name: string, before: string | undefined, after: string | undefined) => {
    if ((before ?? '') !== (after ?? '')) changes.push(`${name} ${before ?? '—'} → ${after ?? '—'}`);
  };
  const was = printed.line;
  if (was?.assembly && line.assembly) for (const [name, read] of ASSEMBLY) differ(name, read(was.assembly), read(line.assembly));
  else if (was?.kit && line.kit) differ('kit', kitWords(was.kit), kitWords(line.kit));
  else if (was && (was.assembly?.partNumber ?? was.kit?.partNumber) !== (line.assembly?.partNumber ?? line.kit?.partNumber)) {
    differ('item', was.assembly?.partNumber ?? was.kit?.partNumber, line.assembly?.partNumber ?? line.kit?.partNumber);
  }
  if (was) differ('customer PO', printed.po ?? was.purchaseOrder ?? printed.workOrder?.purchaseOrder, line.purchaseOrder ?? wo.purchaseOrder);
  return changes;
}
