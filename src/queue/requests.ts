// Turns a print request (labels of a line, a document, a test page, raw ZPL) into a rendered job for the queue.
import { assertFitsStock, assertPageFits, pageRank } from '../labels/fit.js';
import type { Stock } from '../printing/media.js';
import { assertFor, useOf } from '../printing/uses.js';
import { z } from 'zod';
import type { CachedWorkOrder } from '../domain/work-order.js';
import { DOCUMENT_KINDS, GOLDLEAF_LABEL_MM, GOLDLEAF_LABEL_SIZES, type DocumentService, type GoldleafLabelSize } from '../documents/service.js';
import { StationError } from '../errors.js';
import type { LabelEngine } from '../labels/engine.js';
import { printerWords, type PrinterRegistry } from '../printing/registry.js';
import { testPage } from '../printing/test-page.js';
import type { DocumentStage, RenderedDocument } from '../printing/types.js';
import type { JobRecord, JobStore, NewJob } from './job-store.js';
import type { PrintedWith } from '../labels/tag-changes.js';

export const printRequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('labels'),
    printer: z.string().min(1),
    workOrder: z.string().min(1),
    line: z.number().int().min(0).optional(),
    template: z.string().min(1),
    quantity: z.number().int().min(1).max(10_000).optional(),
    from: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .optional()
      .meta({ description: 'The rest of a line\'s tags: the number of the first within the line (7 prints "7 of 24" first); quantity is then how many, at most what is left.' }),
    force: z.boolean().optional(),
  }),
  z.strictObject({
    kind: z.literal('document'),
    printer: z.string().min(1),
    workOrder: z.string().min(1),
    document: z.enum(DOCUMENT_KINDS),
    line: z.number().int().min(0).optional(),
    source: z.enum(['local', 'goldleaf']).optional(),
    labelSize: z
      .enum(GOLDLEAF_LABEL_SIZES)
      .optional()
      .meta({ description: "GoldLeaf's labels (goldleaf-labels) in inches; without it, the size the printer's stock takes best (2x3 where its stock is not known)." }),
    force: z.boolean().optional(),
  }),
  z.strictObject({
    kind: z.literal('template'),
    printer: z.string().min(1),
    template: z.string().min(1),
    /** One object per label, bound to the template's placeholders as work-order data would be. */
    labels: z.array(z.record(z.string(), z.unknown())).min(1).max(5000),
    force: z.boolean().optional(),
  }),
  z.strictObject({ kind: z.literal('test'), printer: z.string().min(1), force: z.boolean().optional() }),
  z.strictObject({
    kind: z.literal('template-test'),
    printer: z.string().min(1),
    /** A template's id, or a draft (the designer's open template, saved or not). */
    template: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
    workOrder: z.string().min(1).meta({ description: 'The line whose data fills the test label.' }),
    line: z.number().int().min(0).optional(),
    force: z.boolean().optional(),
  }),
  z.strictObject({ kind: z.literal('raw'), printer: z.string().min(1), zpl: z.string().min(1).max(4_000_000), force: z.boolean().optional() }),
]);

/** What each document is called on the bench. */
const DOCUMENT_TITLES: Record<(typeof DOCUMENT_KINDS)[number], string> = {
  datasheet: 'Datasheet',
  'assembly-datasheet': 'Datasheet',
  'kit-datasheet': 'Kit datasheet',
  traveler: 'Traveler for',
  marken: 'Marken file for',
  pts: 'PTS file for',
  'goldleaf-labels': 'GoldLeaf labels for',
};

/** Papers that carry the day they were made (a datasheet's "printed", the labels GoldLeaf's are replaced with when it is away); Marken and PTS files do not. */
const DATED_DOCUMENTS: ReadonlySet<string> = new Set(DOCUMENT_KINDS.filter((k) => k !== 'marken' && k !== 'pts'));

/** A line's tags made so far: all of them, and those of other benches by bench. */
export interface TagsMade {
  made: number;
  elsewhere: Array<{ bench: string; tags: number }>;
}

/**
 * The rest of a line's tags is asked for from a number: if tags with that number are made already (another kiosk, a
 * request sent twice with different keys), printing them would give two tags "7 of 24" with different serials for one
 * hose. Refused, saying where the rest starts now; `force` prints them anyway as a new set.
 */
