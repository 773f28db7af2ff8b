// Which lines of a work order already have their tags from this bench, and how far they came. The kiosk shows it on
// each line beside its print buttons, asks before a line's tags are printed a second time (new serials for the same
// hoses), offers the rest of a line numbered on, and leaves lines with all their tags out of "Print the rest". Read
// from the jobs themselves, by the work-order index.
import type { Statement } from 'better-sqlite3';
import { preparedStatements, type Store } from '../store/store.js';
import type { JobState } from './job-record.js';
import { decodeLabelData } from './label-data-codec.js';
import type { LineView, WorkOrderView } from '../domain/work-order.js';
import { tagChanges, type PrintedWith } from '../labels/tag-changes.js';

/** The tags a line has had, by how far they came. */
export interface LineTags {
  lineNumber: number;
  /** Tags of jobs that came out: done, sent, or answered by the operator after a fault (resumed, reprinted). */
  printed: number;
  /**
   * Tags of done jobs the printer confirmed and holds, not printed yet (a Zebra out of labels keeps them in its memory
   * and prints them once it is loaded): not counted printed until it says they came out.
   */
  inPrinter: number;
  /** Tags of jobs waiting for their printer or printing now. */
  underWay: number;
  /** Tags of jobs that need attention: the operator is asked what came out. */
  inDoubt: number;
  jobs: number;
  /** The newest of those jobs: which, when it ended (or was asked for), where (another bench's: which), and how it stands. */
  last: { jobId: string; at: string; printerId: string; state: JobState; bench?: string; printedWith?: PrintedWith };
}

/** Whether a job gave its line tags (the same rule as COUNTED below, for jobs read from elsewhere: the shop ledger). */
export function countsAsTags(j: { kind: string; isReprint: boolean; state: JobState; partsSent: number }): boolean {
  if (j.kind !== 'labels' || j.isReprint) return false;
  return ['queued', 'printing', 'done', 'sent', 'needs-attention'].includes(j.state) || (j.state === 'failed' && j.partsSent > 0);
}

/** Tags made for a line so far, however far they came: the rest of the line starts after them. */
export function tagsMade(t: LineTags | undefined): number {
  return t ? t.printed + t.inPrinter + t.underWay + t.inDoubt : 0;
}

/** A line with no tags counted yet; `last` is its first job. */
export function noTags(lineNumber: number, last: LineTags['last']): LineTags {
  return { lineNumber, printed: 0, inPrinter: 0, underWay: 0, inDoubt: 0, jobs: 0, last };
}

/**
 * A job's tags added to its line's count by how far they came. `unprinted`: of a done job's tags, those its printer
 * confirmed and had not printed at its last answer.
 */
export function addTags(l: LineTags, state: JobState, tags: number, unprinted = 0): void {
  if (state === 'queued' || state === 'printing') l.underWay += tags;
  else if (state === 'needs-attention') l.inDoubt += tags;
  else {
    const held = state === 'done' ? Math.min(tags, Math.max(0, unprinted)) : 0;
    l.inPrinter += held;
    l.printed += tags - held;
  }
}

/**
 * How long done jobs with labels still in their printer are followed: a start finds those of the last day needing a
 * look (see Queue.recover); older ones were left by a station before that, and nothing follows them any more.
 */
export const HELD_FOLLOWED_MS = 24 * 3600_000;

/**
 * Of a done job's labels, those the printer confirmed and has not said it printed: 0 where it does not say, and for
 * a job finished before HELD_FOLLOWED_MS (nobody follows its labels; they count as printed, as they did then).
 */
export function unprintedOf(j: { partsConfirmed: number; partsPrinted?: number | null; finishedAt?: string | null }, now = Date.now()): number {
  if (j.partsPrinted === undefined || j.partsPrinted === null) return 0;
  if (j.finishedAt && Date.parse(j.finishedAt) < now - HELD_FOLLOWED_MS) return 0;
  return Math.max(0, j.partsConfirmed - j.partsPrinted);
}

// The line's own tag jobs (not reprints of them, which print the same serials again), except those that printed
// nothing: a job that failed before any byte left, or was cancelled or expired waiting.
const COUNTED = `kind = 'labels' AND is_reprint = 0 AND line_number IS NOT NULL
  AND (state IN ('queued', 'printing', 'done', 'sent', 'needs-attention') OR (state = 'failed' AND parts_sent > 0))`;

