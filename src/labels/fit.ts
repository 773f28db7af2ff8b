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
