// Where the kiosk sends each thing: a line's labels to the working printer whose stock fits them best, a datasheet to
// one whose paper takes its page, a traveler, Marken or PTS file to the printer set for it. Each printer as the
// registry shows it (its state, its stock and what it is for).
import type { AppDeps } from '../deps.js';
import type { PrinterUse } from '../config/schema.js';
import type { PrinterView } from '../printing/registry.js';
import { pageRank, sizeWords, stockRank } from '../labels/fit.js';
import type { LoadedTemplate } from '../labels/templates.js';
import { isAbsolute } from 'node:path';

/** A printer the kiosk may send to: set up right and not switched off (a disabled printer's new jobs are refused). */
const working = (p: PrinterView) => !p.problem && !p.disabled;

/** The shipped templates a bench chooses from, in this order, by short names; the shop's own follow by their names. */
const BENCH_LABELS = new Map([
  ['hose-tag', 'Tag 76×25 mm'],
  ['assembly-2x3', 'Label 2×3 in'],
  ['assembly-4x6', 'Label 4×6 in'],
  ['kit-label', 'Kit label 4×3 in'],
]);

/** A label a line can print, and the printer whose stock takes it (none when no working printer's does). */
export interface LabelChoice {
  id: string;
  name: string;
  subject: 'assembly' | 'kit' | 'workorder';
  printer?: PrinterView;
}

/**
 * The labels a bench offers for a line: the shipped tag and assembly labels, then every template the shop added (in
 * the designer or its templates folder). Each goes to the working printer whose loaded stock fits it best (the same
 * size, else the smallest larger, else one whose stock is not set), ZPL before PDF: a 4x6 label goes to the 4x6
 * printer, not onto the first printer's 76x25 tags.
 */
export function labelChoices(deps: Pick<AppDeps, 'printers' | 'labels'>, printers: readonly PrinterView[] = deps.printers.views()): LabelChoice[] {
  const shopAdded = (t: LoadedTemplate) => t.source === 'stored' || isAbsolute(t.file);
  const offered = deps.labels.templates
    .list()
    .filter((t) => t.def.subject !== 'workorder' && (BENCH_LABELS.has(t.def.id) || shopAdded(t)))
    .sort((a, b) => order(a) - order(b) || a.def.name.localeCompare(b.def.name));
  function order(t: LoadedTemplate): number {
    const i = [...BENCH_LABELS.keys()].indexOf(t.def.id);
    return i < 0 ? BENCH_LABELS.size : i;
  }
  return offered.map((t) => {
    const best = labelPrinter(printers, t);
    const name = BENCH_LABELS.get(t.def.id) && !shopAdded(t) ? BENCH_LABELS.get(t.def.id)! : t.def.name;
    return { id: t.def.id, name, subject: t.def.subject, ...(best ? { printer: best } : {}) };
  });
}

/** The working printer whose stock fits the label best (see labelChoices), if any. */
export function labelPrinter(printers: readonly PrinterView[], t: LoadedTemplate): PrinterView | undefined {
  let best: { printer: PrinterView; rank: number } | undefined;
  for (const p of printers) {
    if (!working(p) || !forUse(p, 'labels') || !(p.formats.includes('zpl') || p.formats.includes('pdf'))) continue;
    if (t.def.kind === 'zpl' && !p.formats.includes('zpl')) continue;
    const rank = stockRank(t.def.size, p.stock);
    if (rank === undefined) continue;
    // ZPL before PDF at the same rank (a Zebra is the bench's own printer).
    const better = !best || rank < best.rank || (rank === best.rank && p.formats.includes('zpl') && !best.printer.formats.includes('zpl'));
    if (better) best = { printer: p, rank };
  }
  return best?.printer;
}

export type SheetKind = 'datasheet' | 'assembly-datasheet' | 'kit-datasheet';

/**
 * Where a datasheet goes: the working PDF printer whose paper suits its page best (an A4 page to the A4 printer, never
 * onto 4x6 in labels), and what its button says when there is none. Not to a hot folder that takes any file: that is
 * the marking machine's.
 */
export function sheetTarget(deps: Pick<AppDeps, 'documents'>, printers: readonly PrinterView[], kind: SheetKind): { printer?: PrinterView; none: string } {
  const page = deps.documents.pageSize(kind);
  let best: { printer: PrinterView; rank: number } | undefined;
  for (const p of printers) {
    if (!working(p) || !forUse(p, 'datasheets') || !p.formats.includes('pdf')) continue;
    const rank = page ? pageRank(page, p.stock) : 0;
    if (rank !== undefined && (!best || rank < best.rank)) best = { printer: p, rank };
  }
  const none = page ? `No working printer has paper for a page of ${sizeWords(page)}` : 'No working PDF printer';
  return { ...(best ? { printer: best.printer } : {}), none };
}

/**
 * The first working printer that takes one of `formats`, in that order of preference; with `use`, one set to be for
 * it before one that is for anything (a Marken file to the Marken hot folder, not to the first folder).
 */
export function printerFor(printers: readonly PrinterView[], formats: readonly string[], use?: PrinterUse): PrinterView | undefined {
  const named = use ? printers.filter((p) => p.for?.includes(use)) : [];
  for (const among of [named, printers]) {
    for (const f of formats) {
      const hit = among.find((p) => working(p) && forUse(p, use) && p.formats.includes(f));
      if (hit) return hit;
    }
  }
  return undefined;
}

/** Whether the printer may be sent this (its entry's `for`; without it, anything its formats take). */
const forUse = (p: PrinterView, use: PrinterUse | undefined) => !use || !p.for || p.for.includes(use);