export class PrintedLines {
  private readonly sql: (text: string) => Statement;
  private readonly firstLabels = new Map<string, PrintedWith | undefined>();

  constructor(store: Store) {
    this.sql = preparedStatements(store);
  }

  /** Every line of the work order that has tags, by line number. */
  forWorkOrder(number: string): Map<number, LineTags> {
    const rows = this.sql(
      `SELECT id, line_number AS line, state, printer_id AS printer, COALESCE(finished_at, created_at) AS at,
         CASE WHEN json_array_length(serials) > 0 THEN json_array_length(serials) ELSE parts_total END AS tags,
         parts_confirmed AS partsConfirmed, parts_printed AS partsPrinted, finished_at AS finishedAt
       FROM jobs WHERE work_order_number = ? AND ${COUNTED} ORDER BY seq`,
    ).all(number) as Array<{ id: string; line: number; state: JobState; printer: string; at: string; tags: number; partsConfirmed: number; partsPrinted: number | null; finishedAt: string | null }>;
    const lines = new Map<number, LineTags>();
    for (const r of rows) {
      const last = { jobId: r.id, at: r.at, printerId: r.printer, state: r.state };
      const l = lines.get(r.line) ?? noTags(r.line, last);
      addTags(l, r.state, r.tags, unprintedOf(r));
      l.jobs += 1;
      l.last = last;
      lines.set(r.line, l);
    }
    return lines;
  }

  /**
   * What on the line differs from what its newest tags were made from ("cut length 1712 mm → 1722 mm"): this bench's
   * as kept with their job, another bench's as the ledger has them (nothing for its jobs shipped before it kept that).
   */
  changesSince(tags: LineTags, line: LineView, wo: Pick<WorkOrderView, 'purchaseOrder'>): string[] {
    const made = tags.last.bench ? tags.last.printedWith : this.printedWith(tags.last.jobId);
    return tagChanges(made ?? {}, line, wo);
  }

  /** What a job's tags were made from (the line as it was then), kept for a while: it never changes. */
  printedWith(jobId: string): PrintedWith | undefined {
    if (this.firstLabels.has(jobId)) return this.firstLabels.get(jobId);
    const row = this.sql('SELECT printed_with, label_data FROM jobs WHERE id = ?').get(jobId) as { printed_with: string | null; label_data: Buffer | null } | undefined;
    let first: PrintedWith | undefined;
    try {
      // Jobs made before the line was kept apart: their first label's data says the same.
      first = (row?.printed_with ? JSON.parse(row.printed_with) : row?.label_data ? decodeLabelData(row.label_data)[0] : undefined) as PrintedWith | undefined;
    } catch {
      first = undefined; // unreadable: nothing to compare with, which says nothing about the tags
    }
    if (this.firstLabels.size >= 200) this.firstLabels.delete(this.firstLabels.keys().next().value!);
    this.firstLabels.set(jobId, first);
    return first;
  }

  /** The work order's own documents this bench has printed or has in its queue ("datasheet", "traveler"). */
  documentsFor(number: string): Set<string> {
    const rows = this.sql(
      `SELECT DISTINCT document_kind AS kind FROM jobs WHERE work_order_number = ? AND kind = 'document' AND line_number IS NULL AND document_kind IS NOT NULL
         AND (state IN ('queued', 'printing', 'done', 'sent', 'needs-attention') OR (state = 'failed' AND parts_sent > 0))`,
    ).all(number) as Array<{ kind: string }>;
    return new Set(rows.map((r) => r.kind));
  }

  /** Which lines of each of these work orders have tags (those with none are left out). */
  taggedLines(numbers: readonly string[]): Map<string, Set<number>> {
    const lines = this.sql(`SELECT DISTINCT line_number AS line FROM jobs WHERE work_order_number = ? AND ${COUNTED}`);
    const result = new Map<string, Set<number>>();
    for (const n of numbers) {
      const rows = lines.all(n) as Array<{ line: number }>;
      if (rows.length) result.set(n, new Set(rows.map((r) => r.line)));
    }
    return result;
  }
}
