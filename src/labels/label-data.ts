// What one label sees: the work order, the line, the assembly (or kit), the serial and "i of N", as template data.
import type { AssemblyView, CachedWorkOrder, KitView, LineView, WorkOrderView } from '../domain/work-order.js';
import { StationError } from '../errors.js';
/** What one label is for: each assembly, each kit, or the work order. */
export type Subject = 'assembly' | 'kit' | 'workorder';

export interface LabelData {
  shop: { name: string };
  station: { name: string };
  workOrder: WorkOrderView;
  line?: LineView;
  assembly?: AssemblyView;
  kit?: KitView;
  /** Customer PO: the line's, else the work order's. */
  po?: string;
  serial: string;
  index: number;
  count: number;
  /** "3 of 12" */
  of: string;
  /** The assembly (print) date, ISO. */
  date: string;
}

export interface LabelPlanItem {
  assembly?: AssemblyView;
  kit?: KitView;
}

export function findLine(wo: CachedWorkOrder, lineNumber: number): LineView {
  const line = wo.lines.find((l) => l.lineNumber === lineNumber);
  if (!line) {
    throw new StationError('LINE_NOT_FOUND', `Work order ${wo.number} has no line ${lineNumber}.`, {
      status: 404,
      hint: `Its lines are ${wo.lines.map((l) => l.lineNumber).join(', ') || 'none'}.`,
    });
  }
  return line;
}

/**
 * The labels a line needs for a subject: an assembly line gives one tag per assembly; a kit line gives one tag per
 * assembly in each kit (assembly tags) or one label per kit; a work-order label is one label.
 */
export function planLine(line: LineView, subject: Subject): LabelPlanItem[] {
  if (subject === 'workorder') return [{}];
  if (line.problem && !line.assembly && !line.kit) {
    throw new StationError('LINE_NOT_PRINTABLE', `Line ${line.lineNumber} cannot be labelled: ${line.problem}`, { status: 422, hint: 'Fix the item in GoldLeaf; the station picks it up at the next sync.' });
  }
  if (subject === 'kit') {
    if (!line.kit) throw new StationError('TEMPLATE_SUBJECT', `Line ${line.lineNumber} is not a hose kit; choose an assembly label.`, { status: 422 });
    return Array.from({ length: line.quantity }, () => ({ kit: line.kit! }));
  }
  if (line.assembly) return Array.from({ length: line.quantity }, () => ({ assembly: line.assembly! }));
  if (line.kit) {
    const kit = line.kit;
    return Array.from({ length: line.quantity }, () => kit.assemblies.flatMap((k) => Array.from({ length: k.quantity }, () => ({ assembly: k.assembly, kit })))).flat();
  }
  throw new StationError('LINE_NOT_PRINTABLE', `Line ${line.lineNumber} holds neither a hose assembly nor a kit.`, { status: 422 });
}

/**
 * The tags of one print of a line: the whole line's plan, the part to print, and how it is numbered. Without `from`,
 * `quantity` tags make a set of their own ("1 of 6"); with it, the part of the line from there ("7 of 24"), refused past
 * the line's end.
 */
export function planTags(wo: { number: string }, line: LineView, subject: Subject, o: { quantity?: number; from?: number }): { full: LabelPlanItem[]; plan: LabelPlanItem[]; numbering?: { from: number; of: number } } {
  const full = planLine(line, subject);
  if (o.from === undefined) return { full, plan: o.quantity === undefined ? full : planLine({ ...line, quantity: o.quantity }, subject) };
  const count = o.quantity ?? full.length - o.from + 1;
  if (o.from > full.length || o.from + count - 1 > full.length) {
    throw new StationError('TAGS_PAST_LINE', `Line ${line.lineNumber} of ${wo.number} has ${full.length} tags; tags ${o.from} to ${o.from + count - 1} would go past them.`, {
      status: 422,
      hint: o.from > full.length ? 'The line has all its tags.' : `Print at most ${full.length - o.from + 1}, from tag ${o.from}.`,
    });
  }
  return { full, plan: full.slice(o.from - 1, o.from - 1 + count), numbering: { from: o.from, of: full.length } };
}

/** What every label of one batch knows besides its line; one object each, shared by the batch's labels. */
export interface LabelContext {
  shop: { name: string };
  station: { name: string };
  date: string;
}

export function labelData(
  ctx: LabelContext,
  wo: WorkOrderView,
  line: LineView | undefined,
  item: LabelPlanItem,
  serial: string,
  index: number,
  count: number,
): LabelData {
  const po = line?.purchaseOrder ?? wo.purchaseOrder;
  return {
    shop: ctx.shop,
    station: ctx.station,
    workOrder: wo,
    ...(line ? { line } : {}),
    ...(item.assembly ? { assembly: item.assembly } : {}),
    ...(item.kit ? { kit: item.kit } : {}),
    ...(po ? { po } : {}),
    serial,
    index,
    count,
    of: `${index} of ${count}`,
    date: ctx.date,
  };
}
