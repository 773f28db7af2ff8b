// Numbered schema migrations; each runs once, in order, inside a transaction. Never edit one that has shipped.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'station metadata',
    sql: `
      CREATE TABLE station_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );`,
  },
  {
    version: 2,
    name: 'GoldLeaf cache and sync state',
    sql: `
      -- Raw GoldLeaf documents as received (unknown fields kept), by kind and id.
      CREATE TABLE gl_objects (
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        body TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        PRIMARY KEY (kind, id)
      );
      -- Work orders the station has seen released, resolved into what the bench needs.
      CREATE TABLE work_orders (
        id TEXT PRIMARY KEY,
        number TEXT NOT NULL,
        status TEXT NOT NULL,
        released INTEGER NOT NULL,
        customer TEXT,
        due_date TEXT,
        view TEXT NOT NULL,
        first_released_at TEXT,
        left_released_at TEXT,
        synced_at TEXT NOT NULL
      );
      CREATE INDEX work_orders_number ON work_orders (number);
      CREATE INDEX work_orders_released_due ON work_orders (released, due_date);
      CREATE TABLE sync_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        last_attempt_at TEXT,
        last_success_at TEXT,
        last_error TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0
      );
      INSERT INTO sync_state (id) VALUES (1);`,
  },
  {
    version: 3,
    name: 'label serials',
    sql: `
      -- One row per printed assembly tag: the same label reprinted keeps its serial; a new batch gets new ones.
      CREATE TABLE serials (
        serial TEXT PRIMARY KEY,
        batch_id TEXT NOT NULL,
        idx INTEGER NOT NULL,
        count INTEGER NOT NULL,
        work_order_id TEXT NOT NULL,
        work_order_number TEXT NOT NULL,
        line_id TEXT NOT NULL,
        line_number INTEGER NOT NULL,
        part_number TEXT,
        template_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (batch_id, idx)
      );
      CREATE INDEX serials_work_order ON serials (work_order_id, line_id);`,
  },
];
