// The shop ledger written: serial blocks, shipped events (idempotent), release claims. What is read of it is in
// ledger-reads.ts, which this builds on.
import { pgJson, pgText, transaction, type PoolClient } from './pg.js';
import { LedgerReads } from './ledger-reads.js';
import type { LedgerEvent } from './ledger-types.js';

export type { LedgerEvent, ShippedJob, ShopJob, ShopJobFilter } from './ledger-types.js';

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
   * A batch is one statement whatever its size (the events, the jobs' latest states, their tags) plus one for each
   * other event, not two or three round trips an event: three busy benches kept the ledger a second and a half behind
   * that way. Each payload crosses the wire once, as the bench stored it: the jobs and their tags are read from the
   * events inside the statement (sending them again as JSON of their own tripled the bytes and the parsing).
   */
  async ship(benchId: string, events: readonly LedgerEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    return this.run(() =>
      transaction(this.pool, async (client) => {
        const result = await client.query<{ fresh: number; others: Array<{ kind: LedgerEvent['kind']; at: string; payload: Record<string, unknown> }> | null }>(SHIP, [
          benchId,
          events.map((e) => e.eventId),
          events.map((e) => e.seq),
          events.map((e) => e.kind),
          events.map((e) => e.at),
          events.map((e) => payloadJson(e.payload)),
          events.at(-1)!.seq,
        ]);
        const { fresh, others } = result.rows[0]!;
        for (const e of others ?? []) await applyOther(client, benchId, e.kind, e.at, e.payload);
        return fresh;
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

/** A payload as JSON PostgreSQL takes: as the bench stored it, unless a NUL (which jsonb refuses) must become U+FFFD. */
function payloadJson(payload: LedgerEvent['payload']): string {
  if (typeof payload !== 'string') return pgJson(payload);
  return payload.includes('\\u0000') ? pgJson(JSON.parse(payload)) : payload;
}

/**
 * One batch in one statement: the events not seen before are kept, and the jobs among them applied in the same
 * statement. A later event of a job wins (in the batch and against the ledger: an older one arriving late changes
 * nothing); the label data is the latest an event carried. A tag belongs to the first event that put its original job
 * in a tagged state (done, sent, needs attention: printed, or may have been), as when each event was applied on its
 * own. It answers how many events were new, and the new ones that are not jobs' (in order, for applyOther).
 */
const SHIP = `
  WITH fresh AS (
    INSERT INTO events (event_id, bench_id, seq, kind, at, payload)
    SELECT e.id, $1, e.seq, e.kind, e.at, e.payload FROM unnest($2::text[], $3::bigint[], $4::text[], $5::timestamptz[], $6::jsonb[]) AS e(id, seq, kind, at, payload)
    ON CONFLICT (event_id) DO NOTHING
    RETURNING seq, kind, at, payload
  ), job_events AS (
    SELECT seq, payload AS j FROM fresh WHERE kind = 'job'
  ), latest AS (
    SELECT DISTINCT ON (j->>'id') j, seq,
      (SELECT l.j->>'labelData' FROM job_events l WHERE l.j->>'id' = je.j->>'id' AND l.j ? 'labelData' ORDER BY l.seq DESC LIMIT 1) AS label_data
    FROM job_events je ORDER BY j->>'id', seq DESC
  ), jobs_applied AS (
    INSERT INTO jobs (bench_id, job_id, seq, state, title, kind, printer_id, requested_by, work_order_number, line_number, template_id,
      template_version, serials, first_part, parts_total, parts_confirmed, parts_printed, is_reprint, reprint_of, part_numbers, label_data,
      created_at, finished_at, updated_at)
    SELECT $1, j->>'id', seq, j->>'state', j->>'title', j->>'kind', j->>'printerId', j->>'requestedBy', j->>'workOrderNumber',
      (j->>'lineNumber')::integer, j->>'templateId', (j->>'templateVersion')::integer, ARRAY(SELECT jsonb_array_elements_text(j->'serials')),
      (j->>'firstPart')::integer, (j->>'partsTotal')::integer, (j->>'partsConfirmed')::integer, (j->>'partsPrinted')::integer,
      (j->>'isReprint')::boolean, j->>'reprintOf', ARRAY(SELECT jsonb_array_elements_text(COALESCE(j->'partNumbers', '[]'))),
      decode(label_data, 'base64'), (j->>'createdAt')::timestamptz, (j->>'finishedAt')::timestamptz, (j->>'updatedAt')::timestamptz
    FROM latest
    ON CONFLICT (bench_id, job_id) DO UPDATE SET seq = excluded.seq, state = excluded.state, parts_confirmed = excluded.parts_confirmed,
      parts_printed = excluded.parts_printed, finished_at = excluded.finished_at, updated_at = excluded.updated_at,
      label_data = COALESCE(excluded.label_data, jobs.label_data)
    WHERE jobs.seq < excluded.seq
  ), tags_applied AS (
    INSERT INTO tags (serial, bench_id, job_id, work_order_number, line_number, part_number, printed_at)
    SELECT t.serial, $1, j->>'id', j->>'workOrderNumber', (j->>'lineNumber')::integer, j->'partNumbers'->>(t.n - 1)::integer,
      COALESCE(j->>'finishedAt', j->>'updatedAt')::timestamptz
    FROM job_events, jsonb_array_elements_text(j->'serials') WITH ORDINALITY AS t(serial, n)
    WHERE NOT COALESCE((j->>'isReprint')::boolean, false) AND j->>'state' IN ('done', 'sent', 'needs-attention')
    ORDER BY seq, t.n
    ON CONFLICT (serial) DO NOTHING
  ), seen AS (
    UPDATE benches SET shipped_seq = GREATEST(shipped_seq, $7), last_seen = now() WHERE bench_id = $1
  )
  SELECT (SELECT count(*) FROM fresh)::integer AS fresh,
    (SELECT jsonb_agg(jsonb_build_object('kind', kind, 'at', at, 'payload', payload) ORDER BY seq) FROM fresh WHERE kind <> 'job') AS others`;

/** Serials skipped and releases claimed: a few a day, one statement each. */
async function applyOther(client: PoolClient, benchId: string, kind: LedgerEvent['kind'], at: string, payload: Record<string, unknown>): Promise<void> {
  if (kind === 'serials.skipped') {
    const { serials, reason } = payload as { serials: string[]; reason: string };
    await client.query('INSERT INTO skipped_serials (serial, bench_id, at, reason) SELECT s, $2, $3, $4 FROM unnest($1::text[]) AS s ON CONFLICT (serial) DO NOTHING', [serials, benchId, at, reason]);
  } else if (kind === 'release.claimed') {
    const { workOrderId, workOrderNumber } = payload as { workOrderId: string; workOrderNumber: string };
    await client.query('INSERT INTO releases (work_order_id, work_order_number, bench_id, claimed_at) VALUES ($1, $2, $3, $4) ON CONFLICT (work_order_id) DO NOTHING', [workOrderId, workOrderNumber, benchId, at]);
  }
}
