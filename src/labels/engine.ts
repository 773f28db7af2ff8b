// The label engine: one template, one line's data and serials, rendered as ZPL or PDF to print, or SVG/PNG to preview.
import type { CachedWorkOrder, LineView } from '../domain/work-order.js';
import { turnTaker } from '../lib/yield.js';
import { StationError } from '../errors.js';
import type { Logger } from '../logger.js';
import { SEGMENT_BYTES, type DocumentStage, type PrintDocument, type RenderedDocument } from '../printing/types.js';
import { loadFonts, type LabelFont, type Weight } from './fonts.js';
import { imageLoader, type ImageLoader } from './images.js';
import type { TemplateStore } from './template-store.js';
import { findLine, labelData, planLine, planTags, type LabelContext, type LabelData } from './label-data.js';
import { layoutLabel, type CompiledLayout } from './layout.js';
import { PdfRenderer } from './pdf-render.js';
import { BackgroundThread } from '../background/thread.js';
import { labelToSvg, svgToPng, textLineBitmap } from './preview.js';
import type { SerialRecord, SerialStore } from './serials.js';
import { TemplateRegistry, type LoadedTemplate } from './templates.js';
import { ZplLabelMaker } from './zpl-maker.js';
import { ShopClock } from '../lib/shop-clock.js';
import { layered } from '../lib/template-folders.js';

export type { Subject } from './label-data.js';
export type LabelFormat = 'zpl' | 'pdf';
export type PreviewFormat = LabelFormat | 'svg' | 'png';

export interface LabelEngineOptions {
  /** The templates shipped with benchprint (labels/, fonts/, images/). */
  templatesDir: string;
  /** A shop's own templates folder, laid over the shipped one (see template-folders). */
  shopTemplatesDir?: string;
  serials: SerialStore;
  shopName: string;
  stationName: string;
  /** The shop's clock, for the assembly date on labels; the machine's own time zone without it. */
  clock?: ShopClock;
  /** Font files for characters the label fonts lack, in order (missing files are skipped). */
  fallbackFonts?: readonly string[];
  /** Templates and images made at the station (its store); without it, only the shipped ones. */
  templateStore?: TemplateStore;
  logger?: Logger;
  /** The station's background thread, which draws PDF labels; without it the engine starts its own. */
  thread?: BackgroundThread;
}

export interface LineLabelsRequest {
  workOrder: CachedWorkOrder;
  /** Required for assembly and kit labels. */
  lineNumber?: number;
  templateId: string;
  format: LabelFormat;
  dpmm: number;
  /** Tags to print instead of the line's quantity (assembly and kit labels). */
  quantity?: number;
  /**
   * The rest of a line's tags: the number of the first, within the line ("7" prints "7 of 24" first); `quantity` is
   * then a number of tags, at most what the line has left from there (all of it without one).
   */
  from?: number;
  /** Print these tags of an earlier batch again, with their serials (drawn with the template version that printed them). */
  reprint?: { batchId: string; from?: number; to?: number };
}

export interface LabelDocument<D extends PrintDocument = RenderedDocument> {
  document: D;
  serials: SerialRecord[];
  /** What each label was filled with, in order. */
  labels: LabelData[];
  template: { id: string; version: number };
}

/** PDFs of at least this many labels are streamed into the store when a stage is given (shorter ones are small). */
const STREAM_PDF_LABELS = 200;

const CONTENT_TYPE: Record<PreviewFormat, string> = { zpl: 'application/vnd.zebra.zpl', pdf: 'application/pdf', svg: 'image/svg+xml', png: 'image/png' };

export class LabelEngine {
  readonly templates: TemplateRegistry;
  readonly fonts: Record<Weight, LabelFont>;
  readonly images: ImageLoader;
  private readonly fontsDirs: string[];
  /** PDF labels are drawn on the background thread, off the station's event loop. */
  private readonly pdf: PdfRenderer;
  /** The thread the engine started itself (none was given), which it ends at close. */
  private readonly ownThread: BackgroundThread | undefined;
  private readonly clock: ShopClock;

