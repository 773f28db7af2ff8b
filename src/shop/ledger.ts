// The shop ledger's operations on PostgreSQL: serial blocks, shipped events (idempotent), release claims, search.
import type { PrintedWith } from '../labels/tag-changes.js';
import { ledgerError, pgJson, pgText, transaction, type Pool, type PoolClient } from './pg.js';

/** One event a bench ships: its id is unique shop-wide, so shipping it twice changes nothing. */
export interface LedgerEvent {
  eventId: string;
  /** The bench's own order of its events. */
  seq: number;
  kind: 'job' | 'serials.skipped' | 'release.claimed';
  at: string;
  payload: Record<string, unknown>;
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

/** A job's columns as lists and searches read them: all but its label data (up to megabytes; `job()` reads it). */
const JOB_COLUMNS = `bench_id, job_id, seq, state, title, kind, printer_id, requested_by, work_order_number, line_number, template_id,
  template_version, serials, first_part, parts_total, parts_confirmed, parts_printed, is_reprint, reprint_of, part_numbers,
  created_at, finished_at, updated_at, label_data IS NOT NULL AS has_label_data`;

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

/** States after which a tag of an original job is the shop's: it was printed, or may have been. */
const TAGGED = new Set(['done', 'sent', 'needs-attention']);

export class Ledger {
  constructor(
    private readonly pool: Pool,
    private readonly url: string,
  ) {}

