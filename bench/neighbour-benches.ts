// The other benches of a shop, for bench/shop.ts, in their own process (in a shop they are their own PCs): each ships
// to the ledger, through the station's own Ledger code, a copy of every event the measured bench has shipped, as it
// appears there, so the ledger carries three benches' traffic (same events, same batches, same rate) while only one
// station shares this machine's cores with the load generator.
// Arguments: the ledger's URL, the measured bench's id, how many neighbours. Tells its parent { ready } once they are
// registered; when disconnected, prints how many events each shipped and exits.
import { Ledger, type LedgerEvent } from '../src/shop/ledger.js';
import { createPool } from '../src/shop/pg.js';

const [url, live, count] = [process.argv[2]!, process.argv[3]!, Number(process.argv[4] ?? 2)];
const pool = createPool(url, { connectTimeoutMs: 3000, queryTimeoutMs: 10_000, max: count + 1 });
const ledger = new Ledger(pool, url);
const names = Array.from({ length: count }, (_, i) => `${live}-neighbour-${i + 1}`);
for (const name of names) await ledger.register(name, name);

/** The neighbour's own copy of an event: its ids, its serials (serials are the shop's, one tag each). */
function copy(e: LedgerEvent, bench: string, n: number): LedgerEvent {
  const p = e.payload as Record<string, unknown>;
  const serial = (s: string) => `N${n}${s}`;
  const payload =
    e.kind === 'job'
      ? { ...p, id: `${String(p.id)}-${n}`, serials: (p.serials as string[]).map(serial) }
      : e.kind === 'serials.skipped'
        ? { ...p, serials: (p.serials as string[]).map(serial) }
        : { ...p, workOrderId: `${String(p.workOrderId)}-${n}` };
  return { ...e, eventId: `${bench}:${e.eventId}`, payload };
}

let last = 0;
let shipped = 0;
let stopping = false;
process.on('disconnect', () => (stopping = true));
process.send!({ ready: true });
while (!stopping) {
  const rows = await pool.query<{ event_id: string; seq: string; kind: LedgerEvent['kind']; at: Date; payload: Record<string, unknown> }>(
    'SELECT event_id, seq, kind, at, payload FROM events WHERE bench_id = $1 AND seq > $2 ORDER BY seq LIMIT 1000',
    [live, last],
  );
  if (rows.rows.length) {
    const events: LedgerEvent[] = rows.rows.map((r) => ({ eventId: r.event_id, seq: Number(r.seq), kind: r.kind, at: r.at.toISOString(), payload: r.payload }));
    last = events.at(-1)!.seq;
    // Each neighbour ships on its own connection, as separate PCs would, at the same moment.
    await Promise.all(names.map((name, i) => ledger.ship(name, events.map((e) => copy(e, name, i + 1)))));
    shipped += events.length;
  }
  // The stations gather their events for 100 ms before shipping; the neighbours follow at that pace.
  await new Promise((r) => setTimeout(r, 100));
}
await pool.end();
process.stdout.write(`neighbour benches: ${count} shipped ${shipped} events each\n`);
