// Produces the bench's documents: datasheets, travelers, Marken and PTS files, from GoldLeaf or from local layouts.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CachedWorkOrder, LineView } from '../domain/work-order.js';
import { StationError, describeError } from '../errors.js';
import type { FileOwner, GoldleafClient } from '../goldleaf/client.js';
import type { LabelEngine } from '../labels/engine.js';
import type { LabelFont, Weight } from '../labels/fonts.js';
import { findLine } from '../labels/label-data.js';
import { loadJsonFiles, type FileProblem } from '../lib/json-files.js';
import type { Logger } from '../logger.js';
import type { RenderedDocument } from '../printing/types.js';
import { assemblyDatasheet, kitDatasheet, workOrderDatasheet, type DocumentContext } from './datasheets.js';
import { localJobFile } from './job-files.js';
import { documentTemplateSchema, fileLayoutSchema, type DocumentTemplateDef, type FileLayoutDef } from './template-schema.js';
import { traveler } from './traveler.js';
import { PAGE_MM } from './flow.js';
import { pdfPageSize } from './pdf-page.js';
import { ShopClock } from '../lib/shop-clock.js';
import { layered } from '../lib/template-folders.js';
import type { z } from 'zod';

export const DOCUMENT_KINDS = ['datasheet', 'assembly-datasheet', 'kit-datasheet', 'traveler', 'marken', 'pts', 'goldleaf-labels'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];
export type DocumentSource = 'local' | 'goldleaf';

/** GoldLeaf's label sizes, in inches, as its API names them, and their size in mm (portrait). */
export const GOLDLEAF_LABEL_SIZES = ['2x3', '4x6'] as const;
export type GoldleafLabelSize = (typeof GOLDLEAF_LABEL_SIZES)[number];
export const GOLDLEAF_LABEL_MM: Record<GoldleafLabelSize, { widthMm: number; heightMm: number }> = { '2x3': { widthMm: 50.8, heightMm: 76.2 }, '4x6': { widthMm: 101.6, heightMm: 152.4 } };

export interface DocumentRequest {
  workOrder: CachedWorkOrder;
  kind: DocumentKind;
  /** For assembly and kit datasheets, and for a line's own Marken/PTS file. */
  lineNumber?: number;
  /** Where to get it; Marken, PTS and GoldLeaf labels come from GoldLeaf unless asked otherwise. */
  source?: DocumentSource;
  /** For GoldLeaf labels: its label sizes. */
  labelSize?: GoldleafLabelSize;
}

export interface ProducedDocument {
  document: RenderedDocument;
  origin: 'goldleaf' | 'local';
  /** Why a local document stands in for GoldLeaf's, when it does. */
  fallbackReason?: string;
  template?: { id: string; version: number };
}

export interface DocumentServiceOptions {
  /** The templates shipped with benchprint (documents/, files/, images/). */
  templatesDir: string;
  /** A shop's own templates folder, laid over the shipped one: per kind, the shop's layout when it has a usable one. */
  shopTemplatesDir?: string;
  fonts: Record<Weight, LabelFont>;
  goldleaf?: GoldleafClient;
  /** Makes the station's own labels when GoldLeaf's cannot be had. */
  labels?: LabelEngine;
  shopName: string;
  stationName: string;
  /** The shop's clock, for "printed" stamps; the machine's own time zone without it. */
  clock?: ShopClock;
  logger?: Logger;
}

/**
 * Definitions by kind from `dirs` (a shop's folder, then the shipped one): per kind, the first usable file (by name) of
 * the first folder that has one. Within a folder a second file of a kind is reported; a shop's broken file is reported
 * and the shipped one of its kind serves. A shop's file is named by its path, a shipped one as `sub/name`.
 */