  constructor(private readonly o: LabelEngineOptions) {
    this.clock = o.clock ?? new ShopClock();
    const dirs = (sub: string) => layered(o.templatesDir, o.shopTemplatesDir, sub);
    this.fontsDirs = dirs('fonts');
    this.templates = TemplateRegistry.load(dirs('labels'), o.logger, o.templateStore);
    this.fonts = loadFonts(this.fontsDirs, o.fallbackFonts ?? []);
    this.images = imageLoader(dirs('images'), (name) => o.templateStore?.image(name));
    if (!o.thread) this.ownThread = new BackgroundThread();
    this.pdf = new PdfRenderer(o.thread ?? this.ownThread!, { fontsDirs: this.fontsDirs, fallbackFonts: o.fallbackFonts ?? [], onMissing: (cps) => this.reportMissing(cps) });
  }

  /** Ends the PDF drawing thread if the engine started it; a station's own thread is the station's to end. */
  async close(): Promise<void> {
    await this.ownThread?.close();
  }

  /**
   * The labels of one line (or the work-order label), with new serials or, for a reprint, the batch's own. With a
   * stage, a long ZPL document is written into it as it is made (see render).
   */
  async lineLabels(req: LineLabelsRequest): Promise<LabelDocument>;
  async lineLabels(req: LineLabelsRequest, stage: DocumentStage | undefined): Promise<LabelDocument<PrintDocument>>;
  async lineLabels(req: LineLabelsRequest, stage?: DocumentStage): Promise<LabelDocument<PrintDocument>> {
    // A reprint draws with the version that printed the batch; anything else with the active one.
    const printedWith = req.reprint ? this.o.serials.batch(req.reprint.batchId, 1, 1)[0]?.templateVersion : undefined;
    const template = this.templates.get(req.templateId, printedWith);
    const subject = template.def.subject;
    const wo = req.workOrder;
    const ctx = this.context();
    let data: LabelData[];
    let serials: SerialRecord[] = [];
    if (subject === 'workorder') {
      data = [labelData(ctx, wo, undefined, {}, '', 1, 1)];
    } else {
      if (req.lineNumber === undefined) throw new StationError('LINE_REQUIRED', `Template ${template.def.id} labels a line: say which line.`, { status: 422 });
      const line = findLine(wo, req.lineNumber);
      const { full, plan, numbering } = planTags(wo, line, subject, { ...(req.quantity === undefined ? {} : { quantity: req.quantity }), ...(req.from === undefined || req.reprint ? {} : { from: req.from }) });
      if (req.reprint) {
        serials = this.o.serials.batch(req.reprint.batchId, req.reprint.from, req.reprint.to);
        if (serials[0]!.workOrderId !== wo.id || serials[0]!.lineId !== line.id) {
          throw new StationError('REPRINT_MISMATCH', `That batch belongs to ${serials[0]!.workOrderNumber} line ${serials[0]!.lineNumber}, not ${wo.number} line ${line.lineNumber}.`, { status: 409 });
        }
      } else {
        if (plan.length === 0) throw new StationError('NOTHING_TO_PRINT', `Line ${line.lineNumber} of ${wo.number} has quantity 0.`, { status: 422 });
        await this.o.serials.ready(plan.length);
        serials = this.o.serials.allocate({
          workOrderId: wo.id,
          workOrderNumber: wo.number,
          lineId: line.id,
          lineNumber: line.lineNumber,
          templateId: template.def.id,
          templateVersion: template.def.version,
          partNumbers: plan.map((p) => p.assembly?.partNumber ?? p.kit?.partNumber),
          ...(numbering ? { numbering } : {}),
        });
      }
      // What each tag is for: its place in the whole line (a kit line's tags differ), else in the batch.
      data = serials.map((s) => labelData(ctx, wo, line, full[s.number - 1] ?? plan[s.index - 1] ?? plan[0]!, s.serial, s.number, s.of));
    }
    const suffix = subject === 'workorder' ? 'label' : `line-${req.lineNumber}-${template.def.id}${req.reprint ? '-reprint' : ''}`;
    let document: PrintDocument;
    try {
      document = await this.render(template, data, req.format, req.dpmm, `${wo.number}-${suffix}.${req.format}`, stage);
    } catch (err) {
      // New serials that will never be printed are recorded as skipped (never given out again).
      if (!req.reprint) this.o.serials.skip(serials, `the labels could not be made: ${(err as Error).message}`);
      throw err;
    }
    return { document, serials, labels: data, template: { id: template.def.id, version: template.def.version } };
  }

