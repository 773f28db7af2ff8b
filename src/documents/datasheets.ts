// Work-order, hose-assembly and hose-kit datasheets (PDF), laid out from the templates in templates/documents.
import type { AssemblyEnd, AssemblyView, KitView, LineView, WorkOrderView } from '../domain/work-order.js';
import { formatQuantity, formatToleranced } from '../kiosk/format.js';
import { compileText } from '../labels/bind.js';
import type { LabelFont, Weight } from '../labels/fonts.js';
import type { PdfPage } from '../pdf/canvas.js';
import { drawAssembly } from './drawing.js';
import { Flow } from './flow.js';
import type { AssemblyDatasheetDef, Column, KitDatasheetDef, WorkOrderDatasheetDef } from './template-schema.js';

export interface DocumentContext {
  shop: { name: string };
  station: { name: string };
  printedAt: string;
  workOrder: WorkOrderView;
  line?: LineView;
  assembly?: AssemblyView;
  kit?: KitView;
}

export interface DatasheetDeps {
  fonts: Record<Weight, LabelFont>;
  logo?: Uint8Array;
}

const fill = (text: string, data: unknown) => compileText(text)(data);

/** The running header: logo left, header lines right, the title, and a barcode of `code` on the right. */
function header(deps: DatasheetDeps, def: { headerLines: string[] }, title: string, data: unknown, code?: string) {
  return async (page: PdfPage, flow: Flow): Promise<number> => {
    const top = flow.y;
    if (deps.logo) await page.image(deps.logo, flow.left, top, 36, 11);
    let y = top;
    for (const line of def.headerLines) {
      const text = fill(line, data);
      const w = flow.font('regular').width(text) * 3;
      await page.text(text, flow.right - Math.min(w, 90), y + 2.6, 3, 'regular', 0, true);
      y += 3.8;
    }
    const titleTop = Math.max(top + 14, y + 2);
    await flow.textAt(title, flow.left, titleTop, 6.5, 'bold', flow.contentWidth - (code ? 62 : 0));
    if (code) flow.barcode('code128', code, flow.right - 60, titleTop - 1, 60, 10);
    page.line(flow.left, titleTop + 11, flow.right, titleTop + 11, 0.5);
    return titleTop + 14 - top;
  };
}

function cells(columns: readonly Column[], data: unknown): string[] {
  return columns.map((c) => fill(c.value, data));
}

type SheetDef = WorkOrderDatasheetDef | AssemblyDatasheetDef | KitDatasheetDef;

/** Opens a datasheet: the filled title, page settings, and `code` in the footer and (when shown) as the header barcode. */
function startSheet(deps: DatasheetDeps, def: SheetDef, ctx: DocumentContext, code: string): Promise<Flow> {
  const title = fill(def.title, ctx);
  return Flow.start(deps.fonts, title, {
    size: def.page.size,
    marginMm: def.page.marginMm,
    footer: `${code} · ${fill(def.footer, ctx)}`,
    header: header(deps, def, title, ctx, def.show.barcode ? code : undefined),
  });
}

/** The identity rows an assembly or kit datasheet opens with. */
function partRows(part: AssemblyView | KitView, ctx: DocumentContext): [string, string | undefined][] {
  return [
    ['Revision', part.revision],
    ['Customer part', part.customerPartNumber],
    ['Description', part.description],
    ['Work order', ctx.line ? `${ctx.workOrder.number} line ${ctx.line.lineNumber} × ${ctx.line.quantity}` : ctx.workOrder.number],
    ['Customer', ctx.workOrder.customer?.name],
  ];
}

export async function workOrderDatasheet(deps: DatasheetDeps, def: WorkOrderDatasheetDef, ctx: DocumentContext): Promise<Uint8Array> {
  const wo = ctx.workOrder;
  const flow = await startSheet(deps, def, ctx, wo.number);
  await flow.keyValues([
    ['Customer', wo.customer?.name],
    ['Customer PO', wo.purchaseOrder],
    ['Status', wo.status],
    ['Revision', wo.revision],
    ['Start', wo.startDate?.slice(0, 10)],
    ['Due', wo.dueDate?.slice(0, 10)],
    ['Description', wo.description],
    ['Lines', String(wo.lines.length)],
  ]);
  await flow.heading('Lines');
  const rows = wo.lines.map((line) => cells(def.columns, { ...ctx, line, assembly: line.assembly, kit: line.kit }));
  await flow.table(def.columns, rows);
  if (def.show.notes) {
    const notes = [
      wo.comments,
      ...wo.lines.flatMap((l) => [l.comments ? `Line ${l.lineNumber}: ${l.comments}` : undefined, l.assembly?.productionNotes ? `Line ${l.lineNumber} (${l.assembly.partNumber}): ${l.assembly.productionNotes}` : undefined, l.problem ? `Line ${l.lineNumber}: ${l.problem}` : undefined]),
    ].filter((n): n is string => !!n && n.trim() !== '');
    if (notes.length) {
      await flow.heading('Notes');
      for (const n of notes) await flow.paragraph(n);
    }
  }
  return flow.finish();
}

const crimpSummary = (e: AssemblyEnd) => [formatToleranced(e.crimp?.diameter), e.crimp?.dieSize ? `die ${e.crimp.dieSize}` : ''].filter(Boolean).join('  ') || '—';

const endRows = (a: AssemblyView, pick: (e: AssemblyEnd) => string | undefined) => [pick(a.end1) ?? '—', pick(a.end2) ?? '—'];

