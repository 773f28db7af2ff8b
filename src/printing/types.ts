// What the core knows of printers: rendered documents, the driver interface, and the fixed status vocabulary.
import type { z } from 'zod';
import { StationError } from '../errors.js';
import type { Logger } from '../logger.js';

export const DOCUMENT_FORMATS = ['zpl', 'escpos', 'pdf', 'png', 'file'] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

export interface DocumentMeta {
  /** A file name that says what it is, e.g. "WO-10023-line-2-tags.zpl". */
  name: string;
  contentType: string;
  /** Byte offsets where each label (or page) ends, so a driver can report progress label by label. */
  partEnds?: number[];
  /**
   * Bytes at the start that are no label but that every label needs at the printer first (ZPL: the graphics the
   * labels recall, stored with ~DG). The first label starts after them; a driver that sends from a later label (a
   * resume) sends them first again, as the printer may have been switched off since.
   */
  prefix?: number;
  /** Where the bytes came from, e.g. "template hose-tag v3" or "GoldLeaf". */
  origin?: string;
  /** A printed document's page size in mm, where it is known (a datasheet's A4, the first page of GoldLeaf's PDF). */
  pageMm?: { widthMm: number; heightMm: number };
  /**
   * The parts are the labels of separate one-label jobs sent as one delivery (see PrinterDriver.joins): each is
   * confirmed as its part is, and nothing is counted for the whole (a ZPL printer's odometer, say).
   */
  joined?: boolean;
}

export interface RenderedDocument {
  format: DocumentFormat;
  bytes: Uint8Array;
  meta: DocumentMeta;
}

/**
 * A document's bytes as a driver reads them: held whole (a Uint8Array is one), or a long job's, read from the store a
 * segment at a time while it prints (a 10,000-tag job is never held whole).
 */
export interface DocumentBytes {
  readonly length: number;
  /** Bytes start to end (end not included); drivers ask in order. */
  slice(start: number, end: number): Uint8Array;
}

/** What a driver prints: a rendered document, or a job's stored one. */
export interface PrintDocument {
  format: DocumentFormat;
  bytes: DocumentBytes;
  meta: DocumentMeta;
}

/** A long document is stored, and read back while it prints, in segments of about this many bytes. */
export const SEGMENT_BYTES = 1 << 20;

/** Where a long document is written as it is made, a piece at a time, instead of being held whole (the job store). */
export interface DocumentStage {
  /** Takes a copy of the piece (the caller may reuse its buffer). */
  write(piece: Uint8Array): void;
  /** Every piece is written: the document's bytes, read back a segment at a time. */
  finish(): DocumentBytes;
  /** The document will not be printed (it failed, or the job was already made): what was written goes. */
  discard(): void;
}

/** All of a document's bytes at once (for drivers that send a document whole: PDF, ESC/POS). */
export function wholeBytes(bytes: DocumentBytes): Uint8Array {
  return bytes instanceof Uint8Array ? bytes : bytes.slice(0, bytes.length);
}

export const PRINTER_STATES = ['ready', 'printing', 'paused', 'no-media', 'head-open', 'ribbon-out', 'offline', 'error', 'disabled', 'unknown'] as const;
export type PrinterState = (typeof PRINTER_STATES)[number];

export interface PrinterStatus {
  state: PrinterState;
  /** Plain words for the operator, e.g. "paper out" or "no answer to ~HS within 2 s". */
  detail?: string;
  /** Labels the printer has received and not printed yet, where it says (ZPL: formats in buffer and labels left). */
  waiting?: number;
  /** Jobs the printer has taken and not finished, where it says (IPP: queued-job-count). */
  jobsWaiting?: number;
  /** The sizes of the media it says it has loaded, where it says (IPP: media-ready, one per tray or roll). */
  media?: Array<{ widthMm: number; heightMm: number }>;
}

/**
 * What the station knows of a document's labels (parts) at the printer, in the order they leave.
 * sent >= confirmed >= printed: sent is an upper bound (handed to the network), confirmed is proven received (the
 * printer answered a status request that came after them), printed is what the printer says has come out.
 */
export interface DeliveryProgress {
  /** Bytes handed over so far (an upper bound of what arrived). */
  bytesSent: number;
  /** Parts handed over (or, before a write, about to be): an upper bound of what may print. */
  partsSent: number;
  /** Parts the printer has proven it received. */
  partsConfirmed: number;
  /** Parts the printer says have printed, where it reports that (formats still in its buffer). */
  partsPrinted?: number;
  /** The printer's own state as it answered during the job (e.g. paper out while labels wait in it). */
  status?: PrinterStatus;
  /**
   * Why the printer is not going on with labels it has, while it waits for a person ("out of paper"): the job says so
   * until a report without it. It prints them once that is put right, so nothing is in doubt meanwhile.
   */
  waitingFor?: string;
  /**
   * Why the printer has not started the job though nothing needs a person: it prints other jobs first (a busy CUPS
   * queue shared with the office: "2 other jobs ahead of this one"). The job says so until a report without it.
   */
  waitingTurn?: string;
}

