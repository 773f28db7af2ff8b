// Loads label templates from templates/labels: each is validated and compiled on its own; a broken one is reported, the rest work.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatPath } from '../config/load.js';
import { StationError } from '../errors.js';
import type { Logger } from '../logger.js';
import { compileLayout, type CompiledLayout } from './layout.js';
import { compileRawZpl, type CompiledZpl } from './raw-zpl.js';
import { labelTemplateSchema, type LabelTemplateDef } from './template-schema.js';

export type LoadedTemplate =
  | { def: Extract<LabelTemplateDef, { kind: 'layout' }>; file: string; layout: CompiledLayout }
  | { def: Extract<LabelTemplateDef, { kind: 'zpl' }>; file: string; zpl: CompiledZpl };

export interface TemplateProblem {
  file: string;
  problem: string;
}

export class TemplateRegistry {
  private constructor(
    private readonly byId: Map<string, LoadedTemplate>,
    readonly problems: TemplateProblem[],
  ) {}

  static load(dir: string, logger?: Logger): TemplateRegistry {
    const byId = new Map<string, LoadedTemplate>();
    const problems: TemplateProblem[] = [];
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    } catch (err) {
      problems.push({ file: dir, problem: `the template folder cannot be read (${(err as NodeJS.ErrnoException).code})` });
      files = [];
    }
    for (const file of files) {
      const loaded = loadOne(dir, file);
      if ('problem' in loaded) {
        problems.push(loaded);
        logger?.error({ file, problem: loaded.problem }, `label template ${file} is not usable`);
      } else if (byId.has(loaded.def.id)) {
        problems.push({ file, problem: `id "${loaded.def.id}" is already used by ${byId.get(loaded.def.id)!.file}` });
      } else byId.set(loaded.def.id, loaded);
    }
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

function loadOne(dir: string, file: string): LoadedTemplate | TemplateProblem {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  } catch (err) {
    return { file, problem: `not valid JSON: ${(err as Error).message}` };
  }
  const parsed = labelTemplateSchema.safeParse(raw);
  if (!parsed.success) {
    return { file, problem: parsed.error.issues.slice(0, 5).map((i) => `${formatPath(i.path)}: ${i.message}`).join('; ') };
  }
  const def = parsed.data;
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
