// Label templates: the shipped ones from templates/labels (read-only) and those made at the station (its store, in
// versions). Each is validated and compiled on its own; a broken one is reported with why, the rest work.
import { existsSync, readFileSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { formatPath } from '../config/load.js';
import { StationError } from '../errors.js';
import { loadJsonFiles, type FileProblem } from '../lib/json-files.js';
import { folders } from '../lib/template-folders.js';
import type { Logger } from '../logger.js';
import { compileLayout, type CompiledLayout } from './layout.js';
import { compileRawZpl, type CompiledZpl } from './raw-zpl.js';
import { labelTemplateSchema, type LabelTemplateDef } from './template-schema.js';
import type { TemplateStore } from './template-store.js';

interface Origin {
  /** Shipped templates are files (read-only, copied to change); stored ones were made at the station. */
  source: 'shipped' | 'stored';
  file: string;
}

export type LoadedTemplate = Origin &
  ({ def: Extract<LabelTemplateDef, { kind: 'layout' }>; layout: CompiledLayout } | { def: Extract<LabelTemplateDef, { kind: 'zpl' }>; zpl: CompiledZpl });

export type TemplateProblem = FileProblem;

/** Checks and compiles one template definition; throws a StationError naming the element and property at fault. */
export function compileTemplate(raw: unknown, origin: Origin, zplDir?: string): LoadedTemplate {
  const parsed = labelTemplateSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${describePath(raw, i.path)}: ${i.message}`);
    throw new StationError('TEMPLATE_INVALID', `The template is not valid: ${issues.join('; ')}.`, { status: 422, details: { issues } });
  }
  const def = parsed.data;
  try {
    if (def.kind === 'layout') {
      const outside = def.elements.findIndex((e) => 'x' in e && (e.x + e.w > def.size.widthMm + 0.01 || e.y + e.h > def.size.heightMm + 0.01));
      if (outside >= 0) throw new Error(`elements[${outside}] (${def.elements[outside]!.type}) reaches past the ${def.size.widthMm}x${def.size.heightMm} mm label`);
      return { ...origin, def, layout: compileLayout(def) };
    }
    const source = def.zpl ?? readFileSync(join(zplDir ?? '.', def.zplFile!), 'utf8');
    return { ...origin, def, zpl: compileRawZpl(source) };
  } catch (err) {
    if (err instanceof StationError) throw err;
    throw new StationError('TEMPLATE_INVALID', `The template is not valid: ${(err as Error).message}.`, { status: 422, details: { issues: [(err as Error).message] } });
  }
}

/** "elements[3] (barcode).data" rather than a bare path: people find the object by its type. */
function describePath(raw: unknown, path: readonly PropertyKey[]): string {
  if (path[0] === 'elements' && typeof path[1] === 'number') {
    const type = (raw as { elements?: Array<{ type?: unknown }> })?.elements?.[path[1]]?.type;
    const rest = path.slice(2);
    return `elements[${path[1]}]${typeof type === 'string' ? ` (${type})` : ''}${rest.length ? `.${formatPath(rest)}` : ''}`;
  }
  return formatPath(path) || '(the template)';
}

export class TemplateRegistry {
  /** Compiled stored versions, by "id@version". */
  private readonly compiled = new Map<string, LoadedTemplate>();

  private constructor(
    private readonly shipped: Map<string, LoadedTemplate>,
    private readonly shippedProblems: TemplateProblem[],
    private readonly dir: string,
    readonly store: TemplateStore | undefined,
  ) {}

  /**
   * The template files of `dirs`: one folder, or a shop's folder and the shipped one (in that order), where a shop's
   * template replaces the shipped one with its id. A shop's file is named by its path; a shipped one by its name.
   */
  static load(dirs: string | readonly string[], logger?: Logger, store?: TemplateStore): TemplateRegistry {
    const list = folders(dirs);
    const byId = new Map<string, LoadedTemplate>();
    const problems: TemplateProblem[] = [];
    // The shipped folder first, then the shop's over it; a shop that has no labels/ folder of its own has the shipped ones.
    for (const [i, dir] of [...list.entries()].reverse()) {
      const shipped = i === list.length - 1;
      if (!shipped && !existsSync(dir)) continue;
      const name = (file: string) => (shipped ? file : join(dir, file));
      const own = new Set<string>();
      const read = loadJsonFiles(dir, labelTemplateSchema);
      problems.push(...read.problems.map((p) => ({ ...p, file: name(p.file) })));
      for (const { file, def } of read.items) {
        try {
          const loaded = compileTemplate(def, { source: 'shipped', file: name(file) }, dir);
          if (own.has(loaded.def.id)) problems.push({ file: name(file), problem: `id "${loaded.def.id}" is already used by ${byId.get(loaded.def.id)!.file}` });
          else (own.add(loaded.def.id), byId.set(loaded.def.id, loaded));
        } catch (err) {
          problems.push({ file: name(file), problem: (err as Error).message });
        }
      }
    }
    for (const p of problems) logger?.error({ file: p.file, problem: p.problem }, `label template ${p.file} is not usable`);
    return new TemplateRegistry(byId, problems, list.find((d) => existsSync(d)) ?? list.at(-1)!, store);
  }

  isShipped(id: string): boolean {
    return this.shipped.has(id);
  }

  /** Shipped templates, then the active version of each stored one that compiles. */
  list(): LoadedTemplate[] {
    const stored = (this.store?.ids() ?? []).flatMap((id) => {
      try {
        return [this.get(id)];
      } catch {
        return [];
      }
    });
    return [...this.shipped.values(), ...stored];
  }

  /** Shipped files that are broken, and stored templates whose active version no longer compiles. */
  get problems(): TemplateProblem[] {
    const stored = (this.store?.ids() ?? []).flatMap((id) => {
      try {
        this.get(id);
        return [];
      } catch (err) {
        return [{ file: `${id} (stored)`, problem: (err as Error).message }];
      }
    });
    return [...this.shippedProblems, ...stored];
  }

  /** A template: its active version, or `version` (a reprint draws with the version that printed). */
  get(id: string, version?: number): LoadedTemplate {
    const shipped = this.shipped.get(id);
    if (shipped) return shipped; // a file has one version: the one on disk
    const active = this.store?.activeVersion(id);
    if (active !== undefined) {
      const v = version !== undefined && this.store!.definition(id, version) ? version : active;
      const key = `${id}@${v}`;
      let loaded = this.compiled.get(key);
      if (!loaded) {
        loaded = compileTemplate(this.store!.definition(id, v), { source: 'stored', file: `${id} v${v}` });
        this.compiled.set(key, loaded);
      }
      return loaded;
    }
    const broken = this.shippedProblems.find((p) => basename(p.file).replace(/\.json$/, '') === id);
    throw new StationError('TEMPLATE_NOT_FOUND', broken ? `Label template "${id}" is broken: ${broken.problem}.` : `There is no label template "${id}".`, {
      status: 404,
      hint: broken ? `Fix ${isAbsolute(broken.file) ? broken.file : `templates/labels/${broken.file}`}; the other templates keep working.` : `Known templates: ${this.list().map((t) => t.def.id).join(', ')}.`,
    });
  }

  /** Compiles a definition without keeping it (a draft from the designer, or one about to be saved). */
  check(raw: unknown): LoadedTemplate {
    return compileTemplate(raw, { source: 'stored', file: 'draft' }, this.dir);
  }
}
