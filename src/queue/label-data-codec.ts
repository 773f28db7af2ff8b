// What each label of a job was filled with, kept compactly: labels of one job share almost everything (the work order,
// the line, the assembly) and differ in a few fields (serial, "3 of 12"). Stored once as { shared, rows } and gzipped:
// 1,000 hose tags take ~30 KB instead of 1.2 MB (25 MB of JSON before compression, built and held at once).
import * as zlib from 'node:zlib';

interface Packed {
  v: 2;
  shared: Record<string, unknown>;
  rows: Array<Record<string, unknown>>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether `key` holds the same value in every record: the same object (the usual case), or equal small values. */
function sameIn(records: ReadonlyArray<Record<string, unknown>>, key: string): boolean {
  const first = records[0]![key];
  let i = 1;
  while (i < records.length && records[i]![key] === first && (first !== undefined || key in records[i]!)) i++;
  if (i === records.length) return true;
  if (typeof first !== 'object' || first === null) return false;
  const text = JSON.stringify(first);
  if (text.length > 4096) return false; // large and not the same object: not worth comparing
  for (; i < records.length; i++) if (!(key in records[i]!) || JSON.stringify(records[i]![key]) !== text) return false;
  return true;
}

/**
 * Packs in one pass per field and one per label (a 1,000-tag job is encoded in the request that asks for it: every
 * millisecond here is a millisecond the kiosk waits).
 */
export function encodeLabelData(labels: readonly unknown[]): Buffer {
  if (!labels.length || !labels.every(isRecord)) return gzip(JSON.stringify(labels));
  const records = labels as ReadonlyArray<Record<string, unknown>>;
  const keys = new Set<string>();
  for (const r of records) for (const k of Object.keys(r)) keys.add(k);
  const shared: Record<string, unknown> = {};
  const varying: string[] = [];
  for (const key of keys) {
    if (key in records[0]! && sameIn(records, key)) shared[key] = records[0]![key];
    else varying.push(key);
  }
  const rows = records.map((r) => {
    const row: Record<string, unknown> = {};
    for (const k of varying) if (k in r) row[k] = r[k];
    return row;
  });
  const packed: Packed = { v: 2, shared, rows };
  return gzip(JSON.stringify(packed));
}

/** Below this, label data is kept in gzip's format without compressing it (one or a few labels: a few hundred bytes). */
const STORED_BELOW = 512;
// zlib.crc32 came in Node 20.15; before it, everything is compressed.
const crc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

/**
 * Gzip, so that every reader (an older bench's too, from the ledger) reads it alike. Most jobs are one label of a few
 * hundred bytes, which deflate hardly shrinks, while each gzipSync sets up a compressor of its own (~12 µs, and 50–75 in
 * a busy station with what it leaves to the garbage collector): those are written as one stored block instead.
 */
function gzip(text: string): Buffer {
  if (text.length >= STORED_BELOW || !crc32) return zlib.gzipSync(text, { level: 1 });
  const data = Buffer.from(text, 'utf8');
  const out = Buffer.allocUnsafe(10 + 5 + data.length + 8);
  out.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]); // gzip, deflate, no flags or time, unknown OS
  out[10] = 1; // the final block, stored
  out.writeUInt16LE(data.length, 11);
  out.writeUInt16LE(~data.length & 0xffff, 13);
  out.set(data, 15);
  out.writeUInt32LE(crc32(data), 15 + data.length);
  out.writeUInt32LE(data.length, 19 + data.length);
  return out;
}

/** Both forms: a plain array (jobs stored before this), or { shared, rows }. Key order is kept as it was. */
export function decodeLabelData(stored: Uint8Array): unknown[] {
  const value = JSON.parse(zlib.gunzipSync(stored).toString('utf8')) as unknown;
  if (Array.isArray(value)) return value;
  const packed = value as Packed;
  return packed.rows.map((row) => ({ ...packed.shared, ...row }));
}
