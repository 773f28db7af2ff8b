// Placeholders: "{{ path | formatter:arg }}" compiled once per template, then filled per label.
import { formatNumber, formatQuantity, formatToleranced } from '../kiosk/format.js';
import type { Quantity, Toleranced } from '../domain/work-order.js';

/** A compiled text: the label's data in, the text out; `roots` are the top-level fields it reads. */
export type Bound = ((data: unknown) => string) & { roots: readonly string[] };

type Formatter = (value: unknown, arg: string | undefined) => unknown;

const isQuantity = (v: unknown): v is Quantity => typeof v === 'object' && v !== null && typeof (v as Quantity).value === 'number' && typeof (v as Quantity).unit === 'string';
const present = (v: unknown) => v !== undefined && v !== null && v !== '';

export const FORMATTERS: Readonly<Record<string, Formatter>> = {
  upper: (v) => (present(v) ? String(v).toUpperCase() : v),
  lower: (v) => (present(v) ? String(v).toLowerCase() : v),
  /**
   * ISO date (or date-time) as YYYY-MM-DD, or with a pattern of YYYY MM DD, e.g. date:DD.MM.YYYY. The date is the one
   * written (a GoldLeaf due date "2026-12-03T18:00:00-06:00" is the 3rd, as the office sees it), not moved to UTC.
   */
  date: (v, pattern) => {
    if (!present(v)) return v;
    const written = /^(\d{4})-(\d{2})-(\d{2})(?:$|T)/.exec(String(v));
    const d = written ? undefined : new Date(String(v));
    if (d && Number.isNaN(d.getTime())) return v;
    const parts = written ? { YYYY: written[1]!, MM: written[2]!, DD: written[3]! } : { YYYY: String(d!.getUTCFullYear()), MM: String(d!.getUTCMonth() + 1).padStart(2, '0'), DD: String(d!.getUTCDate()).padStart(2, '0') };
    return (pattern ?? 'YYYY-MM-DD').replace(/YYYY|MM|DD/g, (m) => parts[m as keyof typeof parts]);
  },
  /** A {value, unit} quantity as "1820 mm"; with a tolerance string appended when the value has one. */
  length: (v) => (isQuantity(v) ? [formatQuantity(v), (v as { tolerance?: string }).tolerance].filter(Boolean).join(' ') : v),
  quantity: (v) => (isQuantity(v) ? formatQuantity(v) : v),
  // A plain hyphen on labels: every printer font has it (U+2212 would make the printer draw the line as a graphic).
  tolerance: (v) => (isQuantity(v) ? formatToleranced(v as Toleranced).replace(/\u2212/g, '-') : v),
  number: (v, digits) => (typeof v === 'number' ? (digits === undefined ? formatNumber(v) : v.toFixed(Number(digits))) : v),
  pad: (v, width) => (present(v) ? String(v).padStart(Number(width ?? 2), /^\d+$/.test(String(v)) ? '0' : ' ') : v),
  default: (v, fallback) => (present(v) ? v : (fallback ?? '')),
  prefix: (v, text) => (present(v) ? `${text ?? ''}${String(v)}` : v),
  suffix: (v, text) => (present(v) ? `${String(v)}${text ?? ''}` : v),
};

export class TemplateSyntaxError extends Error {}

/** Reads a dotted path ("assembly.end1.crimp.diameter") from the data. */
export function lookup(data: unknown, path: string | readonly string[]): unknown {
  let value: unknown = data;
  for (const key of typeof path === 'string' ? path.split('.') : path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (isQuantity(value)) return formatQuantity(value);
  if (typeof value === 'object') return '';
  return String(value);
}

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;

/** A formatter argument: "quoted" keeps its spaces (prefix:" rev "); bare is trimmed. */
function unquote(arg: string): string {
  const trimmed = arg.trim();
  return /^".*"$/.test(trimmed) ? trimmed.slice(1, -1) : trimmed;
}

/**
 * Compiles a text with placeholders; unknown formatters and malformed placeholders are errors at load time.
 * `transform` is applied to each filled-in value (not to the literal text around it).
 */
export function compileText(text: string, transform: (value: string) => string = (v) => v): Bound {
  if (/\{\{(?![^{}]*\}\})/.test(text)) throw new TemplateSyntaxError(`an unclosed "{{" in ${JSON.stringify(text)}`);
  const parts: Array<string | ((data: unknown) => string)> = [];
  const roots = new Set<string>();
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    if (match.index > last) parts.push(text.slice(last, match.index));
    last = match.index + match[0].length;
    const [pathPart, ...pipes] = match[1]!.split('|').map((s) => s.trimStart());
    if (!pathPart || !/^[A-Za-z_][\w]*(\.[\w]+)*$/.test(pathPart.trim())) throw new TemplateSyntaxError(`"${match[0]}" needs a data path like {{assembly.partNumber}}`);
    const steps = pipes.map((pipe) => {
      const colon = pipe.indexOf(':');
      const name = (colon < 0 ? pipe : pipe.slice(0, colon)).trim();
      const arg = colon < 0 ? undefined : unquote(pipe.slice(colon + 1));
      const fn = FORMATTERS[name];
      if (!fn) throw new TemplateSyntaxError(`unknown formatter "${name}" in "${match[0]}"; known: ${Object.keys(FORMATTERS).join(', ')}`);
      return (v: unknown) => fn(v, arg);
    });
    const path = pathPart.trim().split('.');
    roots.add(path[0]!);
    parts.push((data) => transform(stringify(steps.reduce((v, step) => step(v), lookup(data, path)))));
  }
  if (last < text.length) parts.push(text.slice(last));
  if (parts.length === 1 && typeof parts[0] === 'string') {
    const constant = parts[0];
    return Object.assign(() => constant, { roots: [] });
  }
  return Object.assign((data: unknown) => parts.map((p) => (typeof p === 'string' ? p : p(data))).join(''), { roots: [...roots] });
}