  /**
   * Draws one made-up label in each of `formats`, a step at a time. ZPL loads the label fonts and the barcode code,
   * which previews and ZPL jobs use on this thread; PDF starts the drawing thread and lets it load pdf-lib and compile
   * its code (the first 1,000-tag PDF took 1.7 s instead of 0.7 s on a cold thread). Run once after the station is
   * ready, so the first real job does not wait for them.
   */
  async warmUp(formats: readonly LabelFormat[] = ['zpl', 'pdf']): Promise<void> {
    const step = () => new Promise<void>((resolve) => setImmediate(resolve));
    const template = this.templates.check({
      id: 'warm-up',
      version: 1,
      name: 'Warm-up',
      kind: 'layout',
      subject: 'workorder',
      size: { widthMm: 76, heightMm: 25 },
      elements: [
        { type: 'text', x: 15, y: 1, w: 40, h: 4, size: 3, weight: 'bold', text: 'Warm-up Ø ± °' },
        { type: 'text', x: 15, y: 5, w: 40, h: 3, size: 2.5, text: 'warm-up' },
        { type: 'barcode', symbology: 'code128', x: 15, y: 12, w: 60, h: 10, data: 'BP000000000' },
        { type: 'barcode', symbology: 'datamatrix', x: 1, y: 1, w: 12, h: 12, data: 'BP000000000|WO|1' },
      ],
    });
    for (const format of ['zpl', ...formats.filter((f) => f !== 'zpl')] as const) {
      await step();
      await this.render(template, [{}], format, 8, `warm-up.${format}`);
    }
  }

  /**
   * Renders labels for given data (also used for explicit data from the API). With a stage, a ZPL document longer
   * than a segment, or a PDF of STREAM_PDF_LABELS labels or more, is written into it a segment at a time as it is
   * made, never held whole; else the bytes are returned. When it fails, the stage is discarded.
   */
  async render(template: LoadedTemplate, data: readonly unknown[], format: LabelFormat, dpmm: number, name: string): Promise<RenderedDocument>;
  async render(template: LoadedTemplate, data: readonly unknown[], format: LabelFormat, dpmm: number, name: string, stage: DocumentStage | undefined): Promise<PrintDocument>;
  async render(template: LoadedTemplate, data: readonly unknown[], format: LabelFormat, dpmm: number, name: string, stage?: DocumentStage): Promise<PrintDocument> {
    try {
      return await this.draw(template, data, format, dpmm, name, stage);
    } catch (err) {
      stage?.discard(); // what was written of a document that will never print goes with it
      throw err;
    }
  }

