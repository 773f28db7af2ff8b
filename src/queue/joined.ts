// One-label jobs that go to a printer as one delivery (PrinterDriver.joins): the document they make together, and how
// far a failed delivery came, which decides what becomes of each job.
import { PartialPrintError, PrinterHeldError, type PrintDocument } from '../printing/types.js';
import type { JobRecord } from './job-record.js';

/** The jobs' labels in their order, one part each. */
export function joinedDocument(jobs: readonly JobRecord[], labels: readonly Uint8Array[]): PrintDocument {
  const partEnds: number[] = [];
  let end = 0;
  for (const label of labels) partEnds.push((end += label.length));
  return {
    format: jobs[0]!.format as PrintDocument['format'],
    bytes: Buffer.concat(labels),
    meta: { name: `${jobs.length} one-label jobs`, contentType: jobs[0]!.contentType, partEnds, joined: true },
  };
}

/**
 * How many labels of a failed delivery the printer confirmed, and how many may have left the station (an upper
 * bound); any failure that is not one of the two below sent nothing (the drivers' rule).
 */
export function deliveredOf(err: unknown): { confirmed: number; sent: number; heldInPrinter: boolean } {
  if (err instanceof PartialPrintError) return { confirmed: err.evidence.partsConfirmed, sent: err.evidence.partsSent, heldInPrinter: !!err.evidence.heldInPrinter };
  if (err instanceof PrinterHeldError) return { confirmed: err.partsConfirmed, sent: err.partsConfirmed, heldInPrinter: false };
  return { confirmed: 0, sent: 0, heldInPrinter: false };
}
