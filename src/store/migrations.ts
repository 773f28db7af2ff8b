// Numbered schema migrations; each runs once, in order, inside a transaction. Never edit one that has shipped.
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * Rebuilds a table other tables refer to (SQLite cannot change a CHECK in place): foreign keys are switched off
   * around it and checked before it commits, as SQLite's documented procedure asks.
   */
  rebuildsTables?: boolean;
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
  {
    version: 4,
    name: 'print queue and history',
    sql: `
      -- Every print job, kept as history. The document bytes are stored so a retry sends exactly what was rendered.
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL UNIQUE,
        idempotency_key TEXT UNIQUE,
        printer_id TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'printing', 'done', 'failed', 'needs-attention', 'cancelled', 'expired')),
        requested_by TEXT NOT NULL,
        kind TEXT NOT NULL,
        work_order_id TEXT,
        work_order_number TEXT,
        line_number INTEGER,
        template_id TEXT,
        template_version INTEGER,
        document_name TEXT NOT NULL,
        format TEXT NOT NULL,
        content_type TEXT NOT NULL,
        origin TEXT,
        bytes BLOB NOT NULL,
        part_ends TEXT NOT NULL,
        parts_total INTEGER NOT NULL,
        parts_sent INTEGER NOT NULL DEFAULT 0,
        bytes_sent INTEGER NOT NULL DEFAULT 0,
        serials TEXT NOT NULL DEFAULT '[]',
        first_part INTEGER NOT NULL DEFAULT 1,
        batch_id TEXT,
        reprint_of TEXT,
        is_reprint INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        expires_at TEXT NOT NULL,
        lease_until TEXT,
        error_code TEXT,
        error TEXT,
        attention TEXT,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX jobs_queue ON jobs (printer_id, state, seq);
      CREATE INDEX jobs_work_order ON jobs (work_order_number);
      CREATE INDEX jobs_created ON jobs (created_at);
      -- Every state a job went through, with when and why.
      CREATE TABLE job_events (
        job_id TEXT NOT NULL REFERENCES jobs (id),
        at TEXT NOT NULL,
        state TEXT NOT NULL,
        detail TEXT
      );
      CREATE INDEX job_events_job ON job_events (job_id);
      -- Serials printed by each job, for "which job printed serial X".
      CREATE TABLE job_serials (
        job_id TEXT NOT NULL REFERENCES jobs (id),
        serial TEXT NOT NULL,
        part INTEGER NOT NULL
      );
      CREATE INDEX job_serials_serial ON job_serials (serial);
      CREATE TABLE printer_queues (
        printer_id TEXT PRIMARY KEY,
        paused INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL
      );`,
  },
  {
    version: 5,
    name: 'index for expiring waiting jobs',
    // Each worker looks for expired waiting jobs on every turn; without this it scanned the whole history.
    sql: `CREATE INDEX jobs_state_expires ON jobs (state, expires_at);`,
  },
  {
    version: 6,
    name: 'delivery evidence per job, and jobs sent to printers that cannot confirm',
    rebuildsTables: true,
    // parts_sent is stored before bytes leave (an upper bound), parts_confirmed when the printer proves receipt,
    // parts_printed when it says they came out. 'sent': all handed over to a printer set up not to confirm.
    sql: `
      CREATE TABLE jobs_new (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL UNIQUE,
        idempotency_key TEXT UNIQUE,
        printer_id TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'printing', 'done', 'sent', 'failed', 'needs-attention', 'cancelled', 'expired')),
        requested_by TEXT NOT NULL,
        kind TEXT NOT NULL,
        work_order_id TEXT,
        work_order_number TEXT,
        line_number INTEGER,
        template_id TEXT,
        template_version INTEGER,
        document_name TEXT NOT NULL,
        format TEXT NOT NULL,
        content_type TEXT NOT NULL,
        origin TEXT,
        bytes BLOB NOT NULL,
        part_ends TEXT NOT NULL,
        parts_total INTEGER NOT NULL,
        parts_sent INTEGER NOT NULL DEFAULT 0,
        bytes_sent INTEGER NOT NULL DEFAULT 0,
        parts_confirmed INTEGER NOT NULL DEFAULT 0,
        parts_printed INTEGER,
        waiting_reason TEXT,
        serials TEXT NOT NULL DEFAULT '[]',
        first_part INTEGER NOT NULL DEFAULT 1,
        batch_id TEXT,
        reprint_of TEXT,
        is_reprint INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        expires_at TEXT NOT NULL,
        lease_until TEXT,
        error_code TEXT,
        error TEXT,
        attention TEXT,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        updated_at TEXT NOT NULL
      );
      INSERT INTO jobs_new (id, seq, idempotency_key, printer_id, state, requested_by, kind, work_order_id, work_order_number, line_number,
        template_id, template_version, document_name, format, content_type, origin, bytes, part_ends, parts_total, parts_sent, bytes_sent,
        serials, first_part, batch_id, reprint_of, is_reprint, attempts, next_attempt_at, expires_at, lease_until, error_code, error, attention,
        created_at, started_at, finished_at, updated_at)
      SELECT id, seq, idempotency_key, printer_id, state, requested_by, kind, work_order_id, work_order_number, line_number,
        template_id, template_version, document_name, format, content_type, origin, bytes, part_ends, parts_total, parts_sent, bytes_sent,
        serials, first_part, batch_id, reprint_of, is_reprint, attempts, next_attempt_at, expires_at, lease_until, error_code, error, attention,
        created_at, started_at, finished_at, updated_at FROM jobs;
      DROP TABLE jobs;
      ALTER TABLE jobs_new RENAME TO jobs;
      CREATE INDEX jobs_queue ON jobs (printer_id, state, seq);
      CREATE INDEX jobs_work_order ON jobs (work_order_number);
      CREATE INDEX jobs_created ON jobs (created_at);
      CREATE INDEX jobs_state_expires ON jobs (state, expires_at);`,
  },
  {
    version: 7,
    name: 'work orders GoldLeaf could not give us whole',
    // The cached copy is kept and served; these say since when and why it is not fresh.
    sql: `ALTER TABLE work_orders ADD COLUMN stale_reason TEXT;
      ALTER TABLE work_orders ADD COLUMN stale_since TEXT;`,
  },
  {
    version: 8,
    name: 'job titles in words, and request fingerprints against double taps',
    // title: what a crimper would call the job ("Traveler for WO-24001"). request_fingerprint: who asked for exactly
    // what; the same request again within a short window gets the job it already made.
    sql: `ALTER TABLE jobs ADD COLUMN title TEXT;
      ALTER TABLE jobs ADD COLUMN request_fingerprint TEXT;
      CREATE INDEX jobs_fingerprint ON jobs (request_fingerprint, created_at) WHERE request_fingerprint IS NOT NULL;`,
  },
  {
    version: 9,
    name: 'shop ledger: leased serial blocks, the outbox, label data per job',
    sql: `
      -- Serial numbers leased from the shop ledger ahead of need; a bench prints from them while the ledger is away.
      CREATE TABLE serial_blocks (
        first INTEGER NOT NULL,
        last INTEGER NOT NULL,
        next INTEGER NOT NULL,
        leased_at TEXT NOT NULL
      );
      -- Events for the shop ledger, appended in the same commit as what they tell, shipped in order, at least once.
      CREATE TABLE ledger_outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        at TEXT NOT NULL,
        payload TEXT NOT NULL
      );
      -- What each label of a labels job was filled with (gzipped JSON): any bench can print it again from this.
      ALTER TABLE jobs ADD COLUMN label_data BLOB;`,
  },
  {
    version: 10,
    name: 'label templates made at the station, with versions, and their images',
    sql: `
      -- Templates made or imported at the station (the shipped ones stay files): one active version each.
      CREATE TABLE label_templates (
        id TEXT PRIMARY KEY,
        active_version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL
      );
      -- Every version ever saved, with who, when and what changed; none is ever deleted (history, rollback, reprints).
      CREATE TABLE label_template_versions (
        template_id TEXT NOT NULL REFERENCES label_templates (id),
        version INTEGER NOT NULL,
        definition TEXT NOT NULL,
        note TEXT NOT NULL,
        author TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (template_id, version)
      );
      -- Images uploaded for templates (PNG), by name; a name in templates/images/ is found after these.
      CREATE TABLE label_images (
        name TEXT PRIMARY KEY,
        png BLOB NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL
      );
      -- Which version drew a batch of tags: a reprint draws them again with that version.
      ALTER TABLE serials ADD COLUMN template_version INTEGER;`,
  },
  {
    version: 11,
    name: 'printers set up at the station',
    sql: `
      -- Printers added, changed, disabled or removed at the station. The config file is the starting set: a row here
      -- with the id of a config printer changes it (entry) or takes it out (removed); other rows are printers added here.
      CREATE TABLE printer_setup (
        id TEXT PRIMARY KEY,
        entry TEXT,
        disabled INTEGER NOT NULL DEFAULT 0,
        disabled_reason TEXT,
        removed INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL,
        updated_by TEXT NOT NULL
      );`,
  },
  {
    version: 12,
    name: 'job documents apart from the job rows',
    sql: `
      -- A job's row changes with every step (claimed, progress, done), and SQLite writes a changed row whole: with the
      -- document inside, each step copied it again (a 1,000-tag PDF is megabytes: ~15 ms of the event loop a step).
      -- The document is written once, here, and only read after.
      CREATE TABLE job_documents (
        job_id TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
        bytes BLOB NOT NULL
      );
      INSERT INTO job_documents (job_id, bytes) SELECT id, bytes FROM jobs;
      ALTER TABLE jobs ADD COLUMN bytes_total INTEGER NOT NULL DEFAULT 0;
      UPDATE jobs SET bytes_total = length(bytes);
      ALTER TABLE jobs DROP COLUMN bytes;`,
  },
  {
    version: 13,
    name: 'serial batches apart from their serials',
    sql: `
      -- What a batch's tags share (the work order, the line, the template, when) was stored with every serial, and
      -- each serial sat in four trees (its row, its key, its batch place, the work order index): a 500-tag batch wrote
      -- all of that 500 times. A batch is now one row; a serial is its key, its batch, its place and its part number.
      CREATE TABLE serial_batches (
        id TEXT PRIMARY KEY,
        count INTEGER NOT NULL,
        work_order_id TEXT NOT NULL,
        work_order_number TEXT NOT NULL,
        line_id TEXT NOT NULL,
        line_number INTEGER NOT NULL,
        template_id TEXT NOT NULL,
        template_version INTEGER,
        created_at TEXT NOT NULL
      );
      CREATE INDEX serial_batches_work_order ON serial_batches (work_order_id, line_id);
      INSERT INTO serial_batches (id, count, work_order_id, work_order_number, line_id, line_number, template_id, template_version, created_at)
        SELECT batch_id, MAX(count), work_order_id, work_order_number, line_id, line_number, template_id, template_version, MIN(created_at)
        FROM serials GROUP BY batch_id;
      CREATE TABLE batch_serials (
        serial TEXT PRIMARY KEY,
        batch_id TEXT NOT NULL REFERENCES serial_batches (id),
        idx INTEGER NOT NULL,
        part_number TEXT,
        UNIQUE (batch_id, idx)
      ) WITHOUT ROWID;
      INSERT INTO batch_serials (serial, batch_id, idx, part_number) SELECT serial, batch_id, idx, part_number FROM serials;
      DROP TABLE serials;
      ALTER TABLE batch_serials RENAME TO serials;`,
  },
  {
    version: 14,
    name: 'what a job sends before its labels',
    sql: `
      -- Bytes at the start of a job's document that are no label but that its labels need first (ZPL graphics stored
      -- with ~DG, recalled by each label): sent again before the labels of every delivery, a resume too.
      ALTER TABLE jobs ADD COLUMN prefix_bytes INTEGER NOT NULL DEFAULT 0;`,
  },
  {
    version: 15,
    name: 'job documents in segments',
    sql: `
      -- A long job's document is written as it is made, a segment (about 1 MB) at a time, and read back the same way
      -- while it prints: a 10,000-tag job is never held whole. Segments are written before their job's row, under the
      -- id it will have, so they name it without a foreign key; segments of a job never made are removed at start.
      CREATE TABLE job_segments (
        job_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        start INTEGER NOT NULL,
        bytes BLOB NOT NULL,
        PRIMARY KEY (job_id, seq)
      );
      INSERT INTO job_segments (job_id, seq, start, bytes) SELECT job_id, 0, 0, bytes FROM job_documents;
      DROP TABLE job_documents;`,
  },
  {
    version: 16,
    name: 'one-label jobs sent together',
    sql: `
      -- 1: taken with other one-label jobs as one delivery. Such a job's parts_sent is stored before its label leaves,
      -- so a restart knows one that was never sent (it prints in its turn) from one that may have been.
      ALTER TABLE jobs ADD COLUMN joined INTEGER NOT NULL DEFAULT 0;`,
  },
  {
    version: 17,
    name: 'events the shop ledger refused',
    sql: `
      -- An event the ledger refused for its data (a value it cannot keep), set aside with why, so the events after it
      -- still ship. Kept for whoever looks into it; nothing here is retried.
      CREATE TABLE ledger_refused (
        seq INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        at TEXT NOT NULL,
        payload TEXT NOT NULL,
        error TEXT NOT NULL,
        refused_at TEXT NOT NULL
      );`,
  },
  {
    version: 18,
    name: 'what a line\'s tags were made from',
    sql: `
      -- A tags job's line as it was when the tags were made (JSON, about 2 KB), apart from its label data: the kiosk
      -- compares it with the line now, without unpacking a long job's data (a 10,000-tag job's is ~50 ms).
      ALTER TABLE jobs ADD COLUMN printed_with TEXT;`,
  },
  {
    version: 19,
    name: 'tags numbered within their line',
    sql: `
      -- A batch printed as the rest of its line's tags numbers them within the line ("7 of 24" for its first), not
      -- within itself ("1 of 18"): the number of its first tag, and of how many. Batches before: 1 and their count.
      ALTER TABLE serial_batches ADD COLUMN numbered_from INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE serial_batches ADD COLUMN numbered_of INTEGER;`,
  },
  {
    version: 20,
    name: 'which document a job printed',
    sql: `
      -- A document job's kind (datasheet, traveler, …), so the kiosk's "Print the rest" leaves out a work order's
      -- datasheet and traveler once they are printed. Jobs before it have none and count as not known.
      ALTER TABLE jobs ADD COLUMN document_kind TEXT;`,
  },
  {
    version: 21,
    name: 'a job waiting its turn at the printer',
    sql: `
      -- 1 when a printing job's waiting reason is the printer printing other jobs first (a CUPS queue shared with the
      -- office), not a person to put something right: the kiosk words them differently.
      ALTER TABLE jobs ADD COLUMN waiting_turn INTEGER;`,
  },
  {
    version: 22,
    name: "a work order's line counts beside its view",
    sql: `
      -- The kiosk's list shows each work order's lines and those that get tags; read from the stored view, that was a
      -- JSON parse of every listed work order (22 ms for 500) on each visit of the list.
      ALTER TABLE work_orders ADD COLUMN line_count INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE work_orders ADD COLUMN taggable_count INTEGER NOT NULL DEFAULT 0;
      UPDATE work_orders SET
        line_count = COALESCE(json_array_length(view, '$.lines'), 0),
        taggable_count = (SELECT count(*) FROM json_each(work_orders.view, '$.lines')
                           WHERE json_extract(value, '$.assembly') IS NOT NULL OR json_extract(value, '$.kit') IS NOT NULL);`,
  },
  {
    version: 23,
    name: "a document job's page size",
    sql: `
      -- A document's page in mm (an A4 datasheet, GoldLeaf's 4x6 in labels), so a waiting one is not moved to a printer
      -- whose stock cannot take it (an A4 page on 4x6 labels came out at 48%). Jobs before it have none and are moved.
      ALTER TABLE jobs ADD COLUMN page_width_mm REAL;
      ALTER TABLE jobs ADD COLUMN page_height_mm REAL;`,
  },
];