  private async draw(template: LoadedTemplate, data: readonly unknown[], format: LabelFormat, dpmm: number, name: string, stage?: DocumentStage): Promise<PrintDocument> {
    const origin = `template ${template.def.id} v${template.def.version}`;
    if (format === 'zpl') {
      // Each label is written once, into one growing buffer (no second pass to measure it, no joined string); with a
      // stage, the buffer is handed over whenever it holds a segment's worth, and used again.
      const partEnds: number[] = [];
      const { write, prefix } = this.zplWriter(template, dpmm);
      let out = Buffer.allocUnsafe(Math.max(4096, Math.min(stage ? 2 * SEGMENT_BYTES : Infinity, prefix.length + data.length * 1024)));
      prefix.copy(out);
      let total = prefix.length;
      let handedOver = 0;
      const turn = turnTaker(500);
      for (const d of data) {
        await turn();
        let end = write(out, total, d);
        while (end < 0) {
          const bigger = Buffer.allocUnsafe(out.length * 2);
          out.copy(bigger, 0, 0, total);
          out = bigger;
          end = write(out, total, d);
        }
        total = end;
        partEnds.push(handedOver + total);
        if (stage && total >= SEGMENT_BYTES) {
          stage.write(out.subarray(0, total));
          handedOver += total;
          total = 0;
        }
      }
      this.reportMissing([...this.fonts.regular.missing, ...this.fonts.bold.missing]);
      const meta = { name, contentType: CONTENT_TYPE.zpl, partEnds, origin, ...(prefix.length ? { prefix: prefix.length } : {}) };
      if (stage && handedOver) {
        stage.write(out.subarray(0, total));
        return { format: 'zpl', bytes: stage.finish(), meta };
      }
      return { format: 'zpl', bytes: Buffer.from(out.subarray(0, total)), meta };
    }
    if (!('layout' in template)) throw this.zplOnly(template);
    // Images are read here (a missing one is the template's fault, said as such) and sent with the labels.
    const images = template.def.elements.flatMap((e): Array<[string, Uint8Array]> => (e.type === 'image' ? [[e.src, this.images(e.src).png]] : []));
    const meta = { name, contentType: CONTENT_TYPE.pdf, origin };
    // A long PDF comes from its thread in pieces, straight into the store: held whole on neither thread.
    if (stage && data.length >= STREAM_PDF_LABELS) {
      await this.pdf.renderInto({ def: template.def, data, dpmm, title: name, images }, (piece) => stage.write(piece));
      return { format: 'pdf', bytes: stage.finish(), meta };
    }
    const bytes = await this.pdf.render({ def: template.def, data, dpmm, title: name, images });
    return { format: 'pdf', bytes, meta };
  }

  /** One label for a look before printing; the preview PNG is drawn at the printer's resolution. */
  async preview(templateId: string | LoadedTemplate, data: unknown, format: PreviewFormat, dpmm: number): Promise<{ bytes: Uint8Array; contentType: string }> {
    const template = typeof templateId === 'string' ? this.templates.get(templateId) : templateId;
    if (format === 'zpl') return { bytes: new TextEncoder().encode(this.zplOf(template, data, dpmm)), contentType: CONTENT_TYPE.zpl };
    if (format === 'pdf') return { bytes: (await this.render(template, [data], 'pdf', dpmm, `${template.def.id}.pdf`)).bytes, contentType: CONTENT_TYPE.pdf };
    if (!('layout' in template)) throw this.zplOnly(template);
    const svg = labelToSvg(layoutLabel(template.layout, data, this.fonts, dpmm), template.def.size, { fonts: this.fonts, images: this.images });
    if (format === 'svg') return { bytes: new TextEncoder().encode(svg), contentType: CONTENT_TYPE.svg };
    return { bytes: svgToPng(svg, template.def.size.widthMm, dpmm, this.fonts), contentType: CONTENT_TYPE.png };
  }

  /** Data for a preview of a line: the first tag, with a placeholder serial that is never stored. */
  previewData(wo: CachedWorkOrder, lineNumber: number | undefined, templateId: string | LoadedTemplate): LabelData {
    const template = typeof templateId === 'string' ? this.templates.get(templateId) : templateId;
    const ctx = this.context();
    if (template.def.subject === 'workorder') return labelData(ctx, wo, undefined, {}, '', 1, 1);
    const line = findLine(wo, lineNumber ?? wo.lines[0]?.lineNumber ?? 0);
    const plan = planLine(line, template.def.subject);
    return labelData(ctx, wo, line, plan[0]!, `${this.o.serials.prefix}PREVIEW`, 1, plan.length);
  }

