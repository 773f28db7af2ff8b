// What benches and the shop ledger exchange: the events a bench ships and its jobs as the ledger keeps them.

/** One event a bench ships: its id is unique shop-wide, so shipping it twice changes nothing. */
export interface LedgerEvent {
  eventId: string;
  /** The bench's own order of its events. */
  seq: number;
  kind: 'job' | 'serials.skipped' | 'release.claimed';
  at: string;
  /** What it tells: an object, or its JSON as the bench's outbox keeps it (shipped as it is, never parsed on the way). */
  payload: Record<string, unknown> | string;
}

/** A job as a bench ships it (its record, without the printer bytes). */
export interface ShippedJob {
  id: string;
  seq: number;
  state: string;
  title: string;
  kind: string;
  printerId: string;
  requestedBy: string;
  workOrderNumber?: string;
  lineNumber?: number;
  templateId?: string;
  templateVersion?: number;
  serials: string[];
  firstPart: number;
  partsTotal: number;
  partsConfirmed: number;
  partsSent?: number;
  partsPrinted?: number;
  isReprint: boolean;
  reprintOf?: string;
  partNumbers?: string[];
  /** base64 of the gzipped label data, for a reprint on another bench. */
  labelData?: string;
  /** A line's tags: the line as it was when they were made (JSON text, see tag-changes). */
  printedWith?: string;
  createdAt: string;
  finishedAt?: string;
  updatedAt: string;
}

export interface ShopJob extends Omit<ShippedJob, 'labelData' | 'printedWith' | 'seq'> {
  benchId: string;
  hasLabelData: boolean;
}

export interface ShopJobFilter {
  workOrder?: string;
  serial?: string;
  assembly?: string;
  bench?: string;
  from?: string;
  to?: string;
  limit?: number;
  offset?: number;
}
