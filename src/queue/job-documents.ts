// Job documents in the store, in segments: a long job's bytes are written as they are made and read back a segment at
// a time while it prints, so a 10,000-tag job is never held whole (7.6 MB of ZPL was rendered into one buffer, copied,
// stored, and read back whole to print).
import { timeOrderedId } from '../lib/time-ordered-id.js';
import type { Statement } from 'better-sqlite3';
import { StationError } from '../errors.js';
import { SEGMENT_BYTES, type DocumentBytes, type DocumentStage } from '../printing/types.js';
import { preparedStatements, type Store } from '../store/store.js';

/**
 * A job's stored document cannot be read back (a segment missing: the store was damaged or copied in part). Nothing of
 * what could not be read was sent; the job cannot print from it, and trying again or a reprint (a copy of the stored
 * bytes) will not help.
 */
export function documentUnreadable(jobId: string, what: string): StationError {
  return new StationError('DOCUMENT_UNREADABLE', `The station's store has lost part of this job's document (${what}).`, {
    status: 500,
    retryable: false,
    hint: `Nothing past the labels the printer confirmed was sent. Ask for the labels again from their work order (or the program that sent them), and check the station's disk (job ${jobId}).`,
  });
}

const asBuffer = (bytes: Uint8Array) => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

/** A stored document's bytes: segments are read when asked for, the last one read is kept. */
export class StoredBytes implements DocumentBytes {
  private cached: { index: number; bytes: Buffer } | undefined;

  constructor(
    private readonly sql: (text: string) => Statement,
    /** The job (or the job to be) the segments belong to. */
    readonly jobId: string,
    /** Where each segment starts, in order. */
    private readonly starts: readonly number[],
    readonly length: number,
    /** Written by a stage for a job not inserted yet: the insert takes it as the job's document. */
    readonly staged = false,
    /** The first segment, when it was read with the list. */
    first?: Buffer,
  ) {
    if (first) this.cached = { index: 0, bytes: first };
  }

  slice(start: number, end: number): Uint8Array {
    start = Math.max(0, start);
    end = Math.min(this.length, end);
    if (end <= start) return Buffer.alloc(0);
    const pieces: Buffer[] = [];
    for (let i = this.segmentAt(start); i < this.starts.length && this.starts[i]! < end; i++) {
      const segment = this.segment(i);
      const from = this.starts[i]!;
      pieces.push(segment.subarray(Math.max(0, start - from), Math.min(segment.length, end - from)));
    }
    return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
  }

  private segmentAt(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private segment(index: number): Buffer {
    if (this.cached?.index === index) return this.cached.bytes;
    const row = this.sql('SELECT bytes FROM job_segments WHERE job_id = ? AND seq = ?').get(this.jobId, index) as { bytes: Buffer } | undefined;
    if (!row) throw documentUnreadable(this.jobId, `segment ${index + 1} of ${this.starts.length} is missing`);
    this.cached = { index, bytes: row.bytes };
    return row.bytes;
  }
}

/** The stored bytes of a job not made yet, when a document was written into a stage (see JobDocuments.stage). */
export function stagedBytes(bytes: DocumentBytes): StoredBytes | undefined {
  return bytes instanceof StoredBytes && bytes.staged ? bytes : undefined;
}

export class JobDocuments {
  private readonly sql: (text: string) => Statement;

  constructor(private readonly store: Store) {
    this.sql = preparedStatements(store);
  }

  /** Stores a whole document as one segment (inside the caller's transaction). */
  insertWhole(jobId: string, bytes: Uint8Array): void {
    this.sql('INSERT INTO job_segments (job_id, seq, start, bytes) VALUES (?, 0, 0, ?)').run(jobId, asBuffer(bytes));
    this.store.bulkWrite();
  }