export interface PrintOptions {
  signal: AbortSignal;
  /**
   * Parts (0-based count) the printer already confirmed in an earlier attempt of this job: sending starts after them.
   * Only ever set from a printer's own confirmation, so continuing cannot double a label.
   */
  startPart?: number;
  /**
   * Called before each write with the parts about to leave (so a crash never hides a send), and after each
   * confirmation. The queue stores it. Before a write, the driver awaits what it returns: the record of what is about
   * to leave on disk first, so that not even a power cut can hide a send.
   */
  onProgress?: (progress: DeliveryProgress) => void | Promise<void>;
}

export interface PrintResult {
  bytesSent: number;
  partsSent: number;
  partsConfirmed: number;
  partsPrinted?: number;
  /** False when the printer was set up not to confirm (options.confirm false): sent, but not proven. */
  confirmed: boolean;
  /** Where the document went, when the driver can say (a file path, an IPP job id). */
  reference?: string;
  /** What else the printer told us, in plain words (e.g. media fed by the odometer). */
  note?: string;
}

export interface PrinterDriver {
  readonly formats: readonly DocumentFormat[];
  /**
   * How many one-label jobs waiting for this printer may go as one delivery (a document whose parts are the jobs,
   * meta.joined): the printer confirms them in groups instead of a round trip or two each. Unset: one at a time.
   */
  readonly joins?: number;
  print(document: PrintDocument, options: PrintOptions): Promise<PrintResult>;
  status?(signal: AbortSignal): Promise<PrinterStatus>;
  /** Setting the printer up from the bench (ZPL printers): what it can do, and doing it. */
  readonly setupActions?: readonly SetupAction['action'][];
  setup?(action: SetupAction, signal: AbortSignal): Promise<SetupResult>;
  close?(): Promise<void>;
}

/** identify: model, firmware, resolution, label length; calibrate: measure the labels; darkness 0-30; speed in inches/s. */
export type SetupAction = { action: 'identify' } | { action: 'calibrate' } | { action: 'darkness'; value: number } | { action: 'speed'; value: number };

export interface SetupResult {
  /** What happened, in plain words. */
  said: string;
  /** What the printer reported, where it did. */
  facts: { model?: string; firmware?: string; dpmm?: number; labelLengthMm?: number; darkness?: number; speedIps?: number; state?: string };
}

export interface PrinterSettings<Options> {
  id: string;
  uri: URL;
  dpmm: 8 | 12 | 24;
  media?: { widthMm: number; heightMm: number };
  options: Options;
}

export interface DriverContext {
  logger: Logger;
}

/** One file in printers/ exports one of these as its default. */
export interface DriverDefinition<Options = unknown> {
  name: string;
  description: string;
  uriSchemes: readonly string[];
  optionsSchema: z.ZodType<Options>;
  create(settings: PrinterSettings<Options>, context: DriverContext): PrinterDriver;
}

/** Evidence after a failure: labels up to `partsConfirmed` arrived, up to `partsSent` may have, the rest did not. */
export interface DeliveryEvidence {
  bytesSent: number;
  partsSent: number;
  partsConfirmed: number;
  partsPrinted?: number;
  /** All parts arrived, but some still waited in the printer's memory (not printed) when we lost track. */
  heldInPrinter?: boolean;
}

/** Bytes may have reached the device without proof: never resend on our own (the duplicate rule). */
export class PartialPrintError extends StationError {
  readonly evidence: DeliveryEvidence;
  constructor(message: string, evidence: DeliveryEvidence, cause?: unknown) {
    super('PRINT_PARTIAL', message, {
      status: 502,
      retryable: false,
      hint: 'Some labels may not have printed. Check the printer, then resume where the labels stop, or reprint a range.',
      details: evidence,
      cause,
    });
    this.evidence = evidence;
  }

  get bytesSent(): number {
    return this.evidence.bytesSent;
  }

  get partsSent(): number {
    return this.evidence.partsSent;
  }
}

/** Nothing reached the device: safe to try again later. */
export class PrinterUnavailableError extends StationError {
  constructor(message: string, hint: string, cause?: unknown) {
    super('PRINTER_UNAVAILABLE', message, { status: 503, retryable: true, hint, cause });
  }
}

/**
 * The printer answers but cannot print now (out of labels, head open, no answer to a status request, ...). Nothing
 * is in doubt: every part sent so far was confirmed (`partsConfirmed`), the rest was not sent. The job waits, and
 * goes on from there by itself when the printer is ready.
 */
export class PrinterHeldError extends StationError {
  readonly printerStatus: PrinterStatus;
  readonly partsConfirmed: number;
  readonly partsPrinted: number | undefined;
  constructor(status: PrinterStatus, partsConfirmed: number, partsPrinted?: number) {
    super('PRINTER_NOT_READY', `The printer is not ready: ${status.detail ?? status.state}.`, {
      status: 503,
      retryable: true,
      hint: 'The job waits and prints by itself when the printer is ready again; nothing is printed twice.',
      details: { state: status.state, partsConfirmed },
    });
    this.printerStatus = status;
    this.partsConfirmed = partsConfirmed;
    this.partsPrinted = partsPrinted;
  }
}

/** States in which a printer takes no job: the queue holds its jobs with the reason. */
export const HOLDING_STATES: readonly PrinterState[] = ['no-media', 'head-open', 'ribbon-out', 'paused', 'error', 'offline'];