function notMadeYet(wo: CachedWorkOrder, lineNumber: number, from: number, quantity: number | undefined, tags: TagsMade): void {
  const made = tags.made;
  if (made < from) return;
  const where = tags.elsewhere.length ? ` (${tags.elsewhere.map((b) => `${b.tags} on ${b.bench}`).join(', ')})` : '';
  const of = wo.lines.find((l) => l.lineNumber === lineNumber)?.quantity;
  const to = quantity === undefined ? of : from + quantity - 1;
  throw new StationError(
    'TAGS_ALREADY_MADE',
    `Line ${lineNumber} of ${wo.number} has ${made} tags made already${where}; tags ${from}${to && to !== from ? ` to ${to}` : ''}${of ? ` of ${of}` : ''} would repeat numbers with new serials.`,
    {
      status: 409,
      hint: `${of !== undefined && made < of ? `Ask for the rest from ${made + 1}; ` : ''}a damaged tag is reprinted with its own serial by scanning it. Send "force": true to print them as a new set anyway.`,
    },
  );
}

/** ", 7 to 24 of 24" for tags numbered within their line from other than 1. */
function numbered(serials: ReadonlyArray<{ number: number; of: number }>): string {
  const first = serials[0];
  const last = serials.at(-1);
  if (!first || !last || first.number === 1) return '';
  return first === last ? `, tag ${first.number} of ${first.of}` : `, tags ${first.number} to ${last.number} of ${first.of}`;
}

/** The part a line makes, in words: "HA-1040 rev B", "kit KIT-7". */
function linePart(wo: CachedWorkOrder, line: number | undefined): string | undefined {
  const l = line === undefined ? undefined : wo.lines.find((x) => x.lineNumber === line);
  if (l?.assembly) return `${l.assembly.partNumber}${l.assembly.revision ? ` rev ${l.assembly.revision}` : ''}`;
  if (l?.kit) return `kit ${l.kit.partNumber}`;
  return undefined;
}
export type PrintRequest = z.infer<typeof printRequestSchema>;

export interface RequestDeps {
  labels: LabelEngine;
  documents: DocumentService;
  printers: PrinterRegistry;
  stationName: string;
  expireAfterMin: number;
  /** A printable work order by id or number, asked of GoldLeaf when unknown here (throws when not found or no longer released). */
  workOrder(ref: string): CachedWorkOrder | Promise<CachedWorkOrder>;
  /** Where a long document is written as it is made (the job store); without it, documents are held whole. */
  stage?: () => DocumentStage;
  /** Throws while this PC's clock would date new tags and papers wrong (see ClockCheck). */
  clockCheck?: { assertDatesRight(): void };
  /**
   * Tags made for a line (printed, in the queue or in doubt) on this bench and, in a shop, on the others the ledger
   * knows of: the rest of a line starts after them.
   */
  tagsMade?: (workOrderNumber: string, lineNumber: number) => TagsMade | Promise<TagsMade>;
}

