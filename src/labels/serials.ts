// Tag serials: a batch per print of a line's tags, one serial per tag, kept so a reprint of tag 7 carries the same serial.
import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import { StationError } from '../errors.js';
import { preparedStatements, type Store } from '../store/store.js';

export interface SerialRecord {
  serial: string;
  batchId: string;
  /** Its place in its batch, 1-based, and the batch's size (what a reprint of the batch counts by). */
  index: number;
  count: number;
  /** Its number on the tag, within the line, and of how many: "7 of 24" (the same as index and count unless the batch was the rest of a line). */
  number: number;
  of: number;
  workOrderId: string;
  workOrderNumber: string;
  lineId: string;
  lineNumber: number;
  partNumber?: string;
  templateId: string;
  templateVersion?: number;
  createdAt: string;
}

export interface BatchRequest {
  workOrderId: string;
  workOrderNumber: string;
  lineId: string;
  lineNumber: number;
  templateId: string;
  templateVersion?: number;
  /** One part number per tag (a kit line's tags are for different assemblies). */
  partNumbers: Array<string | undefined>;
  /** Tags numbered within the line: the first one's number and of how many. Without it, 1 to the batch's size. */
  numbering?: { from: number; of: number };
}

interface Row {
  serial: string;
  batch_id: string;
  idx: number;
  count: number;
  numbered_from: number;
  numbered_of: number | null;
  work_order_id: string;
  work_order_number: string;
  line_id: string;
  line_number: number;
  part_number: string | null;
  template_id: string;
  template_version: number | null;
  created_at: string;
}

const fromRow = (r: Row): SerialRecord => ({
  serial: r.serial,
  batchId: r.batch_id,
  index: r.idx,
  count: r.count,
  number: r.idx + r.numbered_from - 1,
  of: r.numbered_of ?? r.count,
  workOrderId: r.work_order_id,
  workOrderNumber: r.work_order_number,
  lineId: r.line_id,
  lineNumber: r.line_number,
  ...(r.part_number ? { partNumber: r.part_number } : {}),
  templateId: r.template_id,
  ...(r.template_version !== null ? { templateVersion: r.template_version } : {}),
  createdAt: r.created_at,
});

/** Where serial numbers come from when not from the bench's own counter: blocks leased from the shop ledger. */
export interface SerialNumbers {
  /** Takes `count` numbers, synchronously, inside the transaction that stores the tags. */
  take(count: number): number[];
  /** Makes sure `count` numbers can be taken (leasing more if it must), before a batch is made. */
  ensure(count: number): Promise<void>;
}

/** Serial rows per INSERT statement (4 values each, well under SQLite's 32,766 variables). */
const ROWS_PER_INSERT = 128;

/** A serial with what its batch says of it. */
const SELECT_SERIALS = `SELECT s.serial, s.batch_id, s.idx, s.part_number, b.count, b.numbered_from, b.numbered_of, b.work_order_id, b.work_order_number, b.line_id, b.line_number,
  b.template_id, b.template_version, b.created_at FROM serials s JOIN serial_batches b ON b.id = s.batch_id`;

export class SerialStore {
  private readonly sql: (text: string) => Statement;

  constructor(
    private readonly store: Store,
    readonly prefix: string,
    private readonly numbers?: SerialNumbers,
    /** Told of serials given out that will never be printed (in the transaction that says so). */
    private readonly onSkipped?: (serials: string[], reason: string) => void,
  ) {
    this.sql = preparedStatements(store);
  }

  /** Waits until `count` serials can be given out (only a shop bench low on leased numbers ever waits). */
  async ready(count: number): Promise<void> {
    await this.numbers?.ensure(count);
  }

  /** Serials given out that will not be printed (the labels could not be made): recorded, never used again. */
  skip(records: readonly SerialRecord[], reason: string): void {
    if (!records.length) return;
    this.store.db.transaction(() => {
      const drop = this.sql('DELETE FROM serials WHERE serial = ?');
      for (const r of records) drop.run(r.serial);
      this.onSkipped?.(records.map((r) => r.serial), reason);
    })();
  }

