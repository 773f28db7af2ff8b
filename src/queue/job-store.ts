// Jobs in SQLite, changed: idempotent insert, a compare-and-swap claim per printer, state changes with their history.
// What is read of them is in job-reads.ts.
import { timeOrderedId } from '../lib/time-ordered-id.js';
import { encodeLabelData } from './label-data-codec.js';
import { stagedBytes } from './job-documents.js';
import { wholeBytes } from '../printing/types.js';
import { COLUMNS, ENDED_STATES, toRecord, type JobRecord, type JobState, type NewJob, type Row } from './job-record.js';
import { JobReads } from './job-reads.js';

export { ENDED_STATES, JOB_STATES, type JobFilter, type JobKind, type JobRecord, type JobState, type NewJob } from './job-record.js';

export interface TransitionFields {
  error?: string;
  errorCode?: string;
  attention?: string;
  nextAttemptAt?: string | null;
  partsSent?: number;
  bytesSent?: number;
  partsConfirmed?: number;
  partsPrinted?: number;
  /** Why the job waits; null clears it. */
  waitingReason?: string | null;
  printerId?: string;
}

export interface StoredProgress {
  partsSent: number;
  bytesSent: number;
  partsConfirmed: number;
  partsPrinted?: number;
}

export class JobStore extends JobReads {
  /** Every commit so far on disk, safe from a power cut (awaited before labels leave and before a client is answered). */
  durable(): Promise<void> {
    return this.store.durable();
  }

  private get db() {
    return this.store.db;
  }

  /** Adds a job, or returns the one already made for the same idempotency key. */
  insert(job: NewJob, now = new Date().toISOString()): { job: JobRecord; created: boolean } {
    // A long document was written as it was made, under the id this job takes; anything else is stored here, whole.
    const bytes = job.document.bytes;
    const staged = stagedBytes(bytes);
    return this.db.transaction(() => {
      if (job.idempotencyKey) {
        const existing = this.byKey(job.idempotencyKey);
        if (existing) {
          if (staged) this.documents.discard(staged.jobId);
          return { job: existing, created: false };
        }
      }
      const id = staged?.jobId ?? timeOrderedId();
      const seq = ((this.sql('SELECT MAX(seq) AS m FROM jobs').get() as { m: number | null }).m ?? 0) + 1;
      const ends = job.document.meta.partEnds?.length ? job.document.meta.partEnds : [job.document.bytes.length];
      const row = this.sql(
          `INSERT INTO jobs (id, seq, idempotency_key, printer_id, state, requested_by, kind, work_order_id, work_order_number, line_number,
            template_id, template_version, document_name, title, request_fingerprint, format, content_type, origin, bytes_total, prefix_bytes, part_ends, parts_total,
            serials, first_part, batch_id, reprint_of, is_reprint, expires_at, created_at, updated_at, label_data, printed_with, document_kind, page_width_mm, page_height_mm)
           VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           RETURNING ${COLUMNS}`,
        )
        .get(
          id,
          seq,
          job.idempotencyKey ?? null,
          job.printerId,
          job.requestedBy,
          job.kind,
          job.workOrder?.id ?? null,
          job.workOrder?.number ?? null,
          job.lineNumber ?? null,
          job.template?.id ?? null,
          job.template?.version ?? null,
          job.document.meta.name,
          job.title ?? job.document.meta.name,
          job.fingerprint ?? null,
          job.document.format,
          job.document.meta.contentType,
          job.document.meta.origin ?? null,
          job.document.bytes.length,
          job.document.meta.prefix ?? 0,
          JSON.stringify(ends),
          ends.length,
          JSON.stringify(job.serials ?? []),
          job.firstPart ?? 1,
          job.batchId ?? null,
          job.reprintOf ?? null,
          job.isReprint ? 1 : 0,
          job.expiresAt,
          now,
          now,
          job.labelData?.length ? encodeLabelData(job.labelData) : null,
          job.printedWith === undefined ? null : JSON.stringify(job.printedWith),
          job.documentKind ?? null,
          job.document.meta.pageMm?.widthMm ?? null,
          job.document.meta.pageMm?.heightMm ?? null,
        ) as Row;
      if (!staged) this.documents.insertWhole(id, wholeBytes(bytes));
      this.insertSerials(id, job.serials ?? []);
      this.event(id, 'queued', job.isReprint ? `reprint of ${job.reprintOf}` : undefined, now);
      return { job: toRecord(row), created: true };
    })();
  }

