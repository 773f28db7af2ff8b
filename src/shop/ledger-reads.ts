// The shop ledger read: every bench's jobs (search, a work order's tags, what a line's tags were made from), one job
// with its label data, counts, and the server's clock. What benches write to it is in ledger.ts, which builds on this.
import type { PrintedWith } from '../labels/tag-changes.js';
import { ledgerError, pgText, type Pool } from './pg.js';
import type { ShopJob, ShopJobFilter } from './ledger-types.js';

/** A job's columns as lists and searches read them: all but its label data (up to megabytes; `job()` reads it). */
const JOB_COLUMNS = `bench_id, job_id, seq, state, title, kind, printer_id, requested_by, work_order_number, line_number, template_id,
  template_version, serials, first_part, parts_total, parts_confirmed, parts_printed, is_reprint, reprint_of, part_numbers,
  created_at, finished_at, updated_at, label_data IS NOT NULL AS has_label_data`;

export class LedgerReads {
  constructor(
    protected readonly pool: Pool,
    private readonly url: string,
  ) {}

  protected async run<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw ledgerError(err, this.url);
    }
  }

  /** The ledger server's clock, in ms since the epoch: a second witness for the bench PC's clock. */
  async now(): Promise<number> {
    return this.run(async () => Number((await this.pool.query('SELECT extract(epoch from clock_timestamp()) * 1000 AS ms')).rows[0].ms));
  }

  /** Jobs of every bench, newest first. */
  async searchJobs(f: ShopJobFilter): Promise<ShopJob[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: string) => {
      params.push(pgText(value));
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (f.workOrder) add('upper(work_order_number) = upper(?)', f.workOrder);
    if (f.serial) add('? = ANY (serials)', f.serial.trim().toUpperCase());
    if (f.assembly) add('? = ANY (part_numbers)', f.assembly);
    if (f.bench) add('bench_id = ?', f.bench);
    if (f.from) add('created_at >= ?', f.from);
    if (f.to) add('created_at < ?', f.to);
    params.push(Math.min(f.limit ?? 100, 1000), f.offset ?? 0);
    const sql = `SELECT ${JOB_COLUMNS} FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, bench_id, job_id LIMIT $${params.length - 1} OFFSET $${params.length}`;
    return this.run(async () => (await this.pool.query(sql, params)).rows.map(toShopJob));
  }

  /**
   * Other benches' original tag jobs of these work orders, a row per job, for counting which lines have tags (the
   * numbers as GoldLeaf writes them: the index serves the lookup).
   */
  async tagJobsOf(workOrders: readonly string[], exceptBench: string): Promise<Array<{ workOrderNumber: string; lineNumber: number; state: string }>> {
    if (!workOrders.length) return [];
    return this.run(async () =>
      (
        await this.pool.query<{ work_order_number: string; line_number: number; state: string }>(
          `SELECT work_order_number, line_number, state FROM jobs
            WHERE work_order_number = ANY ($1::text[]) AND bench_id <> $2 AND kind = 'labels' AND NOT is_reprint AND line_number IS NOT NULL`,
          [workOrders.map(pgText), pgText(exceptBench)],
        )
      ).rows.map((r) => ({ workOrderNumber: r.work_order_number, lineNumber: r.line_number, state: r.state })),
    );
  }

  /**
   * What these tags jobs were made from (the line as it was), as each one's latest event carried it, by "bench/job".
   * Read from the events, found by the job's own row (no column of its own: a bench of an older benchprint would
   * refuse a ledger whose schema had moved on); jobs shipped before benches sent it have none.
   */
  async printedWith(jobs: ReadonlyArray<{ benchId: string; id: string }>): Promise<Map<string, PrintedWith>> {
    if (!jobs.length) return new Map();
    return this.run(async () => {
      const rows = (
        await this.pool.query<{ bench_id: string; job_id: string; made: string | null }>(
          `SELECT j.bench_id, j.job_id, e.payload->>'printedWith' AS made
             FROM jobs j JOIN unnest($1::text[], $2::text[]) AS w(bench_id, job_id) ON j.bench_id = w.bench_id AND j.job_id = w.job_id
             JOIN events e ON e.bench_id = j.bench_id AND e.seq = j.seq AND e.kind = 'job' AND e.payload->>'id' = j.job_id`,
          [jobs.map((j) => pgText(j.benchId)), jobs.map((j) => pgText(j.id))],
        )
      ).rows;
      const made = new Map<string, PrintedWith>();
      for (const r of rows) {
        if (!r.made) continue;
        try {
          made.set(`${r.bench_id}/${r.job_id}`, JSON.parse(r.made) as PrintedWith);
        } catch {
          // not readable: nothing to compare with, which says nothing about the tags
        }
      }
      return made;
    });
  }

  /** One job of a bench, with its label data when it has some. */
  async job(benchId: string, jobId: string): Promise<(ShopJob & { labelData?: Buffer }) | undefined> {
    return this.run(async () => {
      const row = (await this.pool.query('SELECT *, label_data IS NOT NULL AS has_label_data FROM jobs WHERE bench_id = $1 AND job_id = $2', [pgText(benchId), pgText(jobId)])).rows[0];
      return row ? { ...toShopJob(row), ...(row.label_data ? { labelData: row.label_data as Buffer } : {}) } : undefined;
    });
  }

  /** Counts for a status page (and tests): tags, jobs, skipped serials, per bench. */
  async counts(): Promise<{ tags: number; jobs: number; events: number; skipped: number }> {
    return this.run(async () => {
      const r = await this.pool.query<{ tags: string; jobs: string; events: string; skipped: string }>(
        'SELECT (SELECT count(*) FROM tags) AS tags, (SELECT count(*) FROM jobs) AS jobs, (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM skipped_serials) AS skipped',
      );
      const row = r.rows[0]!;
      return { tags: Number(row.tags), jobs: Number(row.jobs), events: Number(row.events), skipped: Number(row.skipped) };
    });
  }
}

function toShopJob(r: Record<string, unknown>): ShopJob {
  const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v === null || v === undefined ? undefined : String(v));
  const opt = <T>(key: string, v: T | null | undefined) => (v === null || v === undefined ? {} : { [key]: v });
  return {
    benchId: r.bench_id as string,
    id: r.job_id as string,
    state: r.state as string,
    title: r.title as string,
    kind: r.kind as string,
    printerId: r.printer_id as string,
    requestedBy: r.requested_by as string,
    ...opt('workOrderNumber', r.work_order_number as string | null),
    ...opt('lineNumber', r.line_number as number | null),
    ...opt('templateId', r.template_id as string | null),
    ...opt('templateVersion', r.template_version as number | null),
    serials: r.serials as string[],
    firstPart: r.first_part as number,
    partsTotal: r.parts_total as number,
    partsConfirmed: r.parts_confirmed as number,
    ...opt('partsPrinted', r.parts_printed as number | null),
    isReprint: r.is_reprint as boolean,
    ...opt('reprintOf', r.reprint_of as string | null),
    partNumbers: r.part_numbers as string[],
    hasLabelData: r.has_label_data as boolean,
    createdAt: iso(r.created_at)!,
    ...opt('finishedAt', iso(r.finished_at)),
    updatedAt: iso(r.updated_at)!,
  } as ShopJob;
}