export async function assemblyDatasheet(deps: DatasheetDeps, def: AssemblyDatasheetDef, ctx: DocumentContext & { assembly: AssemblyView }): Promise<Uint8Array> {
  const a = ctx.assembly;
  const flow = await startSheet(deps, def, ctx, a.partNumber);
  await flow.keyValues(partRows(a, ctx));
  if (def.show.hose) {
    await flow.heading('Hose');
    const mwp = a.hose.maxWorkingPressure;
    await flow.keyValues([
      ['Brand', a.hose.brand],
      ['Part number', a.hose.partNumber],
      ['Spec', a.hose.spec],
      ['Size', [a.hose.size, a.hose.nominalSize].filter(Boolean).join('  ')],
      ['Max working pressure', mwp ? formatQuantity(mwp) : undefined],
      ['Description', a.hose.description],
    ]);
  }
  await flow.heading('Length');
  await flow.keyValues([
    ['Overall length', a.length ? `${formatQuantity(a.length)}${a.length.tolerance ? ` ${a.length.tolerance}` : ''}` : undefined],
    ['Cut length', formatQuantity(a.cutLength) || undefined],
    ['Defined by', a.definedByCutLength ? 'cut length' : 'overall length'],
    ['Orientation', a.orientationDeg === undefined ? undefined : `${a.orientationDeg}°`],
  ]);
  if (def.show.ends || def.show.crimp) {
    await flow.heading(def.show.crimp ? 'Ends and crimp data' : 'Ends');
    const columns: Column[] = [
      { title: '', value: '', weight: 1.2, align: 'left' },
      { title: 'End A', value: '', weight: 2, align: 'left' },
      { title: 'End B', value: '', weight: 2, align: 'left' },
    ];
    const rows: string[][] = [
      ['Fitting', ...endRows(a, (e) => e.fittingPartNumber)],
      ['Description', ...endRows(a, (e) => e.fittingDescription)],
      ['Ferrule', ...endRows(a, (e) => e.ferrulePartNumber)],
      ['Angle', ...endRows(a, (e) => (e.angleDeg === undefined ? undefined : `${e.angleDeg}°`))],
    ];
    if (def.show.crimp) {
      rows.push(
        ['Crimp diameter', ...endRows(a, (e) => formatToleranced(e.crimp?.diameter) || undefined)],
        ['Die', ...endRows(a, (e) => e.crimp?.dieSize)],
        ['Insert length', ...endRows(a, (e) => formatQuantity(e.crimp?.insertLength) || undefined)],
        ['Skive (outer)', ...endRows(a, (e) => formatToleranced(e.crimp?.skiveExternal) || undefined)],
        ['Skive (inner)', ...endRows(a, (e) => formatToleranced(e.crimp?.skiveInternal) || undefined)],
        ['Spacer ring', ...endRows(a, (e) => e.crimp?.spacerRing)],
        ['Crimp stretch', ...endRows(a, (e) => formatQuantity(e.crimp?.stretch) || undefined)],
      );
    }
    // Rows empty on both ends (no skive on a one-piece fitting, say) would only be noise.
    await flow.table(columns, rows.filter((r) => r[1] !== '—' || r[2] !== '—'), 3.3);
  }
  if (def.show.tests) {
    await flow.heading('Tests');
    await flow.keyValues([
      ['Proof test', a.proofTest ? 'required' : 'not required'],
      ['Burst test', a.burstTest ? 'required' : 'not required'],
    ]);
  }
  if (def.show.bom) {
    await flow.heading('Bill of materials');
    const cut = formatQuantity(a.cutLength ?? a.length);
    const bom: string[][] = [
      ['1', a.hose.partNumber ?? '—', `${a.hose.description ?? 'hose'}${cut ? `, cut to ${cut}` : ''}`],
      ['1', a.end1.fittingPartNumber ?? '—', a.end1.fittingDescription ?? 'fitting, end A'],
      ['1', a.end2.fittingPartNumber ?? '—', a.end2.fittingDescription ?? 'fitting, end B'],
      ...[a.end1.ferrulePartNumber, a.end2.ferrulePartNumber].filter((f): f is string => !!f).map((f) => ['1', f, 'ferrule']),
    ];
    await flow.table(
      [
        { title: 'Qty', value: '', weight: 0.5, align: 'right' },
        { title: 'Part number', value: '', weight: 1.5, align: 'left' },
        { title: 'Description', value: '', weight: 4, align: 'left' },
      ],
      bom,
    );
  }
  if (def.show.notes && a.productionNotes) {
    await flow.heading('Production notes');
    await flow.paragraph(a.productionNotes);
  }
  if (def.show.drawing) {
    await flow.heading('Drawing', 4.2, 44);
    await drawAssembly(flow, a, flow.left, flow.y, flow.contentWidth, 38);
    flow.y += 42;
  }
  return flow.finish();
}

export async function kitDatasheet(deps: DatasheetDeps, def: KitDatasheetDef, ctx: DocumentContext & { kit: KitView }): Promise<Uint8Array> {
  const kit = ctx.kit;
  const flow = await startSheet(deps, def, ctx, kit.partNumber);
  await flow.keyValues([...partRows(kit, ctx), ['Assemblies', String(kit.assemblies.reduce((n, k) => n + k.quantity, 0))]]);
  await flow.heading('Assemblies in the kit');
  await flow.table(def.columns, kit.assemblies.map((k) => cells(def.columns, { ...ctx, assembly: k.assembly, quantity: k.quantity })));
  if (def.show.crimp) {
    await flow.heading('Crimp data');
    await flow.table(
      [
        { title: 'Assembly', value: '', weight: 1.4, align: 'left' },
        { title: 'End A crimp', value: '', weight: 2, align: 'left' },
        { title: 'End B crimp', value: '', weight: 2, align: 'left' },
      ],
      kit.assemblies.map(({ assembly: a }) => [
        a.partNumber,
        crimpSummary(a.end1),
        crimpSummary(a.end2),
      ]),
    );
  }
  return flow.finish();
}
