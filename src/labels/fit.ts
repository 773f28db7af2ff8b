// Whether a label or a page fits the stock a printer has loaded: as its entry says (`media` in the config file or on the
// Printers screen), else as the printer says (an IPP printer's media-ready, one size per tray or roll). A 4x6 in label
// sent to a printer with 76x25 mm tags in it comes out across six tags, cut and unreadable; an A4 datasheet on 4x6 in
// labels is shrunk to half: the station refuses both before anything prints, and the kiosk offers each on a printer
// whose stock takes it. Stock not known takes anything.
import { StationError } from '../errors.js';
import type { MediaSize, Stock } from '../printing/media.js';

export type LabelSize = MediaSize;

/** Stock sizes are written in mm or inches ("101.6 x 152.4" or "102 x 152"): a label this much larger still fits. */
const SLACK_MM = 1;

const mm = (n: number) => String(Math.round(n * 10) / 10);

/** "101.6 × 152.4 mm" */
export function sizeWords(s: LabelSize): string {
  return `${mm(s.widthMm)} × ${mm(s.heightMm)} mm`;
}

/** "has 76 × 25 mm stock loaded" / "says it has 215.9 × 279.4 mm or 104.8 × 241.3 mm loaded" (the printer said so) */
export function loadedWords(stock: Stock): string {
  const sizes = stock.sizes.map(sizeWords).join(' or ');
  return stock.from === 'config' ? `has ${sizes} stock loaded` : `says it has ${sizes} loaded`;
}

function stockWords(printer: { id: string; name?: string | undefined }, stock: Stock): string {
  return `${printer.name ?? printer.id} ${loadedWords(stock)}`;
}

const same = (a: LabelSize, b: LabelSize) => Math.abs(a.widthMm - b.widthMm) <= SLACK_MM && Math.abs(a.heightMm - b.heightMm) <= SLACK_MM;

/** The best (lowest) rank over the stock's sizes; undefined when none takes it. */
function bestOf(stock: Stock, rank: (size: LabelSize) => number | undefined): number | undefined {
  let best: number | undefined;
  for (const s of stock.sizes) {
    const r = rank(s);
    if (r !== undefined && (best === undefined || r < best)) best = r;
  }
  return best;
}

/**
 * Stock more than this many times a label's area (a 2x3 in label on 4x6 in stock is 4) is not label stock for it: a
 * 76x25 mm tag on an office printer's A4 sheet. Such a printer takes the label, but ranks with printers whose stock is
 * not known, where a Zebra goes first.
 */
const MOST_WASTE = 4.5;

// Labels: laid out for their size, never turned or shrunk.
function labelOn(label: LabelSize, size: LabelSize): number | undefined {
  if (label.widthMm > size.widthMm + SLACK_MM || label.heightMm > size.heightMm + SLACK_MM) return undefined;
  const waste = (size.widthMm * size.heightMm) / (label.widthMm * label.heightMm);
  return same(label, size) ? 0 : waste <= MOST_WASTE ? 1 + waste : Number.MAX_SAFE_INTEGER;
}

/** Whether the label fits the stock as it is laid out (the station does not turn a label to fit). No stock known: it may. */
export function fitsStock(label: LabelSize, stock: Stock | undefined): boolean {
  return !stock || bestOf(stock, (s) => labelOn(label, s)) !== undefined;
}

/**
 * How well a printer's stock suits a label, for choosing among printers that take it (lower is better): the same
 * size, then larger stock (the least waste first), then a printer whose stock is not known (it may fit, or not) or is
 * sheets rather than labels.
 * undefined: it does not fit.
 */
export function stockRank(label: LabelSize, stock: Stock | undefined): number | undefined {
  return stock ? bestOf(stock, (s) => labelOn(label, s)) : Number.MAX_SAFE_INTEGER;
}

/** Refuses a label larger than the printer's stock, naming both sizes and what to do. */
export function assertFitsStock(template: { id: string; name: string; size: LabelSize }, printer: { id: string; name?: string | undefined }, stock: Stock | undefined): void {
  if (!stock || fitsStock(template.size, stock)) return;
  const label = `"${template.name}" (${template.id})`;
  throw new StationError('LABEL_DOES_NOT_FIT', `The label ${label} is ${sizeWords(template.size)}; ${stockWords(printer, stock)}.`, {
    status: 422,
    hint: 'Choose a label of that size, or a printer with larger stock. If other stock has been loaded, set its label size on the Printers screen (or in the config file).',
    details: { template: template.id, printer: printer.id, labelMm: template.size, stockMm: stock.sizes, stockFrom: stock.from },
  });
}

// Pages (datasheets, GoldLeaf's PDFs) are not labels: a printer turns a page to its paper and shrinks it a little to
// fit (a Letter page on A4 paper comes out at 97%), so a page fits paper it can be printed on at 90% or more, either way
// round. An A4 datasheet on 4x6 in label stock would be shrunk to 48%, onto a shipping label: refused.

/** The least a page may be shrunk to fit the printer's paper. */
const LEAST_SCALE = 0.9;

function pageOn(page: LabelSize, size: LabelSize): number | undefined {
  const upright = Math.min(size.widthMm / page.widthMm, size.heightMm / page.heightMm);
  const turned = Math.min(size.widthMm / page.heightMm, size.heightMm / page.widthMm);
  if (Math.max(upright, turned) < LEAST_SCALE) return undefined;
  if (same(page, size) || same({ widthMm: page.heightMm, heightMm: page.widthMm }, size)) return 0;
  return 1 + Math.abs(Math.log((size.widthMm * size.heightMm) / (page.widthMm * page.heightMm)));
}

/** Whether a page can be printed on the printer's stock (no stock known: it may). */
export function pageFits(page: LabelSize, stock: Stock | undefined): boolean {
  return !stock || bestOf(stock, (s) => pageOn(page, s)) !== undefined;
}

/** Like stockRank, for a page: the same size first, then the paper it wastes least of, then a printer of unknown stock. */
export function pageRank(page: LabelSize, stock: Stock | undefined): number | undefined {
  return stock ? bestOf(stock, (s) => pageOn(page, s)) : Number.MAX_SAFE_INTEGER;
}

/** Refuses a document whose pages the printer's stock cannot take, naming both sizes and what to do. */
export function assertPageFits(document: { title: string; pageMm?: LabelSize | undefined }, printer: { id: string; name?: string | undefined }, stock: Stock | undefined): void {
  if (!document.pageMm || !stock || pageFits(document.pageMm, stock)) return;
  throw new StationError('DOCUMENT_DOES_NOT_FIT', `"${document.title}" is a page of ${sizeWords(document.pageMm)}; ${stockWords(printer, stock)}.`, {
    status: 422,
    hint: 'Send it to a printer with paper of that size (an office printer). If other stock has been loaded, set its size on the Printers screen (or in the config file).',
    details: { printer: printer.id, pageMm: document.pageMm, stockMm: stock.sizes, stockFrom: stock.from },
  });
}
