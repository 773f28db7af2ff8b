// Loads label templates from templates/labels: each is validated and compiled on its own; a broken one is reported, the rest work.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StationError } from '../errors.js';
import { loadJsonFiles, type FileProblem } from '../lib/json-files.js';
import type { Logger } from '../logger.js';
import { compileLayout, type CompiledLayout } from './layout.js';
import { compileRawZpl, type CompiledZpl } from './raw-zpl.js';
import { labelTemplateSchema, type LabelTemplateDef } from './template-schema.js';

export type LoadedTemplate =
  | { def: Extract<LabelTemplateDef, { kind: 'layout' }>; file: string; layout: CompiledLayout }
  | { def: Extract<LabelTemplateDef, { kind: 'zpl' }>; file: string; zpl: CompiledZpl };

export type TemplateProblem = FileProblem;

export class TemplateRegistry {
  private constructor(
    private readonly byId: Map<string, LoadedTemplate>,
    readonly problems: TemplateProblem[],
  ) {}

  static load(dir: string, logger?: Logger): TemplateRegistry {
    const byId = new Map<string, LoadedTemplate>();
    const { items, problems } = loadJsonFiles(dir, labelTemplateSchema);
    for (const { file, def } of items) {
      const loaded = compileOne(dir, file, def);
      if ('problem' in loaded) problems.push(loaded);
      else if (byId.has(loaded.def.id)) problems.push({ file, problem: `id "${loaded.def.id}" is already used by ${byId.get(loaded.def.id)!.file}` });
      else byId.set(loaded.def.id, loaded);
    }
    for (const p of problems) logger?.error({ file: p.file, problem: p.problem }, `label template ${p.file} is not usable`);
    return new TemplateRegistry(byId, problems);
  }

  list(): LoadedTemplate[] {
    return [...this.byId.values()];
  }

  get(id: string): LoadedTemplate {
    const t = this.byId.get(id);
    if (t) return t;
    const broken = this.problems.find((p) => p.file.replace(/\.json$/, '') === id);
    throw new StationError('TEMPLATE_NOT_FOUND', broken ? `Label template "${id}" is broken: ${broken.problem}.` : `There is no label template "${id}".`, {
      status: 404,
      hint: broken ? `Fix templates/labels/${broken.file}; the other templates keep working.` : `Known templates: ${[...this.byId.keys()].join(', ')}.`,
    });
  }
}

function compileOne(dir: string, file: string, def: LabelTemplateDef): LoadedTemplate | TemplateProblem {
  try {
    if (def.kind === 'layout') {
      const outside = def.elements.findIndex((e) => 'x' in e && (e.x + e.w > def.size.widthMm + 0.01 || e.y + e.h > def.size.heightMm + 0.01));
      if (outside >= 0) return { file, problem: `elements[${outside}] reaches past the ${def.size.widthMm}x${def.size.heightMm} mm label` };
      return { def, file, layout: compileLayout(def) };
    }
    return { def, file, zpl: compileRawZpl(readFileSync(join(dir, def.zplFile), 'utf8')) };
  } catch (err) {
    return { file, problem: (err as Error).message };
  }
}