  private async run<T>(work: () => Promise<T>): Promise<T> {
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

  async register(benchId: string, name: string): Promise<void> {
    await this.run(() => this.pool.query('INSERT INTO benches (bench_id, name) VALUES ($1, $2) ON CONFLICT (bench_id) DO UPDATE SET name = excluded.name, last_seen = now()', [benchId, name]));
  }

  /**
   * Leases `count` serial numbers of `prefix` to a bench, in one transaction on the shop-wide counter. `floor` is the
   * first number the bench may still use (it may have printed on its own before joining the shop): never below it.
   */
  async leaseSerials(prefix: string, benchId: string, count: number, floor: number): Promise<{ first: number; last: number }> {
    return this.run(() =>
      transaction(this.pool, async (client) => {
        await client.query('INSERT INTO serial_counters (prefix, next) VALUES ($1, $2) ON CONFLICT (prefix) DO UPDATE SET next = GREATEST(serial_counters.next, excluded.next)', [prefix, floor]);
        const row = await client.query<{ first: string }>('UPDATE serial_counters SET next = next + $2 WHERE prefix = $1 RETURNING next - $2 AS first', [prefix, count]);
        const first = Number(row.rows[0]!.first);
        await client.query('INSERT INTO serial_leases (prefix, bench_id, first, last) VALUES ($1, $2, $3, $4)', [prefix, benchId, first, first + count - 1]);
        return { first, last: first + count - 1 };
      }),
    );
  }

  /**
   * Takes a bench's events in its order; each is applied once whatever happens (a retry after a crash included).
   * A batch is a handful of statements whatever its size (the events, the jobs' latest states, their tags, the rest),
   * not two or three round trips an event: three busy benches kept the ledger a second and a half behind that way.
   */
  async ship(benchId: string, events: readonly LedgerEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    return this.run(() =>
      transaction(this.pool, async (client) => {
        const inserted = await client.query<{ event_id: string }>(
          `INSERT INTO events (event_id, bench_id, seq, kind, at, payload)
           SELECT e.id, $1, e.seq, e.kind, e.at, e.payload FROM unnest($2::text[], $3::bigint[], $4::text[], $5::timestamptz[], $6::jsonb[]) AS e(id, seq, kind, at, payload)
           ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
          [benchId, events.map((e) => e.eventId), events.map((e) => e.seq), events.map((e) => e.kind), events.map((e) => e.at), events.map((e) => pgJson(e.payload))],
        );
        const fresh = new Set(inserted.rows.map((r) => r.event_id));
        const applying = events.filter((e) => fresh.has(e.eventId));
        await applyJobs(client, benchId, applying.filter((e) => e.kind === 'job'));
        for (const e of applying) if (e.kind !== 'job') await applyOther(client, benchId, e);
        await client.query('UPDATE benches SET shipped_seq = GREATEST(shipped_seq, $2), last_seen = now() WHERE bench_id = $1', [benchId, events.at(-1)!.seq]);
        return applying.length;
      }),
    );
  }

  /** The bench that takes a released work order: `benchId` if nobody took it yet, else whoever did. */
  async claimRelease(workOrderId: string, workOrderNumber: string, benchId: string): Promise<string> {
    return this.run(async () => {
      await this.pool.query('INSERT INTO releases (work_order_id, work_order_number, bench_id) VALUES ($1, $2, $3) ON CONFLICT (work_order_id) DO NOTHING', [pgText(workOrderId), pgText(workOrderNumber), benchId]);
      const row = await this.pool.query<{ bench_id: string }>('SELECT bench_id FROM releases WHERE work_order_id = $1', [pgText(workOrderId)]);
      return row.rows[0]!.bench_id;
    });
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

/** A job's latest state in one batch, as the jobs and tags statements read it (JSON, one element a job). */
type JobRow = ShippedJob & { eventSeq: number };

/**
 * The jobs' events of one batch in two statements. A later event of a job wins (in the batch and against the ledger:
 * an older one arriving late changes nothing); the label data is the latest an event carried. A tag belongs to the
 * first event that put its original job in a tagged state, as when each event was applied on its own.
 */
async function applyJobs(client: PoolClient, benchId: string, events: readonly LedgerEvent[]): Promise<void> {
  if (events.length === 0) return;
  const latest = new Map<string, JobRow>();
  const tagged: JobRow[] = [];
  for (const e of events) {
    const j = e.payload as unknown as ShippedJob;
    const labelData = j.labelData ?? latest.get(j.id)?.labelData;
    const row: JobRow = { ...j, eventSeq: e.seq, ...(labelData ? { labelData } : {}) };
    latest.set(j.id, row);
    if (!j.isReprint && TAGGED.has(j.state) && j.serials.length) tagged.push(row);
  }
  await client.query(
    `INSERT INTO jobs (bench_id, job_id, seq, state, title, kind, printer_id, requested_by, work_order_number, line_number, template_id,
       template_version, serials, first_part, parts_total, parts_confirmed, parts_printed, is_reprint, reprint_of, part_numbers, label_data,
       created_at, finished_at, updated_at)
     SELECT $1, j->>'id', (j->>'eventSeq')::bigint, j->>'state', j->>'title', j->>'kind', j->>'printerId', j->>'requestedBy', j->>'workOrderNumber',
       (j->>'lineNumber')::integer, j->>'templateId', (j->>'templateVersion')::integer, ARRAY(SELECT jsonb_array_elements_text(j->'serials')),
       (j->>'firstPart')::integer, (j->>'partsTotal')::integer, (j->>'partsConfirmed')::integer, (j->>'partsPrinted')::integer,
       (j->>'isReprint')::boolean, j->>'reprintOf', ARRAY(SELECT jsonb_array_elements_text(COALESCE(j->'partNumbers', '[]'))),
       decode(j->>'labelData', 'base64'), (j->>'createdAt')::timestamptz, (j->>'finishedAt')::timestamptz, (j->>'updatedAt')::timestamptz
     FROM jsonb_array_elements($2::jsonb) AS j
     ON CONFLICT (bench_id, job_id) DO UPDATE SET seq = excluded.seq, state = excluded.state, parts_confirmed = excluded.parts_confirmed,
       parts_printed = excluded.parts_printed, finished_at = excluded.finished_at, updated_at = excluded.updated_at,
       label_data = COALESCE(excluded.label_data, jobs.label_data)
     WHERE jobs.seq < excluded.seq`,
    [benchId, pgJson([...latest.values()])],
  );
  if (tagged.length === 0) return;
  await client.query(
    `INSERT INTO tags (serial, bench_id, job_id, work_order_number, line_number, part_number, printed_at)
     SELECT t.serial, $1, j->>'id', j->>'workOrderNumber', (j->>'lineNumber')::integer, j->'partNumbers'->>(t.n - 1)::integer,
       COALESCE(j->>'finishedAt', j->>'updatedAt')::timestamptz
     FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e(j, at), jsonb_array_elements_text(j->'serials') WITH ORDINALITY AS t(serial, n)
     ORDER BY e.at, t.n
     ON CONFLICT (serial) DO NOTHING`,
    [benchId, pgJson(tagged)],
  );
}

/** Serials skipped and releases claimed: a few a day, one statement each. */
async function applyOther(client: PoolClient, benchId: string, e: LedgerEvent): Promise<void> {
  if (e.kind === 'serials.skipped') {
    const { serials, reason } = e.payload as { serials: string[]; reason: string };
    await client.query('INSERT INTO skipped_serials (serial, bench_id, at, reason) SELECT s, $2, $3, $4 FROM unnest($1::text[]) AS s ON CONFLICT (serial) DO NOTHING', [serials.map(pgText), benchId, e.at, pgText(reason)]);
  } else if (e.kind === 'release.claimed') {
    const { workOrderId, workOrderNumber } = e.payload as { workOrderId: string; workOrderNumber: string };
    await client.query('INSERT INTO releases (work_order_id, work_order_number, bench_id, claimed_at) VALUES ($1, $2, $3, $4) ON CONFLICT (work_order_id) DO NOTHING', [pgText(workOrderId), pgText(workOrderNumber), benchId, e.at]);
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