function byKind<S extends z.ZodType<{ kind: string }>>(dirs: readonly string[], sub: string, schema: S): { defs: Map<string, z.infer<S>>; problems: FileProblem[] } {
  const defs = new Map<string, z.infer<S>>();
  const problems: FileProblem[] = [];
  for (const [i, dir] of dirs.entries()) {
    const shipped = i === dirs.length - 1;
    if (!shipped && !existsSync(dir)) continue;
    const name = (file: string) => (shipped ? `${sub}/${file}` : join(dir, file));
    const read = loadJsonFiles(dir, schema);
    problems.push(...read.problems.map((p) => ({ ...p, file: name(p.file) })));
    const own = new Set<string>();
    for (const { file, def } of read.items) {
      if (own.has(def.kind)) problems.push({ file: name(file), problem: `a ${def.kind} ${sub === 'files' ? 'layout' : 'template'} is already loaded` });
      else if (!defs.has(def.kind)) (own.add(def.kind), defs.set(def.kind, def));
    }
  }
  return { defs, problems };
}

const TEMPLATE_FOR: Record<string, DocumentTemplateDef['kind']> = { datasheet: 'workorder-datasheet', 'assembly-datasheet': 'assembly-datasheet', 'kit-datasheet': 'kit-datasheet' };

export class DocumentService {
  private readonly templates = new Map<string, DocumentTemplateDef>();
  private readonly layouts = new Map<string, FileLayoutDef>();
  private readonly logos = new Map<string, { stamp: number; bytes: Uint8Array }>();
  readonly problems: FileProblem[] = [];
  private readonly clock: ShopClock;
  private readonly imagesDirs: string[];

  constructor(private readonly o: DocumentServiceOptions) {
    this.clock = o.clock ?? new ShopClock();
    this.imagesDirs = layered(o.templatesDir, o.shopTemplatesDir, 'images');
    const docs = byKind(layered(o.templatesDir, o.shopTemplatesDir, 'documents'), 'documents', documentTemplateSchema);
    const files = byKind(layered(o.templatesDir, o.shopTemplatesDir, 'files'), 'files', fileLayoutSchema);
    for (const [kind, def] of docs.defs) this.templates.set(kind, def);
    for (const [kind, def] of files.defs) this.layouts.set(kind, def);
    this.problems.push(...docs.problems, ...files.problems);
    for (const p of this.problems) o.logger?.error(p, `document template ${p.file} is not usable`);
  }

  /**
   * The page a datasheet of this kind is printed on (its template's A4 or Letter), for choosing a printer whose paper
   * takes it; undefined for other kinds or without a usable template.
   */
  pageSize(kind: DocumentKind): { widthMm: number; heightMm: number } | undefined {
    const def = TEMPLATE_FOR[kind] && this.templates.get(TEMPLATE_FOR[kind]);
    return def ? pageOf(def) : undefined;
  }

