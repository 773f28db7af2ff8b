// What a printer is for (its entry's `for`): a shop with a Marken hot folder and a PTS share sends each its own files,
// and an office laser set for datasheets is not offered tags. Without `for`, a printer is for whatever its formats take.
import type { PrinterEntry, PrinterUse } from '../config/schema.js';
import { StationError } from '../errors.js';

const WORDS: Record<PrinterUse, string> = {
  labels: 'tags and labels',
  datasheets: 'datasheets',
  traveler: 'travelers',
  marken: 'Marken files',
  pts: 'PTS files',
  'goldleaf-labels': "GoldLeaf's labels",
};

/** The use a document kind (or a labels job) falls under. */
export function useOf(kind: string): PrinterUse {
  if (kind === 'datasheet' || kind === 'assembly-datasheet' || kind === 'kit-datasheet') return 'datasheets';
  if (kind === 'traveler' || kind === 'marken' || kind === 'pts' || kind === 'goldleaf-labels') return kind;
  return 'labels';
}

export function isFor(entry: Pick<PrinterEntry, 'for'>, use: PrinterUse): boolean {
  return !entry.for || entry.for.includes(use);
}

/** Refuses what the printer is not set to take, saying what it is for. */
export function assertFor(printer: { id: string; entry: Pick<PrinterEntry, 'for' | 'name'> }, use: PrinterUse): void {
  if (isFor(printer.entry, use)) return;
  const name = printer.entry.name ?? printer.id;
  throw new StationError('NOT_FOR_THIS_PRINTER', `${name} is set to take ${printer.entry.for!.map((u) => WORDS[u]).join(' and ')} only, not ${WORDS[use]}.`, {
    status: 422,
    hint: 'Choose the printer for it, or add it to what this printer is for (the Printers screen, or `for` in the config file).',
    details: { printer: printer.id, for: printer.entry.for, asked: use },
  });
}