  /**
   * Adds several jobs in one commit, each as `insert` would on its own: one refused (its result says why) leaves the
   * others in. Throws, none added, when the commit itself fails.
   */
  insertTogether(jobs: readonly NewJob[], now = new Date().toISOString()): Array<{ job: JobRecord; created: boolean } | { refused: unknown }> {
    // Each insert is a savepoint inside the one transaction: a failed one is rolled back alone.
    return this.db.transaction(() =>
      jobs.map((job) => {
        try {
          return this.insert(job, now);
        } catch (refused) {
          return { refused };
        }
      }),
    )();
  }

  /** A job's serials in part order, 64 rows a statement (a 1,000-tag job was 1,000 statements in its commit). */
  private insertSerials(id: string, serials: readonly string[]): void {
    const BLOCK = 64;
    for (let at = 0; at < serials.length; at += BLOCK) {
      const rows = serials.slice(at, at + BLOCK);
      const statement = this.sql(`INSERT INTO job_serials (job_id, serial, part) VALUES ${rows.map(() => '(?, ?, ?)').join(', ')}`);
      statement.run(rows.flatMap((serial, i) => [id, serial, at + i + 1]));
    }
  }

  /**
   * Called inside the commit that moves a job to an ending state or to needs-attention, with the job_events row
   * that records it: the shop ledger's outbox is written in the same commit.
   */
  onSettled?: (job: JobRecord, eventRow: number, at: string) => void;

  /**
   * Takes the printer's next due job (queued to printing in one statement, so it is taken once) and, when it is a
   * one-label job, up to `max` in all of the one-label jobs right behind it (to go as one delivery), in one commit;
   * none when nothing is due.
   */
  claimJoined(printerId: string, leaseUntil: string, max: number, now = new Date().toISOString()): JobRecord[] {
    // The state and its history change together, or not at all (a full disk must not leave a job "printing").
    return this.db.transaction(() => this.claimJoinedIn(printerId, leaseUntil, max, now))();
  }

  private claimJoinedIn(printerId: string, leaseUntil: string, max: number, now: string): JobRecord[] {
    const row = this.claimIn(printerId, leaseUntil, now);
    if (!row) return [];
    const head = toRecord(row);
    const batch = [head];
    if (max < 2 || !joinable({ ...head, prefixBytes: row.prefix_bytes as number })) return batch;
    // The next ones in the printer's order, as long as each is due and one label of the same format; the first that
    // is not ends the batch, so nothing is overtaken.
    const behind = this.sql(
      `SELECT id, parts_total, prefix_bytes, parts_confirmed, format, next_attempt_at FROM jobs INDEXED BY jobs_queue
       WHERE printer_id = ? AND state = 'queued' AND expires_at > ? ORDER BY seq LIMIT ?`,
    ).all(printerId, now, max - 1) as Array<{ id: string; parts_total: number; prefix_bytes: number; parts_confirmed: number; format: string; next_attempt_at: string | null }>;
    for (const r of behind) {
      if (r.format !== head.format || !joinable({ partsTotal: r.parts_total, prefixBytes: r.prefix_bytes, partsConfirmed: r.parts_confirmed }) || (r.next_attempt_at !== null && r.next_attempt_at > now)) break;
      const row = this.sql(
        `UPDATE jobs SET state = 'printing', joined = 1, attempts = attempts + 1, lease_until = ?, started_at = COALESCE(started_at, ?), updated_at = ?
         WHERE id = ? AND state = 'queued' RETURNING ${COLUMNS}`,
      ).get(leaseUntil, now, now, r.id) as Row | undefined;
      if (!row) break;
      this.event(r.id, 'printing', `in one delivery with ${batch.length === 1 ? 'the job' : `the ${batch.length} jobs`} before it`, now);
      batch.push(toRecord(row));
    }
    if (batch.length > 1) this.sql('UPDATE jobs SET joined = 1 WHERE id = ?').run(head.id);
    return batch;
  }