  async produce(req: DocumentRequest): Promise<ProducedDocument> {
    const wo = req.workOrder;
    const line = req.lineNumber === undefined ? undefined : findLine(wo, req.lineNumber);
    const printedAt = this.clock.minute();
    const ctx: DocumentContext = { shop: { name: this.o.shopName }, station: { name: this.o.stationName }, printedAt, workOrder: wo, ...(line ? { line } : {}) };
    const source = req.source ?? (req.kind === 'marken' || req.kind === 'pts' || req.kind === 'goldleaf-labels' ? 'goldleaf' : 'local');
    if (req.kind === 'traveler') return { document: traveler(wo, { shopName: this.o.shopName, printedAt }), origin: 'local' };

    let fallbackReason: string | undefined;
    if (source === 'goldleaf') {
      try {
        return { document: await this.fromGoldleaf(req.kind, wo, line, req.labelSize ?? '2x3'), origin: 'goldleaf' };
      } catch (err) {
        fallbackReason = `GoldLeaf could not provide it: ${describeError(err)}`;
        this.o.logger?.warn({ kind: req.kind, workOrder: wo.number, reason: fallbackReason }, 'using the local layout instead of GoldLeaf');
      }
    }
    if (req.kind === 'goldleaf-labels') return this.localLabels(wo, line, req.labelSize ?? '2x3', fallbackReason);
    if (req.kind === 'marken' || req.kind === 'pts') {
      const layout = this.layouts.get(req.kind);
      if (!layout) {
        throw new StationError('NO_LOCAL_LAYOUT', `No ${req.kind} file can be made: ${fallbackReason ?? 'no local layout is configured'}.`, {
          status: 503,
          retryable: !!fallbackReason,
          hint: `Add a ${req.kind} column layout in templates/files/, or try again when GoldLeaf answers.`,
        });
      }
      const lines = line ? [line] : wo.lines;
      const document = localJobFile(layout, { workOrder: wo, shop: ctx.shop, lines, reason: fallbackReason ?? 'local layout requested', printedAt });
      return { document, origin: 'local', ...(fallbackReason ? { fallbackReason } : {}), template: { id: layout.id, version: layout.version } };
    }
    const document = await this.datasheet(req.kind, ctx, line);
    const def = this.templates.get(TEMPLATE_FOR[req.kind]!)!;
    if (fallbackReason) document.meta.name = document.meta.name.replace(/\.pdf$/, '-local.pdf');
    return { document, origin: 'local', ...(fallbackReason ? { fallbackReason } : {}), template: { id: def.id, version: def.version } };
  }

  private template<K extends DocumentTemplateDef['kind']>(kind: K): Extract<DocumentTemplateDef, { kind: K }> {
    const def = this.templates.get(kind);
    if (!def) {
      const broken = this.problems.find((p) => p.file.includes('documents/'));
      throw new StationError('TEMPLATE_NOT_FOUND', `There is no usable ${kind} template${broken ? ` (${broken.file}: ${broken.problem})` : ''}.`, {
        status: 404,
        hint: `Check ${layered(this.o.templatesDir, this.o.shopTemplatesDir, 'documents').join(' and ')}.`,
      });
    }
    return def as Extract<DocumentTemplateDef, { kind: K }>;
  }

  /** The logo's bytes, read again only when the file changes: the PDF canvas decodes each distinct PNG once. */
  private logo(def: { logo?: string | undefined }): Uint8Array | undefined {
    if (!def.logo) return undefined;
    const found = this.imagesDirs.map((dir) => ({ path: join(dir, def.logo!), stamp: statSync(join(dir, def.logo!), { throwIfNoEntry: false })?.mtimeMs })).find((f) => f.stamp !== undefined);
    if (!found) return undefined;
    const { path, stamp } = found as { path: string; stamp: number };
    const hit = this.logos.get(path);
    if (hit?.stamp === stamp) return hit.bytes;
    const bytes = new Uint8Array(readFileSync(path));
    this.logos.set(path, { stamp, bytes });
    return bytes;
  }

  private async datasheet(kind: DocumentKind, ctx: DocumentContext, line: LineView | undefined): Promise<RenderedDocument> {
    const wo = ctx.workOrder;
    const pdf = (bytes: Uint8Array, name: string, def: DocumentTemplateDef): RenderedDocument => ({
      format: 'pdf',
      bytes,
      meta: { name, contentType: 'application/pdf', origin: `template ${def.id} v${def.version}`, pageMm: pageOf(def) },
    });
    if (kind === 'datasheet') {
      const def = this.template('workorder-datasheet');
      return pdf(await workOrderDatasheet({ fonts: this.o.fonts, ...withLogo(this.logo(def)) }, def, ctx), `${wo.number}-datasheet.pdf`, def);
    }
    if (!line) throw new StationError('LINE_REQUIRED', `A ${kind} is for one line: say which.`, { status: 422 });
    if (kind === 'assembly-datasheet') {
      if (!line.assembly) throw new StationError('NOT_AN_ASSEMBLY', `Line ${line.lineNumber} of ${wo.number} is not a hose assembly.`, { status: 422 });
      const def = this.template('assembly-datasheet');
      const bytes = await assemblyDatasheet({ fonts: this.o.fonts, ...withLogo(this.logo(def)) }, def, { ...ctx, assembly: line.assembly });
      return pdf(bytes, `${wo.number}-line-${line.lineNumber}-${line.assembly.partNumber}-datasheet.pdf`, def);
    }
    if (!line.kit) throw new StationError('NOT_A_KIT', `Line ${line.lineNumber} of ${wo.number} is not a hose kit.`, { status: 422 });
    const def = this.template('kit-datasheet');
    const bytes = await kitDatasheet({ fonts: this.o.fonts, ...withLogo(this.logo(def)) }, def, { ...ctx, kit: line.kit });
    return pdf(bytes, `${wo.number}-line-${line.lineNumber}-${line.kit.partNumber}-datasheet.pdf`, def);
  }

