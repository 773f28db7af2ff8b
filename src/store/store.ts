// Owns the SQLite database: opens it (WAL), applies migrations, and turns SQLite failures into clear errors.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { StationError } from '../errors.js';
import { logSync } from './log-sync.js';
import { migrations as defaultMigrations, type Migration } from './migrations.js';

/** The page cache of the station's connection, KB (SQLite's own default is 2 MB). */
const PAGE_CACHE_KB = 4096;

export type Db = Database.Database;

export interface Store {
  readonly db: Db;
  readonly path: string;
  /** Proves a write can be committed right now (for /readyz). */
  checkWritable(): void;
  /**
   * Resolves once every commit made so far would survive a power cut (see log-sync.ts): awaited before the station
   * tells a client a job is queued and before a job's labels leave for the printer.
   */
  durable(): Promise<void>;
  /** Said by writers of large rows (a job's document), for what keeps the log small (see checkpoints.ts). */
  bulkWrite(): void;
  onBulkWrite(listener: () => void): void;
  close(): void;
}

/**
 * Prepares each SQL text once and hands back the same statement after: preparing costs more than running the small
 * statements a station runs per job or per batch of tags.
 */
export function preparedStatements(store: Store): (sql: string) => Database.Statement {
  const statements = new Map<string, Database.Statement>();
  return (sql) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = store.db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
}

export interface OpenStoreOptions {
  /** How long to wait for a lock held by another connection, in ms. */
  busyTimeoutMs?: number;
  migrations?: readonly Migration[];
}

export function openStore(path: string, options: OpenStoreOptions = {}): Store {
  const list = options.migrations ?? defaultMigrations;
  if (path !== ':memory:') {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (err) {
      throw storeError(err, path);
    }
  }
  let db: Db | undefined;
  try {
    db = new Database(path);
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new StationError('STORE_CORRUPT', `The database ${path} is damaged (${String(check)}).`, { hint: corruptHint(path) });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // better-sqlite3 builds SQLite with a 16 MB page cache per connection. The station's hot pages (waiting jobs,
    // printers, serials) are a few hundred KB; what filled the cache were the segments of long job documents, written
    // once and read once, which then stayed in the process's memory (30 MB of segments written and read back grew a
    // process by 50 MB with 16 MB of cache, by 38 with 4). The file system's cache still holds them for the reads.
    db.pragma(`cache_size = -${PAGE_CACHE_KB}`);
    // Every job's insert, claim and change of state reads its row back with RETURNING, which SQLite gathers in a
    // temporary table: in a temporary file's pager by default, set up and torn down per statement. In memory, the
    // job insert took 22 µs instead of 62 (the statement alone, 2,000 rows, 12-05); the station's temporary tables
    // are those rows and small sorts.
    db.pragma('temp_store = MEMORY');
    migrate(db, list, path);
  } catch (err) {
    db?.close();
    throw storeError(err, path);
  }
  const open = db;
  const log = path === ':memory:' ? undefined : logSync(`${path}-wal`);
  const bulk: Array<() => void> = [];
  return {
    db: open,
    path,
    checkWritable() {
      try {
        open.prepare(`INSERT INTO station_meta (key, value, updated_at) VALUES ('heartbeat', ?, ?)
          ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`).run(String(process.pid), new Date().toISOString());
      } catch (err) {
        throw storeError(err, path);
      }
    },
    async durable() {
      try {
        await log?.sync();
      } catch (err) {
        throw storeError(err, path);
      }
    },
    bulkWrite() {
      for (const listener of bulk) listener();
    },
    onBulkWrite(listener) {
      bulk.push(listener);
    },
    close() {
      log?.close();
      if (open.open) open.close();
    },
  };
}

function migrate(db: Db, list: readonly Migration[], path: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const newest = list.at(-1)?.version ?? 0;
  if (current > newest) {
    throw new StationError('STORE_TOO_NEW', `The database ${path} was written by a newer benchprint (schema ${current}, this one knows ${newest}).`, {
      hint: 'Run the newer version again, or restore a backup made for this version.',
    });
  }
  for (const m of list) {
    if (m.version <= current) continue;
    const foreignKeys = db.pragma('foreign_keys', { simple: true }) === 1;
    if (m.rebuildsTables && foreignKeys) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        db.exec(m.sql);
        if (m.rebuildsTables && (db.pragma('foreign_key_check') as unknown[]).length > 0) {
          throw new StationError('STORE_MIGRATION_FAILED', `Migration ${m.version} (${m.name}) would break references between tables in ${path}.`, { hint: 'Keep this database file and report it; the previous version still opens it.' });
        }
        db.pragma(`user_version = ${m.version}`);
      })();
    } finally {
      if (m.rebuildsTables && foreignKeys) db.pragma('foreign_keys = ON');
    }
  }
}

function corruptHint(path: string): string {
  return `Stop the station, move ${path} (and its -wal and -shm files) aside, and start again to rebuild the cache from GoldLeaf; keep the old file for the print history.`;
}

/** Maps SQLite and file-system failures to errors that say what to do. */
export function storeError(err: unknown, path: string): StationError {
  if (err instanceof StationError) return err;
  const code = (err as { code?: string }).code ?? '';
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new StationError('STORE_CORRUPT', `The database ${path} is damaged or is not a benchprint database (${message}).`, { hint: corruptHint(path), cause: err });
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StationError('STORE_LOCKED', `The database ${path} is locked by another program.`, {
      retryable: true,
      hint: 'Is another benchprint or a database tool using it? Close it and start again.',
      cause: err,
    });
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    return new StationError('STORE_FULL', `The disk holding ${path} is full.`, { retryable: true, hint: 'Free some space on that disk.', cause: err });
  }
  if (code === 'SQLITE_READONLY' || code.startsWith('SQLITE_CANTOPEN') || code === 'EACCES' || code === 'EROFS' || code.startsWith('SQLITE_IOERR')) {
    return new StationError('STORE_UNAVAILABLE', `The database ${path} cannot be opened for writing (${message}).`, {
      hint: 'Check that the data folder exists and the station user may write there.',
      cause: err,
    });
  }
  return new StationError('STORE_ERROR', `The database ${path} failed: ${message}`, { cause: err });
}
