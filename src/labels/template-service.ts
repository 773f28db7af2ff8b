// What the designer and the API do with templates: list, check, make, change in versions, copy, preview a draft.
// Every check names the element and property at fault; nothing half-checked is ever stored.
import type { CachedWorkOrder, LineView } from '../domain/work-order.js';
import { StationError } from '../errors.js';
import type { WorkOrderCache } from '../sync/cache.js';
import type { LabelEngine, PreviewFormat } from './engine.js';
import { FORMATTERS } from './bind.js';
import { fieldsOf, unknownFields, type Field } from './fields.js';
import type { LabelTemplateDef } from './template-schema.js';
import type { TemplateVersionInfo } from './template-store.js';

export interface TemplateDeps {
  labels: LabelEngine;
  workOrders: WorkOrderCache;
}

const services = new WeakMap<LabelEngine, TemplateService>();

/** One service per engine (it keeps the fields known from the cache for a minute). */
export function templateService(deps: TemplateDeps): TemplateService {
  let s = services.get(deps.labels);
  if (!s) services.set(deps.labels, (s = new TemplateService(deps)));
  return s;
}

export class TemplateService {
  private known: { at: number; paths: Set<string> } | undefined;

  constructor(private readonly deps: TemplateDeps) {}

  private get registry() {
    return this.deps.labels.templates;
  }

  private get store() {
    const store = this.registry.store;
    if (!store) throw new StationError('TEMPLATES_READ_ONLY', 'This station keeps no templates of its own.', { status: 409 });
    return store;
  }

  list() {
    return this.registry.list().map((t) => ({
      id: t.def.id,
      version: t.def.version,
      name: t.def.name,
      kind: t.def.kind,
      subject: t.def.subject,
      size: t.def.size,
      source: t.source,
      ...(t.source === 'stored' ? { versions: this.store.versions(t.def.id).length } : {}),
    }));
  }

  get(id: string, version?: number): { template: LabelTemplateDef; source: string; versions?: TemplateVersionInfo[] } {
    const loaded = this.registry.get(id, version);
    if (version !== undefined && loaded.def.version !== version && loaded.source === 'stored') {
      throw new StationError('TEMPLATE_VERSION_NOT_FOUND', `Template "${id}" has no version ${version}.`, { status: 404 });
    }
    return { template: loaded.def, source: loaded.source, ...(loaded.source === 'stored' ? { versions: this.store.versions(id) } : {}) };
  }

  /** A real line to show and preview with: the one asked for, else the first printable line of the first work order. */
  private sampleLine(woRef?: string, lineNumber?: number): { wo: CachedWorkOrder; line: LineView } {
    const list = woRef ? [woRef] : this.deps.workOrders.list({ limit: 50 }).map((w) => w.id);
    for (const ref of list) {
      const wo = this.deps.workOrders.get(ref);
      if (!wo) continue;
      const line = wo.lines.find((l) => (lineNumber === undefined || l.lineNumber === lineNumber) && (l.assembly || l.kit));
      if (line) return { wo, line };
    }
    throw new StationError('NO_SAMPLE_LINE', woRef ? `Work order ${woRef} has no line ${lineNumber ?? 'with an assembly or kit'} to show a label with.` : 'There are no work orders here yet to show a label with.', {
      status: 404,
      hint: 'Wait for the first sync with GoldLeaf, or name a work order that is here.',
    });
  }

  /** The fields of a real line's first label, with their values: the designer's list of what a label can show. */
  fields(woRef?: string, lineNumber?: number): { workOrder: string; line: number; fields: Field[]; formatters: string[] } {
    const { wo, line } = this.sampleLine(woRef, lineNumber);
    const data = this.deps.labels.sampleData(wo, line);
    return { workOrder: wo.number, line: line.lineNumber, fields: fieldsOf(data).filter((f) => f.path), formatters: Object.keys(FORMATTERS) };
  }

  /** Every field seen on the lines cached here (kept a minute): what a placeholder may name. */
  private knownPaths(): Set<string> {
    if (this.known && Date.now() - this.known.at < 60_000) return this.known.paths;
    const paths = new Set<string>();
    for (const summary of this.deps.workOrders.list({ limit: 200, includeLeft: true })) {
      const wo = this.deps.workOrders.get(summary.id);
      for (const line of wo?.lines ?? []) if (line.assembly || line.kit) for (const f of fieldsOf(this.deps.labels.sampleData(wo!, line))) paths.add(f.path);
    }
    this.known = { at: Date.now(), paths };
    return paths;
  }