  /** Allocates a new batch of serials in one transaction; never reuses a serial. */
  allocate(req: BatchRequest, now = new Date()): SerialRecord[] {
    const db = this.store.db;
    const count = req.partNumbers.length;
    const batchId = randomUUID();
    const createdAt = now.toISOString();
    const yy = String(now.getUTCFullYear() % 100).padStart(2, '0');
    const from = req.numbering?.from ?? 1;
    const of = req.numbering?.of ?? count;
    // The batch is one row; its serials go in groups of ROWS_PER_INSERT (a 500-tag batch is 4 statements, not 500).
    const statement = (rows: number) => this.sql('INSERT INTO serials (serial, batch_id, idx, part_number) VALUES ' + Array.from({ length: rows }, () => '(?,?,?,?)').join(','));
    const pending: unknown[] = [];
    const flush = (force: boolean) => {
      while (pending.length >= ROWS_PER_INSERT * 4 || (force && pending.length)) {
        const rows = Math.min(ROWS_PER_INSERT, pending.length / 4);
        statement(rows).run(pending.splice(0, rows * 4));
      }
    };
    return db.transaction(() => {
      this.sql(
        'INSERT INTO serial_batches (id, count, numbered_from, numbered_of, work_order_id, work_order_number, line_id, line_number, template_id, template_version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(batchId, count, from, req.numbering?.of ?? null, req.workOrderId, req.workOrderNumber, req.lineId, req.lineNumber, req.templateId, req.templateVersion ?? null, createdAt);
      // From the shop's leased blocks, or the bench's own counter (one station alone).
      const taken = this.numbers?.take(count);
      const row = taken ? undefined : (this.sql("SELECT value FROM station_meta WHERE key = 'serial_seq'").get() as { value: string } | undefined);
      let seq = Number(row?.value ?? 0);
      const records: SerialRecord[] = [];
      req.partNumbers.forEach((partNumber, i) => {
        seq = taken ? taken[i]! : seq + 1;
        const serial = `${this.prefix}${yy}${String(seq).padStart(7, '0')}`;
        pending.push(serial, batchId, i + 1, partNumber ?? null);
        if (pending.length >= ROWS_PER_INSERT * 4) flush(false);
        // One shape for every record (no conditional spreads): thousands are made per batch.
        const record: SerialRecord = { serial, batchId, index: i + 1, count, number: from + i, of, workOrderId: req.workOrderId, workOrderNumber: req.workOrderNumber, lineId: req.lineId, lineNumber: req.lineNumber, templateId: req.templateId, createdAt };
        if (partNumber) record.partNumber = partNumber;
        if (req.templateVersion !== undefined) record.templateVersion = req.templateVersion;
        records.push(record);
      });
      flush(true);
      if (!taken) this.sql("INSERT INTO station_meta (key, value, updated_at) VALUES ('serial_seq', ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at").run(String(seq), createdAt);
      return records;
    })();
  }

  find(serial: string): SerialRecord | undefined {
    // Serials are capitals and digits (the prefix is checked so): a scanner sending lower case still finds its tag,
    // through the key's index rather than by reading every serial ever printed (COLLATE NOCASE cannot use it).
    const row = this.sql(`${SELECT_SERIALS} WHERE s.serial = ?`).get(serial.trim().toUpperCase()) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** Serials of a batch, from..to inclusive (1-based), for a reprint. */
  batch(batchId: string, from = 1, to = Number.MAX_SAFE_INTEGER): SerialRecord[] {
    const rows = this.sql(`${SELECT_SERIALS} WHERE s.batch_id = ? AND s.idx BETWEEN ? AND ? ORDER BY s.idx`).all(batchId, from, to) as Row[];
    if (rows.length === 0) throw new StationError('SERIALS_NOT_FOUND', `No tags ${from}–${to} in that print batch.`, { status: 404, hint: 'Scan a tag of the batch, or check the range.' });
    return rows.map(fromRow);
  }
}