  /** GoldLeaf's own file, byte for byte with its name and type. */
  /** The station's own assembly labels, as PDF, standing in for GoldLeaf's (new serials, as any print of tags). */
  private async localLabels(wo: CachedWorkOrder, line: LineView | undefined, size: GoldleafLabelSize, reason: string | undefined): Promise<ProducedDocument> {
    if (!this.o.labels) throw new StationError('NO_LOCAL_LABELS', `GoldLeaf's labels cannot be had: ${reason ?? 'not asked for'}.`, { status: 503, retryable: true });
    if (!line) throw new StationError('LINE_REQUIRED', "The station's own labels are made per line: say which.", { status: 422 });
    const result = await this.o.labels.lineLabels({ workOrder: wo, lineNumber: line.lineNumber, templateId: size === '4x6' ? 'assembly-4x6' : 'assembly-2x3', format: 'pdf', dpmm: 8 });
    if (reason) result.document.meta.name = result.document.meta.name.replace(/\.pdf$/, '-local.pdf');
    result.document.meta.pageMm = this.o.labels.templates.get(result.template.id).def.size;
    return { document: result.document, origin: 'local', ...(reason ? { fallbackReason: reason } : {}), template: result.template };
  }

  private async fromGoldleaf(kind: DocumentKind, wo: CachedWorkOrder, line: LineView | undefined, labelSize: string): Promise<RenderedDocument> {
    if (!this.o.goldleaf) throw new StationError('GOLDLEAF_NOT_CONFIGURED', 'This station has no GoldLeaf connection.', { status: 503 });
    let owner: FileOwner = 'workorder';
    let id = wo.id;
    const perLine = kind === 'marken' || kind === 'pts' || kind === 'goldleaf-labels';
    if (kind === 'assembly-datasheet' || (line?.assembly && perLine)) [owner, id] = ['hoseassembly', line!.assembly!.id];
    else if (kind === 'kit-datasheet' || (line?.kit && perLine)) [owner, id] = ['hosekit', line!.kit!.id];
    const fileKind = kind === 'marken' ? 'marken' : kind === 'pts' ? 'pts' : kind === 'goldleaf-labels' ? 'labels' : 'datasheet';
    const params = fileKind === 'labels' ? { numCopies: 1, numHoseAssemblies: line?.quantity ?? 1, labelSize } : {};
    const file = await this.o.goldleaf.getFile(owner, id, fileKind, params);
    const format = file.contentType === 'application/pdf' ? 'pdf' : 'file';
    const pageMm = format === 'pdf' ? pdfPageSize(file.bytes) : undefined;
    return { format, bytes: file.bytes, meta: { name: file.fileName, contentType: file.contentType, origin: 'GoldLeaf', ...(pageMm ? { pageMm } : {}) } };
  }
}

/** A datasheet template's page in mm. */
function pageOf(def: DocumentTemplateDef): { widthMm: number; heightMm: number } {
  const [widthMm, heightMm] = PAGE_MM[def.page.size];
  return { widthMm, heightMm };
}

function withLogo(logo: Uint8Array | undefined): { logo?: Uint8Array } {
  return logo ? { logo } : {};
}
