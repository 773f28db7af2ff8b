// Serial numbers a bench leased from the shop ledger, kept in its own store: taken synchronously when tags are
// made (the bench never waits on the network to print), topped up ahead of need.
import type { Statement } from 'better-sqlite3';
import { StationError } from '../errors.js';
import { preparedStatements, type Store } from '../store/store.js';

export class SerialBlocks {
  private readonly sql: (text: string) => Statement;

  constructor(private readonly store: Store) {
    this.sql = preparedStatements(store);
  }

  /** Numbers leased and not used yet. */
  available(): number {
    return (this.sql('SELECT COALESCE(SUM(last - next + 1), 0) AS n FROM serial_blocks WHERE next <= last').get() as { n: number }).n;
  }

  /** The first number this bench has not used, leased or not (where the shop's counter must not go below). */
  floor(): number {
    const local = Number((this.sql("SELECT value FROM station_meta WHERE key = 'serial_seq'").get() as { value: string } | undefined)?.value ?? 0);
    const leased = (this.sql('SELECT MAX(last) AS m FROM serial_blocks').get() as { m: number | null }).m ?? 0;
    return Math.max(local, leased) + 1;
  }

  add(first: number, last: number): void {
    this.sql('INSERT INTO serial_blocks (first, last, next, leased_at) VALUES (?, ?, ?, ?)').run(first, last, first, new Date().toISOString());
  }

  /** Takes `count` numbers, oldest block first; call inside the transaction that stores the tags. */
  take(count: number): number[] {
    const blocks = this.sql('SELECT rowid, next, last FROM serial_blocks WHERE next <= last ORDER BY first').all() as Array<{ rowid: number; next: number; last: number }>;
    const have = blocks.reduce((n, b) => n + b.last - b.next + 1, 0);
    if (have < count) {
      throw new StationError('SERIALS_EXHAUSTED', `This bench has ${have} serial numbers left and needs ${count}, and could not lease more from the shop ledger.`, {
        status: 503,
        retryable: true,
        hint: 'Print fewer tags now, or bring the shop ledger back (it is needed for new numbers); the bench leases more by itself.',
      });
    }
    const numbers: number[] = [];
    const advance = this.sql('UPDATE serial_blocks SET next = ? WHERE rowid = ?');
    for (const b of blocks) {
      if (numbers.length === count) break;
      const n = Math.min(count - numbers.length, b.last - b.next + 1);
      for (let i = 0; i < n; i++) numbers.push(b.next + i);
      advance.run(b.next + n, b.rowid);
    }
    this.sql('DELETE FROM serial_blocks WHERE next > last').run();
    return numbers;
  }
}
