// The shop ledger written: serial blocks, shipped events (idempotent), release claims. What is read of it is in
// ledger-reads.ts, which this builds on.
import { pgJson, pgText, transaction, type PoolClient } from './pg.js';
import { LedgerReads } from './ledger-reads.js';
import type { LedgerEvent, ShippedJob } from './ledger-types.js';

export type { LedgerEvent, ShippedJob, ShopJob, ShopJobFilter } from './ledger-types.js';

/** States after which a tag of an original job is the shop's: it was printed, or may have been. */
const TAGGED = new Set(['done', 'sent', 'needs-attention']);

export class Ledger extends LedgerReads {
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