  /** A line's first label data, whatever the template (the designer's field list and checks). */
  sampleData(wo: CachedWorkOrder, line: LineView): LabelData {
    const item = line.assembly ? { assembly: line.assembly, ...(line.kit ? { kit: line.kit } : {}) } : line.kit ? { kit: line.kit, ...(line.kit.assemblies[0] ? { assembly: line.kit.assemblies[0].assembly } : {}) } : {};
    return labelData(this.context(), wo, line, item, `${this.o.serials.prefix}PREVIEW`, 1, Math.max(1, line.quantity));
  }

  /** One label as ZPL (also a check that a template draws with real data). */
  zplFor(template: LoadedTemplate, data: unknown, dpmm: number): string {
    return this.zplOf(template, data, dpmm);
  }

  /** What every label of today knows besides its line: the shop, the station and the date. */
  private context(): LabelContext {
    return { shop: { name: this.o.shopName }, station: { name: this.o.stationName }, date: this.clock.date() };
  }

  private zplOf(template: LoadedTemplate, data: unknown, dpmm: number): string {
    if ('zpl' in template) return template.zpl.render(data);
    const zpl = this.zplMaker(template.layout, dpmm).label(data);
    this.reportMissing([...this.fonts.regular.missing, ...this.fonts.bold.missing]);
    return zpl;
  }

  /**
   * For a job's labels: what goes before them (graphics stored once), and a writer of one label into a buffer at an
   * offset that returns where it ends, or -1 when it does not fit.
   */
  private zplWriter(template: LoadedTemplate, dpmm: number): { prefix: Buffer; write: (out: Buffer, at: number, data: unknown) => number } {
    if ('layout' in template) {
      const maker = this.zplMaker(template.layout, dpmm, true);
      maker.startRun();
      return { prefix: maker.prefix(), write: (out, at, data) => maker.labelInto(out, at, data) };
    }
    return {
      prefix: Buffer.alloc(0),
      write: (out, at, data) => {
        const zpl = template.zpl.render(data);
        return out.length - at < Buffer.byteLength(zpl) ? -1 : at + out.write(zpl, at, 'utf8');
      },
    };
  }

  /** One maker per compiled template, resolution and way of sending images, kept while the template is. */
  private readonly makers = new WeakMap<CompiledLayout, Map<string, ZplLabelMaker>>();

  /** storedGraphics: for jobs (images stored in the printer once); a label on its own carries its images. */
  private zplMaker(layout: CompiledLayout, dpmm: number, storedGraphics = false): ZplLabelMaker {
    let makers = this.makers.get(layout);
    if (!makers) this.makers.set(layout, (makers = new Map()));
    const key = `${dpmm}|${storedGraphics}`;
    let maker = makers.get(key);
    if (!maker) {
      maker = new ZplLabelMaker(layout, this.fonts, { dpmm, images: this.images, textBitmap: (block, i) => textLineBitmap(block, i, this.fonts, dpmm) }, storedGraphics);
      makers.set(key, maker);
    }
    return maker;
  }

  private readonly reported = new Set<number>();

  /** Characters no font could draw are shown as a box; say once which, and what to do. */
  private reportMissing(codePoints: Iterable<number>): void {
    for (const cp of codePoints) {
      if (this.reported.has(cp)) continue;
      this.reported.add(cp);
      this.o.logger?.warn({ codePoint: `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`, character: String.fromCodePoint(cp) }, 'no label font can draw this character: it prints as a box; add a font that has it to templates/fonts or station.fallbackFonts');
    }
  }

  private zplOnly(template: LoadedTemplate): StationError {
    return new StationError('TEMPLATE_ZPL_ONLY', `Template ${template.def.id} is a raw ZPL design: it prints on ZPL printers only and has no PDF or image preview.`, { status: 422 });
  }
}
