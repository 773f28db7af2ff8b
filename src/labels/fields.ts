// The fields a label can show: the leaf values of real label data (what the binding code reads), and the
// placeholders a template uses, so a template naming a field that does not exist is refused by name.
import { lookup } from './bind.js';
import type { LabelTemplateDef } from './template-schema.js';

export interface Field {
  path: string;
  /** The value on the line it was read from, as text. */
  example: string;
}

/** What every label's data has at its top (see label-data.ts); deeper paths come from real lines. */
export const FIELD_ROOTS = ['shop', 'station', 'workOrder', 'line', 'assembly', 'kit', 'po', 'serial', 'index', 'count', 'of', 'date'] as const;

/** Every leaf of a label's data as a dotted path with its value (lists, such as a work order's lines, are left out). */
export function fieldsOf(data: unknown, prefix = '', depth = 0): Field[] {
  if (data === null || data === undefined || depth > 6) return [];
  if (Array.isArray(data)) return [];
  if (typeof data !== 'object') return prefix ? [{ path: prefix, example: String(data) }] : [];
  const record = data as Record<string, unknown>;
  // A {value, unit} quantity is one field (its formatters read it whole), and its parts are fields too.
  const quantity = typeof record.value === 'number' && typeof record.unit === 'string' ? [{ path: prefix, example: `${record.value} ${record.unit}` }] : [];
  return [...quantity, ...Object.entries(record).flatMap(([key, value]) => fieldsOf(value, prefix ? `${prefix}.${key}` : key, depth + 1))];
}

/** The data paths (with where) a template's placeholders read. */
export function placeholdersOf(def: LabelTemplateDef): Array<{ path: string; where: string }> {
  const found: Array<{ path: string; where: string }> = [];
  const scan = (text: string, where: string) => {
    for (const m of text.matchAll(/\{\{\s*([A-Za-z_][\w.]*)/g)) found.push({ path: m[1]!, where });
  };
  if (def.kind === 'layout') {
    def.elements.forEach((e, i) => {
      const where = `elements[${i}] (${e.type})`;
      if (e.type === 'text') scan(e.text, `${where}.text`);
      if (e.type === 'barcode') scan(e.data, `${where}.data`);
      if (e.when) found.push({ path: e.when, where: `${where}.when` });
    });
  } else if (def.zpl) scan(def.zpl, 'zpl');
  return found;
}

/**
 * Placeholders that read nothing any known line has: a typo or a field that does not exist. `known` is every path
 * seen on real lines; a path under a known path (a quantity's unit) or on a root no line had yet (kit) is accepted.
 */
export function unknownFields(def: LabelTemplateDef, known: ReadonlySet<string>): Array<{ path: string; where: string; suggestion?: string }> {
  const roots = new Set<string>([...FIELD_ROOTS, ...(def.fields ?? [])]);
  const seenRoots = new Set([...known].map((p) => p.split('.')[0]!));
  return placeholdersOf(def)
    .filter(({ path }) => {
      const root = path.split('.')[0]!;
      if (!roots.has(root)) return true;
      if ((def.fields ?? []).includes(root) || !seenRoots.has(root) || known.has(path)) return false;
      return ![...known].some((k) => k.startsWith(`${path}.`) || path.startsWith(`${k}.`));
    })
    .map((f) => {
      const root = f.path.split('.')[0]!;
      const last = f.path.split('.').at(-1)!.toLowerCase();
      const like = (k: string) => k.toLowerCase().endsWith(last) || k.split('.').at(-1)!.toLowerCase().startsWith(last.slice(0, 4));
      // Nearest first: a field under the same root, then the shortest path.
      const suggestion = [...known].filter(like).sort((a, b) => Number(b.startsWith(`${root}.`)) - Number(a.startsWith(`${root}.`)) || a.length - b.length)[0];
      return { ...f, ...(suggestion ? { suggestion } : {}) };
    });
}

export { lookup };