/** Renders the request now (serials are allocated here), so the queue only ever sends stored bytes. */
export async function renderRequest(req: PrintRequest, requestedBy: string, deps: RequestDeps, idempotencyKey?: string): Promise<NewJob> {
  const printer = deps.printers.get(req.printer);
  const formats = printer.driver?.formats ?? [];
  // What the printer is set to be for (a test page of its own goes to any).
  if (req.kind !== 'test') assertFor(printer, useOf(req.kind === 'document' ? req.document : 'labels'));
  const base = {
    printerId: printer.id,
    requestedBy,
    expiresAt: new Date(Date.now() + deps.expireAfterMin * 60_000).toISOString(),
    ...(idempotencyKey ? { idempotencyKey } : {}),
  };
  switch (req.kind) {
    case 'labels': {
      const wo = await deps.workOrder(req.workOrder);
      assertFitsStock(deps.labels.templates.get(req.template).def, { ...printer.entry, id: printer.id }, deps.printers.stock(printer.id));
      deps.clockCheck?.assertDatesRight();
      if (req.from !== undefined && req.line !== undefined && !req.force && deps.tagsMade) notMadeYet(wo, req.line, req.from, req.quantity, await deps.tagsMade(wo.number, req.line));
      const format = formats.includes('zpl') ? 'zpl' : 'pdf';
      const result = await deps.labels.lineLabels(
        {
          workOrder: wo,
          ...(req.line === undefined ? {} : { lineNumber: req.line }),
          templateId: req.template,
          format,
          dpmm: printer.entry.dpmm,
          ...(req.quantity === undefined ? {} : { quantity: req.quantity }),
          ...(req.from === undefined ? {} : { from: req.from }),
        },
        deps.stage?.(),
      );
      // What the line's tags are made from, for the kiosk to tell when the line changes afterwards.
      const line = req.line === undefined ? undefined : wo.lines.find((l) => l.lineNumber === req.line);
      const po = line?.purchaseOrder ?? wo.purchaseOrder;
      const madeFrom: PrintedWith | undefined = line && { line: { assembly: line.assembly, kit: line.kit, purchaseOrder: line.purchaseOrder }, ...(po ? { po } : {}) };
      // Labels, not document parts: a PDF of 1,000 tags is one part.
      const count = result.labels.length || (result.document.meta.partEnds?.length ?? 1);
      const name = deps.labels.templates.get(result.template.id).def.name;
      return {
        ...base,
        kind: 'labels',
        title: `${count} ${count === 1 ? 'tag' : 'tags'} for ${wo.number}${req.line === undefined ? '' : ` line ${req.line}`}${linePart(wo, req.line) ? ` (${linePart(wo, req.line)})` : ''}${numbered(result.serials)}, ${name}`,
        workOrder: { id: wo.id, number: wo.number },
        ...(req.line === undefined ? {} : { lineNumber: req.line }),
        template: result.template,
        document: result.document,
        labelData: result.labels,
        ...(madeFrom ? { printedWith: madeFrom } : {}),
        serials: result.serials.map((s) => s.serial),
        ...(result.serials[0] ? { batchId: result.serials[0].batchId } : {}),
      };
    }
    case 'document': {
      const wo = await deps.workOrder(req.workOrder);
      if (DATED_DOCUMENTS.has(req.document)) deps.clockCheck?.assertDatesRight();
      const labelSize = req.document === 'goldleaf-labels' ? (req.labelSize ?? goldleafLabelSize(deps.printers.stock(printer.id))) : undefined;
      const produced = await deps.documents.produce({ workOrder: wo, kind: req.document, ...(req.line === undefined ? {} : { lineNumber: req.line }), ...(req.source ? { source: req.source } : {}), ...(labelSize ? { labelSize } : {}) });
      const document = fitFormat(produced.document, formats, printerWords(printer.id, printer.entry));
      if (produced.fallbackReason) document.meta.origin = `${document.meta.origin ?? 'local'} (GoldLeaf unavailable: ${produced.fallbackReason})`;
      const part = req.document === 'datasheet' || req.document === 'traveler' ? undefined : linePart(wo, req.line);
      const title = `${DOCUMENT_TITLES[req.document]} ${part ?? wo.number}${part && req.document !== 'assembly-datasheet' && req.document !== 'kit-datasheet' ? ` (${wo.number})` : ''}`;
      // A page printed on the printer's stock (a hot folder keeps the file as it is).
      if (document.format === 'pdf' || document.format === 'png') assertPageFits({ title, pageMm: document.meta.pageMm }, { ...printer.entry, id: printer.id }, deps.printers.stock(printer.id));
      return {
        ...base,
        kind: 'document',
        documentKind: req.document,
        title,
        workOrder: { id: wo.id, number: wo.number },
        ...(req.line === undefined ? {} : { lineNumber: req.line }),
        ...(produced.template ? { template: produced.template } : {}),
        document,
      };
    }
    case 'template': {
      const template = deps.labels.templates.get(req.template);
      assertFitsStock(template.def, { ...printer.entry, id: printer.id }, deps.printers.stock(printer.id));
      deps.clockCheck?.assertDatesRight();
      const format = formats.includes('zpl') ? 'zpl' : 'pdf';
      const document = await deps.labels.render(template, req.labels, format, printer.entry.dpmm, `${template.def.id}-explicit.${format}`, deps.stage?.());
      const count = req.labels.length;
      return { ...base, kind: 'labels', title: `${count} ${count === 1 ? 'label' : 'labels'}, ${template.def.name}`, template: { id: template.def.id, version: template.def.version }, document, labelData: req.labels };
    }
    case 'template-test': {
      // One label of a template (or the designer's draft) with a real line's data and a serial that is never stored.
      const draft = typeof req.template !== 'string';
      const template = draft ? deps.labels.templates.check({ version: 1, ...(req.template as object) }) : deps.labels.templates.get(req.template as string);
      const wo = await deps.workOrder(req.workOrder);
      const format = formats.includes('zpl') ? 'zpl' : 'pdf';
      assertFitsStock(template.def, { ...printer.entry, id: printer.id }, deps.printers.stock(printer.id));
      if (template.def.kind === 'zpl' && format !== 'zpl') throw new StationError('FORMAT_NOT_ACCEPTED', `${printerWords(printer.id, printer.entry)} does not take ZPL; this template is raw ZPL.`, { status: 422, hint: 'Test it on a Zebra (ZPL) printer.' });
      const document = await deps.labels.render(template, [deps.labels.previewData(wo, req.line, template)], format, printer.entry.dpmm, `${template.def.id}-test.${format}`);
      return { ...base, kind: 'test', title: `Test of template ${template.def.name} (${draft ? 'as open in the designer' : `v${template.def.version}`})`, template: { id: template.def.id, version: template.def.version }, document };
    }
    case 'test':
      return { ...base, kind: 'test', title: `Test page for ${printer.entry.name ?? printer.id}`, document: await testPage(printer, { stationName: deps.stationName, fonts: deps.labels.fonts }) };
    case 'raw': {
      // Raw ZPL is the caller's own design (only tokens allowed it may send it): split into labels for progress.
      const bytes = new TextEncoder().encode(req.zpl);
      const ends = [...req.zpl.matchAll(/\^XZ\s*/gi)].map((m) => Buffer.byteLength(req.zpl.slice(0, m.index + m[0].length)));
      const document: RenderedDocument = { format: 'zpl', bytes, meta: { name: 'raw.zpl', contentType: 'application/vnd.zebra.zpl', partEnds: ends.length ? ends : [bytes.length], origin: 'raw ZPL' } };
      return { ...base, kind: 'raw', title: `Raw ZPL, ${ends.length || 1} ${ends.length === 1 ? 'label' : 'labels'}`, document };
    }
  }
}

