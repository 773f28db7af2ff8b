// Jobs in SQLite, read: one job, a printer's queue, searches, what a job printed and its history. The changes of state
// (insert, claim, transitions) are in job-store.ts, which builds on this.
import { decodeLabelData } from './label-data-codec.js';
import { documentUnreadable, JobDocuments } from './job-documents.js';
import type { DocumentBytes } from '../printing/types.js';
import type { Statement } from 'better-sqlite3';
import { preparedStatements, type Store } from '../store/store.js';
import { COLUMNS, toRecord, type JobFilter, type JobRecord, type Row } from './job-record.js';
import { PrintedLines } from './printed-lines.js';

export class JobReads {
  protected readonly sql: (text: string) => Statement;

  /** The jobs' documents, in segments. */
  readonly documents: JobDocuments;
  /** Which lines of a work order have their tags. */
  readonly printedLines: PrintedLines;

  constructor(protected readonly store: Store) {
    this.sql = preparedStatements(store);
    this.documents = new JobDocuments(store);
    this.printedLines = new PrintedLines(store);
  }

  get(id: string): JobRecord | undefined {
    const row = this.sql(`SELECT ${COLUMNS} FROM jobs WHERE id = ?`).get(id) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  /**
   * What a document job printed: its kind ("datasheet", "marken", …), for what a printer it moves to must be for, and
   * its page, for the paper that printer must have. Jobs from before either was kept have none.
   */
  documentFacts(id: string): { kind?: string; pageMm?: { widthMm: number; heightMm: number } } {
    const row = this.sql('SELECT document_kind AS kind, page_width_mm AS w, page_height_mm AS h FROM jobs WHERE id = ?').get(id) as { kind: string | null; w: number | null; h: number | null } | undefined;
    return { ...(row?.kind ? { kind: row.kind } : {}), ...(row?.w && row.h ? { pageMm: { widthMm: row.w, heightMm: row.h } } : {}) };
  }

  byKey(key: string): JobRecord | undefined {
    const row = this.sql(`SELECT ${COLUMNS} FROM jobs WHERE idempotency_key = ?`).get(key) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  /**
   * The latest job made from the same request (same fingerprint) since `since`, unless it ended without printing
   * (failed, cancelled, expired): asking again for one of those is a new request. Not after `until`: a job made while
   * the PC's clock was ahead (set back since) was not made moments ago, however its time compares.
   */
  recentByFingerprint(fingerprint: string, since: string, until: string): JobRecord | undefined {
    const row = this.sql(
      `SELECT ${COLUMNS} FROM jobs WHERE request_fingerprint = ? AND created_at >= ? AND created_at <= ? AND state NOT IN ('failed', 'cancelled', 'expired') ORDER BY created_at DESC LIMIT 1`,
    ).get(fingerprint, since, until) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** What each label of a labels job was filled with, when it was kept. */
  labelData(id: string): unknown[] | undefined {
    const row = this.sql('SELECT label_data FROM jobs WHERE id = ?').get(id) as { label_data: Buffer | null } | undefined;
    return row?.label_data ? decodeLabelData(row.label_data) : undefined;
  }


  /** What a line's tags were made from, as stored (JSON text), for the shop ledger. */
  printedWithRaw(id: string): string | undefined {
    return (this.sql('SELECT printed_with FROM jobs WHERE id = ?').get(id) as { printed_with: string | null } | undefined)?.printed_with ?? undefined;
  }

  /** The gzipped label data as stored (for the shop ledger, which keeps it as it is). */
  labelDataRaw(id: string): Buffer | undefined {
    return (this.sql('SELECT label_data FROM jobs WHERE id = ?').get(id) as { label_data: Buffer | null } | undefined)?.label_data ?? undefined;
  }

  /** The part number of each label of a job (tags), in part order. */
  partNumbers(id: string): string[] {
    return (this.sql('SELECT s.part_number AS p FROM job_serials js LEFT JOIN serials s ON s.serial = js.serial WHERE js.job_id = ? ORDER BY js.part').all(id) as Array<{ p: string | null }>).map((r) => r.p ?? '');
  }


  /** Labels a printer confirmed of the jobs it started after `since` (other than `except`): received after that time. */
  confirmedSince(printerId: string, since: string, except: string): number {
    return (this.sql('SELECT COALESCE(SUM(parts_confirmed), 0) AS n FROM jobs WHERE printer_id = ? AND started_at > ? AND id != ?').get(printerId, since, except) as { n: number }).n;
  }

  /** Jobs of a printer that are not over: waiting, printing, or needing attention. */
  countOpen(printerId: string): number {
    return (this.sql("SELECT count(*) AS n FROM jobs WHERE printer_id = ? AND state IN ('queued', 'printing', 'needs-attention')").get(printerId) as { n: number }).n;
  }

  /** The job at the head of a printer's queue (the next to print), if any. */
  head(printerId: string, now = new Date().toISOString()): JobRecord | undefined {
    const row = this.sql(`SELECT ${COLUMNS} FROM jobs INDEXED BY jobs_queue WHERE printer_id = ? AND state = 'queued' AND expires_at > ? ORDER BY seq LIMIT 1`).get(printerId, now) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }


  /** When the newest job was made (ISO): the latest time this station has written down, a witness for its clock. */
  newestAt(): string | undefined {
    return (this.sql('SELECT created_at AS at FROM jobs ORDER BY seq DESC LIMIT 1').get() as { at: string } | undefined)?.at;
  }

  /** Jobs that were printing when the station stopped (a crash or a kill). */
  inFlight(): JobRecord[] {
    return (this.sql(`SELECT ${COLUMNS} FROM jobs WHERE state = 'printing' ORDER BY seq`).all() as Row[]).map(toRecord);
  }

  /** Done jobs finished since `since` whose labels the printer had not all printed when last heard (see Queue.recover). */
  doneNotPrinted(since: string): JobRecord[] {
    return (this.sql(`SELECT ${COLUMNS} FROM jobs WHERE state = 'done' AND parts_printed < parts_confirmed AND finished_at > ? ORDER BY seq`).all(since) as Row[]).map(toRecord);
  }

  /** Queued jobs past their expiry. */
  expiredQueued(now = new Date().toISOString()): JobRecord[] {
    return (this.sql(`SELECT ${COLUMNS} FROM jobs WHERE state = 'queued' AND expires_at <= ?`).all(now) as Row[]).map(toRecord);
  }

  /** When the head of the printer's queue becomes due ('' for now; undefined when nothing waits), for the worker's sleep. */
  nextDue(printerId: string): string | undefined {
    const head = this.head(printerId);
    return head ? (head.nextAttemptAt ?? '') : undefined;
  }

  isPaused(printerId: string): boolean {
    return (this.sql('SELECT paused FROM printer_queues WHERE printer_id = ?').get(printerId) as { paused: number } | undefined)?.paused === 1;
  }


  list(f: JobFilter = {}): JobRecord[] {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (f.state) (where.push('state = @state'), (params.state = f.state));
    if (f.printerId) (where.push('printer_id = @printer'), (params.printer = f.printerId));
    if (f.workOrder) (where.push('work_order_number = @wo COLLATE NOCASE'), (params.wo = f.workOrder));
    if (f.serial) (where.push('id IN (SELECT job_id FROM job_serials WHERE serial = @serial COLLATE NOCASE)'), (params.serial = f.serial));
    if (f.from) (where.push('created_at >= @from'), (params.from = f.from));
    if (f.to) (where.push('created_at < @to'), (params.to = f.to));
    params.limit = Math.min(f.limit ?? 100, 10_000);
    params.offset = f.offset ?? 0;
    const sql = `SELECT ${COLUMNS} FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT @limit OFFSET @offset`;
    return (this.sql(sql).all(params) as Row[]).map(toRecord);
  }

  /** The first (not reprint) job that printed a serial, and the serial's part in it. */
  originalForSerial(serial: string): { jobId: string; part: number } | undefined {
    const row = this.sql('SELECT s.job_id AS jobId, s.part AS part FROM job_serials s JOIN jobs j ON j.id = s.job_id WHERE s.serial = ? COLLATE NOCASE ORDER BY j.is_reprint, j.seq LIMIT 1').get(serial) as
      | { jobId: string; part: number }
      | undefined;
    return row;
  }

  events(id: string): Array<{ at: string; state: string; detail?: string }> {
    return (this.sql('SELECT at, state, detail FROM job_events WHERE job_id = ? ORDER BY rowid').all(id) as Array<{ at: string; state: string; detail: string | null }>).map((e) => ({
      at: e.at,
      state: e.state,
      ...(e.detail ? { detail: e.detail } : {}),
    }));
  }

  /** A job's document: its bytes, where each label ends, and how many bytes before the first label its labels need. */
  document(id: string): { bytes: DocumentBytes; partEnds: number[]; prefix: number } {
    const row = this.sql('SELECT bytes_total, part_ends, prefix_bytes FROM jobs WHERE id = ?').get(id) as { bytes_total: number; part_ends: string; prefix_bytes: number } | undefined;
    if (!row) throw documentUnreadable(id, 'the job is not in the store');
    // Where each label ends must lie in order within the bytes: a label past their end would go out short, and the
    // printer's answer after it would count it confirmed.
    let partEnds: unknown;
    try {
      partEnds = JSON.parse(row.part_ends);
    } catch {
      // damaged: said below
    }
    let from = row.prefix_bytes;
    const inOrder = (end: unknown) => Number.isInteger(end) && (end as number) >= from && (end as number) <= row.bytes_total && ((from = end as number), true);
    if (!Array.isArray(partEnds) || !partEnds.length || !partEnds.every(inOrder)) throw documentUnreadable(id, 'where its labels end does not fit its bytes');
    return { bytes: this.documents.read(id, row.bytes_total), partEnds: partEnds as number[], prefix: row.prefix_bytes };
  }
}
