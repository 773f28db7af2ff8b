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
  /** Where the bytes came from, e.g. "template hose-tag v3" or "GoldLeaf". */
  origin?: string;
}

export interface RenderedDocument {
  format: DocumentFormat;
  bytes: Uint8Array;
  meta: DocumentMeta;
}

export const PRINTER_STATES = ['ready', 'printing', 'paused', 'no-media', 'head-open', 'ribbon-out', 'offline', 'error', 'unknown'] as const;
export type PrinterState = (typeof PRINTER_STATES)[number];

export interface PrinterStatus {
  state: PrinterState;
  /** Plain words for the operator, e.g. "paper out" or "no answer to ~HS within 2 s". */
  detail?: string;
}

export interface PrintOptions {
  signal: AbortSignal;
  /** Called as bytes leave, with how many labels (parts) are complete. */
  onProgress?: (progress: { bytesSent: number; partsSent: number }) => void;
}

export interface PrintResult {
  bytesSent: number;
  partsSent: number;
  /** Where the document went, when the driver can say (a file path, an IPP job id). */
  reference?: string;
}

export interface PrinterDriver {
  readonly formats: readonly DocumentFormat[];
  print(document: RenderedDocument, options: PrintOptions): Promise<PrintResult>;
  status?(signal: AbortSignal): Promise<PrinterStatus>;
  close?(): Promise<void>;
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

/** Bytes may have reached the device: never resend on our own (the duplicate rule). */
export class PartialPrintError extends StationError {
  readonly bytesSent: number;
  readonly partsSent: number;
  constructor(message: string, sent: { bytesSent: number; partsSent: number }, cause?: unknown) {
    super('PRINT_PARTIAL', message, {
      status: 502,
      retryable: false,
      hint: 'Some labels may have printed. Check the printer, then resume from the first missing label or reprint a range.',
      details: sent,
      cause,
    });
    this.bytesSent = sent.bytesSent;
    this.partsSent = sent.partsSent;
  }
}

/** Nothing reached the device: safe to try again later. */
export class PrinterUnavailableError extends StationError {
  constructor(message: string, hint: string, cause?: unknown) {
    super('PRINTER_UNAVAILABLE', message, { status: 503, retryable: true, hint, cause });
  }
}