  private claimIn(printerId: string, leaseUntil: string, now: string): Row | undefined {
    // Strictly the head of the printer's queue: a job that waits (printer offline, out of labels, half printed) is
    // never overtaken, so labels never come out of order. Read from the printer's index: left to itself SQLite chose
    // the expiry index and sorted every waiting job of every printer on each claim.
    const row = this.sql(
        `UPDATE jobs SET state = 'printing', attempts = attempts + 1, lease_until = ?, started_at = COALESCE(started_at, ?), updated_at = ?
         WHERE id = (SELECT id FROM jobs INDEXED BY jobs_queue WHERE printer_id = ? AND state = 'queued' AND expires_at > ? ORDER BY seq LIMIT 1)
           AND state = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
         RETURNING ${COLUMNS}, prefix_bytes`,
      )
      .get(leaseUntil, now, now, printerId, now, now) as Row | undefined;
    if (!row) return undefined;
    this.event(row.id as string, 'printing', undefined, now);
    return row;
  }

  /**
   * Records printed jobs as done (or sent) and, unless the printer is paused (or `next` is not given), claims the
   * printer's next due jobs (see claimJoined), in one commit: a busy printer costs a store write per job fewer.
   * Returns the jobs as recorded (those that were still printing) and the next ones.
   */
  finishAndClaim(
    finished: ReadonlyArray<{ id: string; to: 'done' | 'sent'; fields: TransitionFields; detail?: string | undefined }>,
    next?: { printerId: string; leaseUntil: string; max: number },
    now = new Date().toISOString(),
  ): { finished: JobRecord[]; next: JobRecord[] } {
    return this.db.transaction(() => ({
      finished: finished.flatMap((f) => this.transitionIn(f.id, ['printing'], f.to, f.fields, f.detail, now) ?? []),
      next: next && !this.isPaused(next.printerId) ? this.claimJoinedIn(next.printerId, next.leaseUntil, next.max, now) : [],
    }))();
  }

  /** Stores what is known of a printing job's labels (before bytes leave, and after each confirmation). */
  progress(id: string, p: StoredProgress, leaseUntil: string): void {
    this.sql('UPDATE jobs SET parts_sent = ?, bytes_sent = ?, parts_confirmed = ?, parts_printed = ?, lease_until = ?, updated_at = ? WHERE id = ?').run(
      p.partsSent,
      p.bytesSent,
      p.partsConfirmed,
      p.partsPrinted ?? null,
      leaseUntil,
      new Date().toISOString(),
      id,
    );
  }

  /** Jobs of a joined delivery whose labels are about to leave (stored before they do). */
  markSent(ids: readonly string[]): void {
    this.db.transaction(() => {
      for (const id of ids) this.sql("UPDATE jobs SET parts_sent = 1, updated_at = ? WHERE id = ? AND state = 'printing'").run(new Date().toISOString(), id);
    })();
  }

  /** A printing job taken in a joined delivery whose label never left (see markSent). */
  neverSent(id: string): boolean {
    return this.sql("SELECT 1 FROM jobs WHERE id = ? AND state = 'printing' AND joined = 1 AND parts_sent = 0").get(id) !== undefined;
  }

  /** Raises finished jobs' printed counts (never lowers one), in one commit; returns the jobs raised, as recorded. */
  setPrinted(counts: ReadonlyArray<{ id: string; printed: number }>): JobRecord[] {
    const raise = this.sql(`UPDATE jobs SET parts_printed = ? WHERE id = ? AND (parts_printed IS NULL OR parts_printed < ?) RETURNING ${COLUMNS}`);
    return this.db.transaction(() =>
      counts.flatMap((c) => {
        const row = raise.get(c.printed, c.id, c.printed) as Row | undefined;
        return row ? [toRecord(row)] : [];
      }),
    )();
  }

  /**
   * Sets (or clears) why a waiting job does not print, or why the printer does not go on with a printing job's labels
   * it has; `turn`: the printer has the job and prints others first (nobody needs to do anything). Returns whether it
   * changed.
   */
  setWaitingReason(id: string, reason: string | undefined, turn = false): boolean {
    return (
      this.sql("UPDATE jobs SET waiting_reason = @reason, waiting_turn = @turn, updated_at = @now WHERE id = @id AND state IN ('queued', 'printing') AND (waiting_reason IS NOT @reason OR waiting_turn IS NOT @turn)").run({
        reason: reason ?? null,
        turn: reason && turn ? 1 : null,
        now: new Date().toISOString(),
        id,
      }).changes === 1
    );
  }

  /** Moves a job to a new state if it is in one of `from`; returns whether it did. */
  transition(
    id: string,
    from: readonly JobState[],
    to: JobState,
    fields: TransitionFields = {},
    detail?: string,
    now = new Date().toISOString(),
  ): boolean {
    return this.db.transaction(() => this.transitionIn(id, from, to, fields, detail, now))() !== undefined;
  }