/**
 * Refuses to move a waiting job onto a printer whose stock cannot take it: labels too large for it (their template as
 * the job was made with; a template no longer here is not checked), or a page its paper does not take (a PDF or PNG
 * document; a hot folder keeps files as they are). Jobs from before their page was kept are not checked.
 */
export function jobFitsOn(labels: LabelEngine, printers: PrinterRegistry, jobs: Pick<JobStore, 'documentFacts'>, job: Pick<JobRecord, 'id' | 'kind' | 'format' | 'title' | 'templateId' | 'templateVersion'>, to: string): void {
  const printer = printers.get(to);
  if (job.kind === 'document') {
    if (job.format === 'pdf' || job.format === 'png') assertPageFits({ title: job.title, pageMm: jobs.documentFacts(job.id).pageMm }, { ...printer.entry, id: printer.id }, printers.stock(to));
    return;
  }
  if (!job.templateId) return;
  let template;
  try {
    template = labels.templates.get(job.templateId, job.templateVersion);
  } catch {
    return;
  }
  assertFitsStock(template.def, { ...printer.entry, id: printer.id }, printers.stock(to));
}

/** The GoldLeaf label size the printer's stock takes best: its own size, else the larger that fits; 2x3 where not known. */
function goldleafLabelSize(stock: Stock | undefined): GoldleafLabelSize {
  let best: { size: GoldleafLabelSize; rank: number } | undefined;
  for (const size of GOLDLEAF_LABEL_SIZES) {
    const rank = stock ? pageRank(GOLDLEAF_LABEL_MM[size], stock) : undefined;
    if (rank !== undefined && (!best || rank < best.rank)) best = { size, rank };
  }
  return best?.size ?? '2x3';
}

/** A hot folder that takes "file" can receive any document as a file. */
function fitFormat(document: RenderedDocument, formats: readonly string[], printer: string): RenderedDocument {
  if (formats.includes(document.format)) return document;
  if (formats.includes('file')) return { ...document, format: 'file' };
  throw new StationError('FORMAT_NOT_ACCEPTED', `${printer} takes ${formats.join(', ') || 'nothing'}; this document is ${document.format}.`, {
    status: 422,
    hint: 'Choose a printer for this kind of document.',
  });
}
