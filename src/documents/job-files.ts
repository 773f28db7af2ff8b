// Marken and Parker PTS files from the shop's local column layout, for when GoldLeaf cannot make them.
import type { LineView, WorkOrderView } from '../domain/work-order.js';
import { compileText } from '../labels/bind.js';
import type { RenderedDocument } from '../printing/types.js';
import type { FileLayoutDef } from './template-schema.js';

interface Row {
  line: LineView;
  assembly: NonNullable<LineView['assembly']>;
  quantity: number;
}

function rowsOf(lines: readonly LineView[], per: FileLayoutDef['rowPer']): Row[] {
  const rows: Row[] = [];
  for (const line of lines) {
    const items = line.assembly ? [{ assembly: line.assembly, quantity: line.quantity }] : (line.kit?.assemblies.map((k) => ({ assembly: k.assembly, quantity: k.quantity * line.quantity })) ?? []);
    for (const item of items) {
      if (per === 'piece') for (let i = 0; i < item.quantity; i++) rows.push({ line, assembly: item.assembly, quantity: 1 });
      else rows.push({ line, ...item });
    }
  }
  return rows;
}

/** A value that cannot break the file: no line breaks or control bytes; delimited values quoted when needed. */
function cell(value: string, layout: FileLayoutDef, width?: number): string {
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, ' ');
  if (layout.format === 'fixed') return clean.slice(0, width ?? clean.length).padEnd(width ?? 0);
  return clean.includes(layout.delimiter) || clean.includes('"') ? `"${clean.replace(/"/g, '""')}"` : clean;
}

export function localJobFile(
  layout: FileLayoutDef,
  ctx: { workOrder: WorkOrderView; shop: { name: string }; lines: readonly LineView[]; reason: string; printedAt: string },
): RenderedDocument {
  const values = layout.columns.map((c) => ({ ...c, bound: compileText(c.value) }));
  const out: string[] = [];
  if (layout.commentPrefix) {
    out.push(`${layout.commentPrefix} made by benchprint from the local layout "${layout.id}" v${layout.version}, not by GoldLeaf (${cell(ctx.reason, { ...layout, format: 'fixed' })}); ${ctx.printedAt}`);
  }
  const join = (parts: string[]) => (layout.format === 'fixed' ? parts.join('') : parts.join(layout.delimiter));
  if (layout.header) out.push(join(layout.columns.map((c) => cell(c.title, layout, c.widthChars))));
  for (const row of rowsOf(ctx.lines, layout.rowPer)) {
    const data = { ...ctx, line: row.line, assembly: row.assembly, quantity: row.quantity };
    out.push(join(values.map((c) => cell(c.bound(data), layout, c.widthChars))));
  }
  const text = out.join(layout.lineEnding) + layout.lineEnding;
  const name = compileText(layout.fileName)(ctx).replace(/[^\w.-]+/g, '_');
  return {
    format: 'file',
    bytes: new Uint8Array(Buffer.from(text, layout.encoding)),
    meta: { name, contentType: layout.format === 'fixed' ? 'text/plain' : 'text/csv', origin: `local layout ${layout.id} v${layout.version}` },
  };
}