  /**
   * A job's document, read a segment at a time; the first is read at once (most documents are one segment). The
   * segments are checked to follow each other to the document's length first (sizes only, not their bytes): a lost one
   * would otherwise shift every label after it.
   */
  read(jobId: string, length: number): StoredBytes {
    const rows = this.sql('SELECT seq, start, length(bytes) AS size, CASE WHEN seq = 0 THEN bytes END AS first FROM job_segments WHERE job_id = ? ORDER BY seq').all(jobId) as Array<{ seq: number; start: number; size: number; first: Buffer | null }>;
    if (!rows.length) throw documentUnreadable(jobId, 'none of it is in the store');
    let end = 0;
    for (const [i, r] of rows.entries()) {
      if (r.seq !== i || r.start !== end) throw documentUnreadable(jobId, `segment ${i + 1} is missing`);
      end += r.size;
    }
    if (end !== length) throw documentUnreadable(jobId, end < length ? `its end is missing: ${end} of ${length} bytes are there` : `it is ${end} bytes where ${length} were stored`);
    return new StoredBytes(
      this.sql,
      jobId,
      rows.map((r) => r.start),
      length,
      false,
      rows[0]!.first ?? undefined,
    );
  }

  /**
   * A place for a long document of a job to be made: pieces are gathered into segments of about SEGMENT_BYTES, each
   * written as it fills, under the id the job will have.
   */
  stage(): DocumentStage & { readonly jobId: string } {
    const jobId = timeOrderedId();
    const starts: number[] = [];
    let length = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let state: 'open' | 'finished' | 'discarded' = 'open';
    const insert = (bytes: Buffer) => {
      this.sql('INSERT INTO job_segments (job_id, seq, start, bytes) VALUES (?, ?, ?, ?)').run(jobId, starts.length, length, bytes);
      this.store.bulkWrite();
      starts.push(length);
      length += bytes.length;
    };
    const flush = () => {
      if (!pendingBytes) return;
      insert(pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes));
      pending = [];
      pendingBytes = 0;
    };
    return {
      jobId,
      write: (piece) => {
        if (state !== 'open') throw new Error(`the document of job ${jobId} is ${state}: nothing more can be written to it`);
        // A segment at most each, so no segment read back is much longer. Whole segments go to the store straight
        // from the caller's buffer (SQLite copies them); the rest is copied, as the caller reuses its buffer.
        const bytes = asBuffer(piece);
        let at = 0;
        if (!pendingBytes) for (; bytes.length - at >= SEGMENT_BYTES; at += SEGMENT_BYTES) insert(bytes.subarray(at, at + SEGMENT_BYTES));
        for (; at < bytes.length; at += SEGMENT_BYTES) {
          const part = Buffer.from(bytes.subarray(at, Math.min(bytes.length, at + SEGMENT_BYTES)));
          pending.push(part);
          pendingBytes += part.length;
          if (pendingBytes >= SEGMENT_BYTES) flush();
        }
      },
      finish: () => {
        if (state === 'discarded') throw new Error(`the document of job ${jobId} was discarded`);
        flush();
        state = 'finished';
        return new StoredBytes(this.sql, jobId, starts.length ? starts : [0], length, true);
      },
      discard: () => {
        state = 'discarded';
        pending = [];
        this.discard(jobId);
      },
    };
  }

  /** Byte ranges of a document as a new one: in memory when short, else written a segment at a time (a reprint). */
  copy(bytes: DocumentBytes, ranges: ReadonlyArray<readonly [number, number]>): DocumentBytes {
    const total = ranges.reduce((n, [a, b]) => n + (b - a), 0);
    if (total <= SEGMENT_BYTES) return Buffer.concat(ranges.map(([a, b]) => bytes.slice(a, b)));
    const stage = this.stage();
    try {
      for (const [a, b] of ranges) for (let at = a; at < b; at += SEGMENT_BYTES) stage.write(bytes.slice(at, Math.min(b, at + SEGMENT_BYTES)));
      return stage.finish();
    } catch (err) {
      stage.discard();
      throw err;
    }
  }

  /** Removes the segments of a job that was never made. */
  discard(jobId: string): void {
    if (!this.sql('SELECT 1 FROM jobs WHERE id = ?').get(jobId)) this.sql('DELETE FROM job_segments WHERE job_id = ?').run(jobId);
  }

  /** Segments of jobs that were never made (the station stopped while making them, say); returns how many went. */
  sweep(): number {
    return this.sql('DELETE FROM job_segments WHERE job_id NOT IN (SELECT id FROM jobs)').run().changes;
  }
}
