// Whether a label fits the stock a printer has loaded (its config entry's `media`). A 4x6 in label sent to a printer
// with 76x25 mm tags in it comes out across six tags, cut and unreadable: the station refuses it before anything prints,
// and the kiosk offers each label size on a printer whose stock takes it.
import { StationError } from '../errors.js';

export interface LabelSize {
  widthMm: number;
  heightMm: number;
}

/** Stock sizes are written in mm or inches ("101.6 x 152.4" or "102 x 152"): a label this much larger still fits. */
const SLACK_MM = 1;

const mm = (n: number) => String(Math.round(n * 10) / 10);

/** "101.6 × 152.4 mm" */
export function sizeWords(s: LabelSize): string {
  return `${mm(s.widthMm)} × ${mm(s.heightMm)} mm`;
}

/** Whether the label fits the stock as it is laid out (the station does not turn a label to fit). No stock known: it may. */
export function fitsStock(label: LabelSize, stock: LabelSize | undefined): boolean {
  return !stock || (label.widthMm <= stock.widthMm + SLACK_MM && label.heightMm <= stock.heightMm + SLACK_MM);
}

/**
 * How well a printer's stock suits a label, for choosing among printers that take it (lower is better): the same
 * size, then larger stock (the least waste first), then a printer whose stock is not known (it may fit, or not).
 * undefined: it does not fit.
 */
export function stockRank(label: LabelSize, stock: LabelSize | undefined): number | undefined {
  if (!stock) return Number.MAX_SAFE_INTEGER;
  if (!fitsStock(label, stock)) return undefined;
  const same = Math.abs(label.widthMm - stock.widthMm) <= SLACK_MM && Math.abs(label.heightMm - stock.heightMm) <= SLACK_MM;
  return same ? 0 : 1 + (stock.widthMm * stock.heightMm) / (label.widthMm * label.heightMm);
}

/** Refuses a label larger than the printer's stock, naming both sizes and what to do. */
export function assertFitsStock(template: { id: string; name: string; size: LabelSize }, printer: { id: string; name?: string; media?: LabelSize }): void {
  if (fitsStock(template.size, printer.media)) return;
  const label = `"${template.name}" (${template.id})`;
  throw new StationError('LABEL_DOES_NOT_FIT', `The label ${label} is ${sizeWords(template.size)}; ${printer.name ?? printer.id} has ${sizeWords(printer.media!)} stock loaded.`, {
    status: 422,
    hint: 'Choose a label of that size, or a printer with larger stock. If other stock has been loaded, set its label size on the Printers screen (or in the config file).',
    details: { template: template.id, printer: printer.id, labelMm: template.size, stockMm: printer.media },
  });
}

// Pages (datasheets, GoldLeaf's PDFs) are not labels: a printer turns a page to its paper and shrinks it a little to
// fit (a Letter page on A4 paper comes out at 97%), so a page fits paper it can be printed on at 90% or more, either way
// round. An A4 datasheet on 4x6 in label stock would be shrunk to 48%, onto a shipping label: refused.

/** The least a page may be shrunk to fit the printer's paper. */
const LEAST_SCALE = 0.9;

function scaleToFit(page: LabelSize, stock: LabelSize): number {
  const upright = Math.min(stock.widthMm / page.widthMm, stock.heightMm / page.heightMm);
  const turned = Math.min(stock.widthMm / page.heightMm, stock.heightMm / page.widthMm);
  return Math.max(upright, turned);
}

/** Whether a page can be printed on the printer's stock (no stock known: it may). */
export function pageFits(page: LabelSize, stock: LabelSize | undefined): boolean {
  return !stock || scaleToFit(page, stock) >= LEAST_SCALE;
}

/** Like stockRank, for a page: the same size first, then the paper it wastes least of, then a printer of unknown stock. */
export function pageRank(page: LabelSize, stock: LabelSize | undefined): number | undefined {
  if (!stock) return Number.MAX_SAFE_INTEGER;
  if (!pageFits(page, stock)) return undefined;
  const same = (a: LabelSize, b: LabelSize) => Math.abs(a.widthMm - b.widthMm) <= SLACK_MM && Math.abs(a.heightMm - b.heightMm) <= SLACK_MM;
  if (same(page, stock) || same({ widthMm: page.heightMm, heightMm: page.widthMm }, stock)) return 0;
  return 1 + Math.abs(Math.log((stock.widthMm * stock.heightMm) / (page.widthMm * page.heightMm)));
}

/** Refuses a document whose pages the printer's stock cannot take, naming both sizes and what to do. */
export function assertPageFits(document: { title: string; pageMm?: LabelSize | undefined }, printer: { id: string; name?: string | undefined; media?: LabelSize | undefined }): void {
  if (!document.pageMm || pageFits(document.pageMm, printer.media)) return;
  throw new StationError('DOCUMENT_DOES_NOT_FIT', `"${document.title}" is a page of ${sizeWords(document.pageMm)}; ${printer.name ?? printer.id} has ${sizeWords(printer.media!)} stock loaded.`, {
    status: 422,
    hint: 'Send it to a printer with paper of that size (an office printer). If other stock has been loaded, set its size on the Printers screen (or in the config file).',
    details: { printer: printer.id, pageMm: document.pageMm, stockMm: printer.media },
  });
}
