// What a print job is, as stored: its states, its record, and the mapping from a database row.
import type { PrintDocument } from '../printing/types.js';

/** done: the printer confirmed it (printed, where it reports that); sent: handed to a printer set up not to confirm. */
export const JOB_STATES = ['queued', 'printing', 'done', 'sent', 'failed', 'needs-attention', 'cancelled', 'expired'] as const;
/** States a job never leaves. */
export const ENDED_STATES: readonly JobState[] = ['done', 'sent', 'failed', 'cancelled', 'expired'];
export type JobState = (typeof JOB_STATES)[number];
export type JobKind = 'labels' | 'document' | 'test' | 'raw';

export interface JobRecord {
  id: string;
  seq: number;
  idempotencyKey?: string;
  printerId: string;
  state: JobState;
  requestedBy: string;
  kind: JobKind;
  workOrderId?: string;
  workOrderNumber?: string;
  lineNumber?: number;
  templateId?: string;
  templateVersion?: number;
  documentName: string;
  /** What it is, in words, e.g. "Traveler for WO-24001" or "Tags for WO-24005 line 10". */
  title: string;
  format: string;
  contentType: string;
  origin?: string;
  bytesTotal: number;
  partsTotal: number;
  /** Parts handed over, stored before they leave: an upper bound of what may have printed. */
  partsSent: number;
  bytesSent: number;
  /** Parts the printer proved it received; a held job goes on after them. */
  partsConfirmed: number;
  /** Parts the printer said had come out, where it reports that. */
  partsPrinted?: number;
  /** Why a waiting job does not print now, in plain words (e.g. "Tag printer: out of labels"). */
  waitingReason?: string;
  /** The waiting reason is the printer printing other jobs first (it has this one; nobody needs to act). */
  waitingTurn?: true;
  /** Serials in part order; part i of this job is label firstPart + i - 1 of its batch. */
  serials: string[];
  firstPart: number;
  batchId?: string;
  reprintOf?: string;
  isReprint: boolean;
  attempts: number;
  nextAttemptAt?: string;
  expiresAt: string;
  errorCode?: string;
  error?: string;
  /** For needs-attention: what happened and what the operator can do, in plain words. */
  attention?: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  updatedAt: string;
}

export interface NewJob {
  printerId: string;
  requestedBy: string;
  kind: JobKind;
  idempotencyKey?: string;
  workOrder?: { id: string; number: string };
  lineNumber?: number;
  template?: { id: string; version: number };
  /** Rendered, or written as it was made (a long one) by a stage of the job store. */
  document: PrintDocument;
  /** What it is, in words; the document's name when absent. */
  title?: string;
  /** What each label was filled with (labels jobs): kept, so any bench of the shop can print them again. */
  labelData?: readonly unknown[];
  /** A line's tags: the line as it was when they were made (see tag-changes), kept small beside the label data. */
  printedWith?: unknown;
  /** A document job's kind ("datasheet", "traveler", …). */
  documentKind?: string;
  /** Who asked for exactly what (see the submissions guard): the same again soon returns this job. */
  fingerprint?: string;
  serials?: string[];
  firstPart?: number;
  batchId?: string;
  reprintOf?: string;
  isReprint?: boolean;
  expiresAt: string;
}

export interface JobFilter {
  state?: JobState;
  printerId?: string;
  workOrder?: string;
  serial?: string;
  from?: string;
  to?: string;
  limit?: number;
  offset?: number;
}

export type Row = Record<string, unknown>;

export const COLUMNS = `id, seq, idempotency_key, printer_id, state, requested_by, kind, work_order_id, work_order_number, line_number, template_id,
  template_version, document_name, title, format, content_type, origin, bytes_total, parts_total, parts_sent, bytes_sent, parts_confirmed,
  parts_printed, waiting_reason, waiting_turn, serials,
  first_part, batch_id, reprint_of, is_reprint, attempts, next_attempt_at, expires_at, error_code, error, attention, created_at, started_at,
  finished_at, updated_at`;

export function toRecord(r: Row): JobRecord {
  const opt = <T>(key: string, value: T | null | undefined) => (value === null || value === undefined ? {} : { [key]: value });
  return {
    id: r.id as string,
    seq: r.seq as number,
    ...opt('idempotencyKey', r.idempotency_key as string | null),
    printerId: r.printer_id as string,
    state: r.state as JobState,
    requestedBy: r.requested_by as string,
    kind: r.kind as JobKind,
    ...opt('workOrderId', r.work_order_id as string | null),
    ...opt('workOrderNumber', r.work_order_number as string | null),
    ...opt('lineNumber', r.line_number as number | null),
    ...opt('templateId', r.template_id as string | null),
    ...opt('templateVersion', r.template_version as number | null),
    documentName: r.document_name as string,
    title: (r.title as string | null) ?? (r.document_name as string),
    format: r.format as string,
    contentType: r.content_type as string,
    ...opt('origin', r.origin as string | null),
    bytesTotal: r.bytes_total as number,
    partsTotal: r.parts_total as number,
    partsSent: r.parts_sent as number,
    bytesSent: r.bytes_sent as number,
    partsConfirmed: r.parts_confirmed as number,
    ...opt('partsPrinted', r.parts_printed as number | null),
    ...opt('waitingReason', r.waiting_reason as string | null),
    ...(r.waiting_turn === 1 ? { waitingTurn: true } : {}),
    serials: JSON.parse(r.serials as string) as string[],
    firstPart: r.first_part as number,
    ...opt('batchId', r.batch_id as string | null),
    ...opt('reprintOf', r.reprint_of as string | null),
    isReprint: r.is_reprint === 1,
    attempts: r.attempts as number,
    ...opt('nextAttemptAt', r.next_attempt_at as string | null),
    expiresAt: r.expires_at as string,
    ...opt('errorCode', r.error_code as string | null),
    ...opt('error', r.error as string | null),
    ...opt('attention', r.attention as string | null),
    createdAt: r.created_at as string,
    ...opt('startedAt', r.started_at as string | null),
    ...opt('finishedAt', r.finished_at as string | null),
    updatedAt: r.updated_at as string,
  } as JobRecord;
}