  /** The job as it is after the move, or undefined when it was not in one of `from`. */
  private transitionIn(
    id: string,
    from: readonly JobState[],
    to: JobState,
    fields: TransitionFields,
    detail: string | undefined,
    now: string,
  ): JobRecord | undefined {
    const ended = ENDED_STATES.includes(to);
    const row = this.sql(
        `UPDATE jobs SET state = @to, updated_at = @now, lease_until = NULL,
           error = COALESCE(@error, error), error_code = COALESCE(@errorCode, error_code), attention = COALESCE(@attention, attention),
           next_attempt_at = CASE WHEN @setNext = 1 THEN @next ELSE next_attempt_at END,
           parts_sent = COALESCE(@partsSent, parts_sent), bytes_sent = COALESCE(@bytesSent, bytes_sent),
           parts_confirmed = COALESCE(@partsConfirmed, parts_confirmed), parts_printed = COALESCE(@partsPrinted, parts_printed),
           waiting_reason = CASE WHEN @setReason = 1 THEN @reason ELSE waiting_reason END,
           waiting_turn = CASE WHEN @setReason = 1 THEN NULL ELSE waiting_turn END,
           printer_id = COALESCE(@printerId, printer_id),
           finished_at = CASE WHEN @ended = 1 THEN @now ELSE finished_at END
         WHERE id = @id AND state IN (${from.map((s) => `'${s}'`).join(', ')})
         RETURNING ${COLUMNS}`,
      )
      .get({
        id,
        to,
        now,
        error: fields.error ?? null,
        errorCode: fields.errorCode ?? null,
        attention: fields.attention ?? null,
        setNext: fields.nextAttemptAt === undefined ? 0 : 1,
        next: fields.nextAttemptAt ?? null,
        partsSent: fields.partsSent ?? null,
        bytesSent: fields.bytesSent ?? null,
        partsConfirmed: fields.partsConfirmed ?? null,
        partsPrinted: fields.partsPrinted ?? null,
        setReason: fields.waitingReason === undefined ? 0 : 1,
        reason: fields.waitingReason ?? null,
        printerId: fields.printerId ?? null,
        ended: ended ? 1 : 0,
      }) as Row | undefined;
    if (!row) return undefined;
    const job = toRecord(row);
    const eventRow = this.event(id, to, detail ?? fields.attention ?? fields.error, now);
    if (this.onSettled && (ENDED_STATES.includes(to) || to === 'needs-attention')) this.onSettled(job, eventRow, now);
    return job;
  }

  /**
   * The PC's clock was set by `ms` (positive: forward): the times still to come of waiting and printing jobs (expiry,
   * next try, lease) move with it, so a clock set forward expires nothing early and one set back delays no job. Their
   * made and finished times stay as they were read. Returns how many jobs moved.
   */
  shiftWaitingTimes(ms: number): number {
    const by = `${ms >= 0 ? '+' : '-'}${(Math.abs(ms) / 1000).toFixed(3)} seconds`;
    const at = (column: string) => `CASE WHEN ${column} IS NULL THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%fZ', ${column}, @by) END`;
    return this.sql(`UPDATE jobs SET expires_at = ${at('expires_at')}, next_attempt_at = ${at('next_attempt_at')}, lease_until = ${at('lease_until')} WHERE state IN ('queued', 'printing')`).run({ by }).changes;
  }

  setPaused(printerId: string, paused: boolean): void {
    this.sql('INSERT INTO printer_queues (printer_id, paused, updated_at) VALUES (?, ?, ?) ON CONFLICT (printer_id) DO UPDATE SET paused = excluded.paused, updated_at = excluded.updated_at')
      .run(printerId, paused ? 1 : 0, new Date().toISOString());
  }

  private event(id: string, state: string, detail: string | undefined, at: string): number {
    return Number(this.sql('INSERT INTO job_events (job_id, at, state, detail) VALUES (?, ?, ?, ?)').run(id, at, state, detail ?? null).lastInsertRowid);
  }
}

/** A job that may go joined with others: one label, nothing of it confirmed yet, no stored graphics to send first. */
function joinable(j: { partsTotal: number; prefixBytes: number; partsConfirmed: number }): boolean {
  return j.partsTotal === 1 && j.prefixBytes === 0 && j.partsConfirmed === 0;
}