  /**
   * Checks a template as it would be saved: its shape, every placeholder against the fields lines have, its images,
   * and one label drawn with a real line (a barcode that cannot fit its box, say). Throws with every issue found.
   */
  check(raw: unknown): { ok: true; issues: [] } {
    const loaded = this.registry.check(raw);
    const issues: string[] = [];
    for (const f of unknownFields(loaded.def, this.knownPaths())) {
      issues.push(`${f.where}: {{${f.path}}} is not a field of any work-order line here${f.suggestion ? ` (did you mean ${f.suggestion}?)` : ''}`);
    }
    if (loaded.def.kind === 'layout') {
      loaded.def.elements.forEach((e, i) => {
        if (e.type !== 'image') return;
        try {
          this.deps.labels.images(e.src);
        } catch (err) {
          issues.push(`elements[${i}] (image).src: ${(err as StationError).message}`);
        }
      });
    }
    if (issues.length === 0) {
      try {
        const { wo, line } = this.sampleLine();
        // Fields the template takes with each print get a sample value; the rest come from a real line.
        const explicit = Object.fromEntries((loaded.def.fields ?? []).map((f) => [f, `${f.toUpperCase()}-1`]));
        this.deps.labels.zplFor(loaded, { ...this.deps.labels.previewData(wo, line.lineNumber, loaded), ...explicit }, 8);
      } catch (err) {
        if (!(err instanceof StationError && err.code === 'NO_SAMPLE_LINE')) issues.push(`with ${this.sampleLineName()}: ${(err as Error).message.replace(/\.$/, '')}`);
      }
    }
    if (issues.length) throw new StationError('TEMPLATE_INVALID', `The template is not valid: ${issues.map((i) => i.replace(/\.$/, '')).join('; ')}.`, { status: 422, details: { issues } });
    return { ok: true, issues: [] };
  }

  private sampleLineName(): string {
    try {
      const { wo, line } = this.sampleLine();
      return `${wo.number} line ${line.lineNumber}`;
    } catch {
      return 'a real line';
    }
  }

  create(raw: Record<string, unknown>, by: string, note: string): number {
    const id = String(raw.id ?? '');
    if (this.registry.isShipped(id) || this.registry.store?.has(id)) {
      throw new StationError('TEMPLATE_EXISTS', `There is already a template "${id}".`, { status: 409, hint: 'Choose another id, or change that one (a shipped template: copy it first).' });
    }
    this.check({ ...raw, version: 1 });
    return this.store.save({ ...(raw as LabelTemplateDef), version: 1 }, { base: undefined, author: by, note, activate: true });
  }

  /** A new template with the images it brought (an import): if the template is refused, the images are not kept. */
  createWithImages(raw: Record<string, unknown>, images: ReadonlyArray<{ name: string; png: Uint8Array }>, by: string, note: string): number {
    // An image of the same name that is a different picture gets a new name here; the same picture is shared.
    const renamed = new Map<string, string>();
    const added: string[] = [];
    try {
      for (const i of images) {
        let name = i.name;
        for (let n = 2; this.store.image(name) && Buffer.compare(Buffer.from(this.store.image(name)!), Buffer.from(i.png)) !== 0; n++) name = i.name.replace(/(\.png)?$/i, `-${n}.png`);
        if (!this.store.image(name)) {
          this.putImage(name, i.png, by);
          added.push(name);
        }
        if (name !== i.name) renamed.set(i.name, name);
      }
      const elements = Array.isArray(raw.elements) ? { elements: (raw.elements as Array<Record<string, unknown>>).map((e) => (e.type === 'image' && renamed.has(String(e.src)) ? { ...e, src: renamed.get(String(e.src)) } : e)) } : {};
      return this.create({ ...raw, ...elements }, by, note);
    } catch (err) {
      for (const name of added) this.store.deleteImage(name);
      throw err;
    }
  }

  save(id: string, base: number, raw: Record<string, unknown>, by: string, note: string, activate: boolean): number {
    if (this.registry.isShipped(id)) {
      throw new StationError('TEMPLATE_READ_ONLY', `"${id}" is a shipped template: it stays as it came.`, { status: 409, hint: 'Copy it to a new id and change the copy.' });
    }
    if (!this.store.has(id)) throw new StationError('TEMPLATE_NOT_FOUND', `There is no template "${id}" to change.`, { status: 404 });
    this.check({ ...raw, version: base + 1 });
    return this.store.save({ ...(raw as LabelTemplateDef), id, version: base + 1 }, { base, author: by, note, activate });
  }

  activate(id: string, version: number): void {
    if (this.registry.isShipped(id)) throw new StationError('TEMPLATE_READ_ONLY', `"${id}" is a shipped template: it has one version.`, { status: 409 });
    this.store.activate(id, version);
  }

  copy(from: string, to: string, name: string | undefined, by: string): number {
    const source = this.registry.get(from);
    // A shipped raw ZPL design lives in a file: the copy carries the ZPL itself.
    const def = 'zpl' in source && !source.def.zpl ? { ...source.def, zplFile: undefined, zpl: source.zpl.source } : source.def;
    return this.create({ ...JSON.parse(JSON.stringify(def)), id: to, name: name ?? `${source.def.name} (copy)` }, by, `copied from ${from} v${source.def.version}`);
  }

  putImage(name: string, png: Uint8Array, by: string): { name: string; width: number; height: number } {
    const size = this.store.putImage(name, png, by);
    this.deps.labels.images.forget(name);
    return { name, ...size };
  }

  /** A draft drawn as it would print, without saving it (the designer's live preview). */
  async previewDraft(raw: unknown, woRef: string | undefined, lineNumber: number | undefined, format: PreviewFormat, dpmm: number) {
    const loaded = this.registry.check({ version: 1, ...(raw as object) });
    const { wo, line } = this.sampleLine(woRef, lineNumber);
    return this.deps.labels.preview(loaded, this.deps.labels.previewData(wo, line.lineNumber, loaded), format, dpmm);
  }
}
