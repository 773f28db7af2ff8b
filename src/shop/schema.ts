// The shop ledger's tables, as numbered migrations like the bench's own; a ledger newer than this station is refused.
import { StationError } from '../errors.js';
import { transaction, type Pool } from './pg.js';

export interface LedgerMigration {
  version: number;
  name: string;
  sql: string;
}

export const LEDGER_MIGRATIONS: readonly LedgerMigration[] = [
  {
    version: 1,
    name: 'serials, benches, history, releases',
    sql: `
      -- Next free serial number per prefix, shop-wide; benches lease blocks from it.
      CREATE TABLE serial_counters (prefix TEXT PRIMARY KEY, next BIGINT NOT NULL);
      CREATE TABLE serial_leases (
        id BIGSERIAL PRIMARY KEY,
        prefix TEXT NOT NULL,
        bench_id TEXT NOT NULL,
        first BIGINT NOT NULL,
        last BIGINT NOT NULL,
        leased_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE TABLE benches (
        bench_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        last_seen TIMESTAMPTZ NOT NULL DEFAULT now(),
        shipped_seq BIGINT NOT NULL DEFAULT 0
      );
      -- Every event a bench shipped, once (its id is unique): shipping again after an outage changes nothing.
      CREATE TABLE events (
        event_id TEXT PRIMARY KEY,
        bench_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        kind TEXT NOT NULL,
        at TIMESTAMPTZ NOT NULL,
        received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        payload JSONB NOT NULL
      );
      CREATE INDEX events_bench_seq ON events (bench_id, seq);
      -- The latest known state of every job of every bench.
      CREATE TABLE jobs (
        bench_id TEXT NOT NULL,
        job_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        state TEXT NOT NULL,
        title TEXT NOT NULL,
        kind TEXT NOT NULL,
        printer_id TEXT NOT NULL,
        requested_by TEXT NOT NULL,
        work_order_number TEXT,
        line_number INTEGER,
        template_id TEXT,
        template_version INTEGER,
        serials TEXT[] NOT NULL DEFAULT '{}',
        first_part INTEGER NOT NULL DEFAULT 1,
        parts_total INTEGER NOT NULL,
        parts_confirmed INTEGER NOT NULL DEFAULT 0,
        parts_printed INTEGER,
        is_reprint BOOLEAN NOT NULL DEFAULT false,
        reprint_of TEXT,
        part_numbers TEXT[] NOT NULL DEFAULT '{}',
        label_data BYTEA,
        created_at TIMESTAMPTZ NOT NULL,
        finished_at TIMESTAMPTZ,
        updated_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (bench_id, job_id)
      );
      CREATE INDEX jobs_work_order ON jobs (work_order_number);
      CREATE INDEX jobs_created ON jobs (created_at);
      CREATE INDEX jobs_serials ON jobs USING GIN (serials);
      CREATE INDEX jobs_part_numbers ON jobs USING GIN (part_numbers);
      -- One row per tag serial that an original (not reprint) job printed.
      CREATE TABLE tags (
        serial TEXT PRIMARY KEY,
        bench_id TEXT NOT NULL,
        job_id TEXT NOT NULL,
        work_order_number TEXT,
        line_number INTEGER,
        part_number TEXT,
        printed_at TIMESTAMPTZ NOT NULL
      );
      -- Numbers given out and never printed (a label that could not be drawn, say): never used again.
      CREATE TABLE skipped_serials (
        serial TEXT PRIMARY KEY,
        bench_id TEXT NOT NULL,
        at TIMESTAMPTZ NOT NULL,
        reason TEXT NOT NULL
      );
      -- Which bench takes a released work order: one row, one bench, whoever asks first.
      CREATE TABLE releases (
        work_order_id TEXT PRIMARY KEY,
        work_order_number TEXT NOT NULL,
        bench_id TEXT NOT NULL,
        claimed_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );`,
  },
];

/** Brings the ledger up to this station's schema; several benches starting at once take turns. */
export async function migrateLedger(pool: Pool, list: readonly LedgerMigration[] = LEDGER_MIGRATIONS): Promise<number> {
  return transaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('benchprint ledger migrations'))");
    await client.query('CREATE TABLE IF NOT EXISTS ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    const row = await client.query<{ value: string }>("SELECT value FROM ledger_meta WHERE key = 'schema_version'");
    const current = Number(row.rows[0]?.value ?? 0);
    const newest = list.at(-1)?.version ?? 0;
    if (current > newest) {
      throw new StationError('LEDGER_TOO_NEW', `The shop ledger was set up by a newer benchprint (schema ${current}; this bench knows ${newest}).`, {
        status: 503,
        hint: 'Update this bench to the version the other benches run. It keeps printing on its own meanwhile.',
      });
    }
    for (const m of list) {
      if (m.version <= current) continue;
      await client.query(m.sql);
      await client.query("INSERT INTO ledger_meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [String(m.version)]);
    }
    return newest;
  });
}
