// Tag serials: a batch per print of a line's tags, one serial per tag, kept so a reprint of tag 7 carries the same serial.
import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import { StationError } from '../errors.js';
import { preparedStatements, type Store } from '../store/store.js';

export interface SerialRecord {
  serial: string;
  batchId: string;
  index: number;
  count: number;
  workOrderId: string;
  workOrderNumber: string;
  lineId: string;
  lineNumber: number;
  partNumber?: string;
  templateId: string;
  createdAt: string;
}

export interface BatchRequest {
  workOrderId: string;
  workOrderNumber: string;
  lineId: string;
  lineNumber: number;
  templateId: string;
  /** One part number per tag (a kit line's tags are for different assemblies). */
  partNumbers: Array<string | undefined>;
}

interface Row {
  serial: string;
  batch_id: string;
  idx: number;
  count: number;
  work_order_id: string;
  work_order_number: string;
  line_id: string;
  line_number: number;
  part_number: string | null;
  template_id: string;
  created_at: string;
}

const fromRow = (r: Row): SerialRecord => ({
  serial: r.serial,
  batchId: r.batch_id,
  index: r.idx,
  count: r.count,
  workOrderId: r.work_order_id,
  workOrderNumber: r.work_order_number,
  lineId: r.line_id,
  lineNumber: r.line_number,
  ...(r.part_number ? { partNumber: r.part_number } : {}),
  templateId: r.template_id,
  createdAt: r.created_at,
});

export class SerialStore {
  private readonly sql: (text: string) => Statement;

  constructor(
    private readonly store: Store,
    readonly prefix: string,
  ) {
    this.sql = preparedStatements(store);
  }

  /** Allocates a new batch of serials in one transaction; never reuses a serial. */
  allocate(req: BatchRequest, now = new Date()): SerialRecord[] {
    const db = this.store.db;
    const count = req.partNumbers.length;
    const batchId = randomUUID();
    const createdAt = now.toISOString();
    const yy = String(now.getUTCFullYear() % 100).padStart(2, '0');
    const insert = this.sql(
      'INSERT INTO serials (serial, batch_id, idx, count, work_order_id, work_order_number, line_id, line_number, part_number, template_id, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)',
    );
    return db.transaction(() => {
      const row = this.sql("SELECT value FROM station_meta WHERE key = 'serial_seq'").get() as { value: string } | undefined;
      let seq = Number(row?.value ?? 0);
      const records: SerialRecord[] = [];
      req.partNumbers.forEach((partNumber, i) => {
        seq++;
        const serial = `${this.prefix}${yy}${String(seq).padStart(7, '0')}`;
        insert.run(serial, batchId, i + 1, count, req.workOrderId, req.workOrderNumber, req.lineId, req.lineNumber, partNumber ?? null, req.templateId, createdAt);
        records.push({ serial, batchId, index: i + 1, count, workOrderId: req.workOrderId, workOrderNumber: req.workOrderNumber, lineId: req.lineId, lineNumber: req.lineNumber, ...(partNumber ? { partNumber } : {}), templateId: req.templateId, createdAt });
      });
      this.sql("INSERT INTO station_meta (key, value, updated_at) VALUES ('serial_seq', ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at").run(String(seq), createdAt);
      return records;
    })();
  }

  find(serial: string): SerialRecord | undefined {
    // Serials are capitals and digits (the prefix is checked so): a scanner sending lower case still finds its tag,
    // through the key's index rather than by reading every serial ever printed (COLLATE NOCASE cannot use it).
    const row = this.sql('SELECT * FROM serials WHERE serial = ?').get(serial.trim().toUpperCase()) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** Serials of a batch, from..to inclusive (1-based), for a reprint. */
  batch(batchId: string, from = 1, to = Number.MAX_SAFE_INTEGER): SerialRecord[] {
    const rows = this.sql('SELECT * FROM serials WHERE batch_id = ? AND idx BETWEEN ? AND ? ORDER BY idx').all(batchId, from, to) as Row[];
    if (rows.length === 0) throw new StationError('SERIALS_NOT_FOUND', `No tags ${from}–${to} in that print batch.`, { status: 404, hint: 'Scan a tag of the batch, or check the range.' });
    return rows.map(fromRow);
  }
}
