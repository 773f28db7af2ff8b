import Database from 'better-sqlite3';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StationError } from '../../src/errors.js';
import { migrations } from '../../src/store/migrations.js';
import { WorkOrderCache } from '../../src/sync/cache.js';
import { BackgroundThread } from '../../src/background/thread.js';
import { checkpointInBackground } from '../../src/store/checkpoints.js';
import { openStore } from '../../src/store/store.js';
import { JobDocuments } from '../../src/queue/job-documents.js';
import { JobStore } from '../../src/queue/job-store.js';
import { SerialStore } from '../../src/labels/serials.js';
import { acquireInstanceLock } from '../../src/store/instance-lock.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
const failure = (fn: () => unknown): StationError => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StationError);
    return err as StationError;
  }
  throw new Error('expected a StationError');
};

describe('openStore', () => {
  it('applies every migration once, in WAL mode, and can be reopened', () => {
    const path = join(dir, 'fresh', 'station.db');
    const store = openStore(path);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)!.version);
    store.db.prepare("INSERT INTO station_meta VALUES ('k', 'v', 'now')").run();
    store.close();
    const again = openStore(path);
    expect(again.db.prepare("SELECT value FROM station_meta WHERE key = 'k'").get()).toEqual({ value: 'v' });
    again.checkWritable();
    again.close();
  });

  it('moves the documents of jobs stored before version 12 out of the job rows (now into segments), byte for byte', () => {
    const path = join(dir, 'v11', 'station.db');
    const old = openStore(path, { migrations: migrations.filter((m) => m.version <= 11) });
    const pdf = Buffer.from('%PDF-1.7\n' + 'x'.repeat(100_000));
    old.db
      .prepare(
        `INSERT INTO jobs (id, seq, printer_id, state, requested_by, kind, document_name, format, content_type, bytes, part_ends, parts_total, expires_at, created_at, updated_at)
         VALUES ('j1', 1, 'office', 'done', 'kiosk', 'labels', 'tags.pdf', 'pdf', 'application/pdf', ?, '[100009]', 1, 'later', 'now', 'now')`,
      )
      .run(pdf);
    old.close();
    const store = openStore(path);
    const jobs = new JobStore(store);
    expect(jobs.get('j1')?.bytesTotal).toBe(pdf.length);
    const { bytes } = jobs.document('j1');
    expect(Buffer.compare(Buffer.from(bytes.slice(0, bytes.length)), pdf)).toBe(0);
    expect(store.db.prepare('SELECT name FROM pragma_table_info(?) WHERE name = ?').get('jobs', 'bytes')).toBeUndefined();
    store.close();
  });

  it("counts the lines of work orders cached before version 22, as the list shows them", () => {
    const path = join(dir, 'v21', 'station.db');
    const old = openStore(path, { migrations: migrations.filter((m) => m.version <= 21) });
    const view = { id: 'wo-1', number: 'WO-1', lines: [{ lineNumber: 10, assembly: { partNumber: 'HA-1' } }, { lineNumber: 20, kit: { partNumber: 'K-1' } }, { lineNumber: 30, problem: 'gone', assembly: null }] };
    old.db
      .prepare("INSERT INTO work_orders (id, number, status, released, view, synced_at) VALUES ('wo-1', 'WO-1', 'Released', 1, ?, 'now')")
      .run(JSON.stringify(view));
    old.close();
    const store = openStore(path);
    expect(new WorkOrderCache(store).list()).toEqual([expect.objectContaining({ number: 'WO-1', lines: 3, taggableLines: 2 })]);
    store.close();
  });

  it('splits serials stored before version 13 into batches and serials, each tag keeping what it was printed for', () => {
    const path = join(dir, 'v12', 'station.db');
    const old = openStore(path, { migrations: migrations.filter((m) => m.version <= 12) });
    const insert = old.db.prepare(
      `INSERT INTO serials (serial, batch_id, idx, count, work_order_id, work_order_number, line_id, line_number, part_number, template_id, template_version, created_at)
       VALUES (?, ?, ?, ?, 'wo-1', 'WO-24001', 'line-1', 10, ?, 'hose-tag', ?, '2026-11-30T10:00:00.000Z')`,
    );
    for (let i = 1; i <= 3; i++) insert.run(`BP26000000${i}`, 'batch-a', i, 3, `H-${i}`, 2);
    insert.run('BP260000009', 'batch-b', 1, 1, null, null);
    old.db.prepare("INSERT INTO station_meta VALUES ('serial_seq', '9', 'now')").run();
    old.close();
    const store = openStore(path);
    const serials = new SerialStore(store, 'BP');
    expect(serials.find('bp260000002')).toEqual({
      serial: 'BP260000002',
      batchId: 'batch-a',
      index: 2,
      count: 3,
      // Batches stored before tags were numbered within their line: numbered within themselves, as they were printed.
      number: 2,
      of: 3,
      workOrderId: 'wo-1',
      workOrderNumber: 'WO-24001',
      lineId: 'line-1',
      lineNumber: 10,
      partNumber: 'H-2',
      templateId: 'hose-tag',
      templateVersion: 2,
      createdAt: '2026-11-30T10:00:00.000Z',
    });
    expect(serials.batch('batch-a', 2, 3).map((s) => s.serial)).toEqual(['BP260000002', 'BP260000003']);
    expect(serials.find('BP260000009')).not.toHaveProperty('templateVersion');
    // New batches go on after them.
    const more = serials.allocate({ workOrderId: 'wo-2', workOrderNumber: 'WO-24002', lineId: 'l', lineNumber: 1, templateId: 'hose-tag', partNumbers: ['X', undefined] });
    expect(serials.batch(more[0]!.batchId).map((s) => [s.index, s.count, s.partNumber])).toEqual([
      [1, 2, 'X'],
      [2, 2, undefined],
    ]);
    store.close();
  });

  it('copies the log into the database on its own thread while jobs are written, and leaves it to SQLite once idle', async () => {
    const path = join(dir, 'checkpoints', 'station.db');
    const store = openStore(path);
    const thread = new BackgroundThread({ idleMs: 1500 });
    const checkpoints = checkpointInBackground(store, thread, { everyMs: 200 });
    // Nothing written yet: no thread, SQLite's own checkpoints.
    expect(checkpoints.running).toBe(false);
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    store.db.exec('CREATE TABLE big (b BLOB)');
    const before = statSync(path).size;
    const documents = new JobDocuments(store);
    for (let i = 0; i < 6; i++) {
      store.db.prepare('INSERT INTO big VALUES (?)').run(Buffer.alloc(1_000_000, i));
      documents.insertWhole(`job-${i}`, Buffer.alloc(10, i)); // a job's document: the thread starts, after the commit
    }
    expect(checkpoints.running).toBe(false);
    await new Promise((r) => setImmediate(r));
    expect(checkpoints.running).toBe(true);
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    // Written to the log only; the thread moves it into the file within a turn or two.
    for (let waited = 0; statSync(path).size < before + 6_000_000 && waited < 5000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    expect(statSync(path).size).toBeGreaterThanOrEqual(before + 6_000_000);
    // No job for a while: the thread ends, SQLite checkpoints again; the next job starts it again.
    await expect.poll(() => checkpoints.running, { timeout: 5000 }).toBe(false);
    await expect.poll(() => store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    documents.insertWhole('job-7', Buffer.alloc(10));
    await new Promise((r) => setImmediate(r));
    expect(checkpoints.running).toBe(true);
    await checkpoints.stop();
    expect(checkpoints.running).toBe(false);
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    documents.insertWhole('job-8', Buffer.alloc(10)); // stopped: not started again
    await new Promise((r) => setImmediate(r));
    expect(checkpoints.running).toBe(false);
    store.close();
  });

  it('says a file that is not a database is damaged, and what to do', () => {
    const path = join(dir, 'garbage.db');
    writeFileSync(path, 'this is not sqlite at all, just text that fills a page '.repeat(200));
    const err = failure(() => openStore(path));
    expect(err.code).toBe('STORE_CORRUPT');
    expect(err.advice).toMatch(/move .*garbage\.db.* aside/);
    expect(err.stack).toBeDefined();
    expect(err.advice).not.toMatch(/at .*\.ts:\d+/);
  });

  it('says when another program holds the database locked', () => {
    const path = join(dir, 'locked.db');
    openStore(path).close();
    const other = new Database(path);
    other.pragma('locking_mode = EXCLUSIVE');
    other.exec('BEGIN EXCLUSIVE');
    try {
      const err = failure(() => openStore(path, { busyTimeoutMs: 50 }));
      expect(err.code).toBe('STORE_LOCKED');
      expect(err.retryable).toBe(true);
      expect(err.advice).toMatch(/another benchprint/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });

  it('refuses a database written by a newer version instead of guessing', () => {
    const path = join(dir, 'newer.db');
    const db = new Database(path);
    db.pragma('user_version = 999');
    db.close();
    expect(failure(() => openStore(path)).code).toBe('STORE_TOO_NEW');
  });
});

describe('acquireInstanceLock', () => {
  it('lets one station use a data folder at a time and frees it on release', () => {
    const data = join(dir, 'lock');
    const release = acquireInstanceLock(data);
    writeFileSync(join(data, 'benchprint.pid'), String(process.ppid)); // a live process other than us
    expect(failure(() => acquireInstanceLock(data)).code).toBe('ALREADY_RUNNING');
    writeFileSync(join(data, 'benchprint.pid'), '999999999'); // left by a station that crashed
    const again = acquireInstanceLock(data);
    expect(readFileSync(join(data, 'benchprint.pid'), 'utf8')).toBe(String(process.pid));
    again();
    expect(existsSync(join(data, 'benchprint.pid'))).toBe(false);
    release();
  });
});
