// The bench's outbox for the shop ledger: events appended in the same SQLite commit as what they tell (a job's new
// state, serials skipped, a release taken), read back in order until the ledger has them.
import type { Statement } from 'better-sqlite3';
import { preparedStatements, type Store } from '../store/store.js';
import type { LedgerEvent } from './ledger.js';

export class Outbox {
  private readonly sql: (text: string) => Statement;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly store: Store) {
    this.sql = preparedStatements(store);
  }

  /** Appends an event; call it inside the transaction that makes the change it tells of. */
  append(kind: LedgerEvent['kind'], eventId: string, at: string, payload: Record<string, unknown>): void {
    this.sql('INSERT INTO ledger_outbox (event_id, kind, at, payload) VALUES (?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING').run(eventId, kind, at, JSON.stringify(payload));
    for (const l of this.listeners) queueMicrotask(l);
  }

  /** Hears that something was appended (the shipper wakes). */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The oldest events not shipped yet, in order, with their payloads as stored (JSON text: they go to the ledger as
   * they are). One the store damaged fails its batch, and is then set aside on its own (see OutboxShipper).
   */
  pending(limit: number): LedgerEvent[] {
    const rows = this.sql('SELECT seq, event_id, kind, at, payload FROM ledger_outbox ORDER BY seq LIMIT ?').all(limit) as Array<{ seq: number; event_id: string; kind: LedgerEvent['kind']; at: string; payload: string }>;
    return rows.map((r) => ({ seq: r.seq, eventId: r.event_id, kind: r.kind, at: r.at, payload: r.payload }));
  }

  /** The ledger has everything up to `seq`: those leave the outbox. */
  shipped(seq: number): void {
    this.sql('DELETE FROM ledger_outbox WHERE seq <= ?').run(seq);
  }

  /** The ledger refused this event for its data: it leaves the outbox for ledger_refused, with why. */
  refuse(seq: number, error: string): void {
    this.store.db.transaction(() => {
      this.sql('INSERT INTO ledger_refused (seq, event_id, kind, at, payload, error, refused_at) SELECT seq, event_id, kind, at, payload, ?, ? FROM ledger_outbox WHERE seq = ?').run(error, new Date().toISOString(), seq);
      this.sql('DELETE FROM ledger_outbox WHERE seq = ?').run(seq);
    })();
  }

  /** Events the ledger refused: how many, and the latest with why. */
  refused(): { count: number; latest?: { eventId: string; error: string } } {
    const row = this.sql('SELECT count(*) AS n, (SELECT event_id FROM ledger_refused ORDER BY seq DESC LIMIT 1) AS id, (SELECT error FROM ledger_refused ORDER BY seq DESC LIMIT 1) AS error FROM ledger_refused').get() as { n: number; id: string | null; error: string | null };
    return { count: row.n, ...(row.id && row.error ? { latest: { eventId: row.id, error: row.error } } : {}) };
  }

  /** How many events wait, and since when the oldest does. */
  backlog(): { count: number; oldestAt?: string } {
    const row = this.sql('SELECT count(*) AS n, min(at) AS oldest FROM ledger_outbox').get() as { n: number; oldest: string | null };
    return { count: row.n, ...(row.oldest ? { oldestAt: row.oldest } : {}) };
  }
}
