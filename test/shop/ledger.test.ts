// The shop ledger's operations against a real PostgreSQL (a fresh database on the cluster the setup script starts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger, type LedgerEvent, type ShippedJob } from '../../src/shop/ledger.js';
import { createPool, ledgerError, type Pool } from '../../src/shop/pg.js';
import { migrateLedger } from '../../src/shop/schema.js';
import { shippedJob } from '../helpers/ledger.js';
import { freshDatabase, PG_ADMIN } from '../helpers/postgres.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
let pool: Pool;
let ledger: Ledger;

beforeAll(async () => {
  db = await freshDatabase();
  pool = createPool(db.url, { connectTimeoutMs: 3000, queryTimeoutMs: 10_000, max: 8 });
  ledger = new Ledger(pool, db.url);
  await migrateLedger(pool);
});
afterAll(async () => {
  await pool.end();
  await db.drop();
});

const job = shippedJob;
const event = (bench: string, seq: number, payload: ShippedJob | Record<string, unknown>, kind: LedgerEvent['kind'] = 'job'): LedgerEvent => ({
  eventId: `${bench}:${kind}:${seq}`,
  seq,
  kind,
  at: '2026-12-01T10:00:02.000Z',
  payload: { ...payload },
});

describe('the shop ledger', () => {
  it('sets itself up once, whoever starts first, and refuses to be used by an older benchprint', async () => {
    await Promise.all([migrateLedger(pool), migrateLedger(pool), migrateLedger(pool)]);
    const other = await freshDatabase();
    const p = createPool(other.url, { connectTimeoutMs: 3000, queryTimeoutMs: 5000 });
    try {
      await migrateLedger(p);
      await p.query("UPDATE ledger_meta SET value = '99' WHERE key = 'schema_version'");
      await expect(migrateLedger(p)).rejects.toMatchObject({ code: 'LEDGER_TOO_NEW', message: expect.stringMatching(/schema 99; this bench knows 1/) });
    } finally {
      await p.end();
      await other.drop();
    }
  });

  it('leases serial blocks that never overlap, however many benches ask at once, and never below a bench\'s own numbers', async () => {
    const leases = await Promise.all(Array.from({ length: 30 }, (_, i) => ledger.leaseSerials('BP', `bench-${i % 3}`, 100, 1)));
    const numbers = leases.flatMap((l) => Array.from({ length: l.last - l.first + 1 }, (_, i) => l.first + i));
    expect(new Set(numbers).size).toBe(3000);
    expect(Math.min(...numbers)).toBe(1);
    // A bench that printed up to 50,000 alone before joining: the counter jumps past its numbers.
    const joined = await ledger.leaseSerials('BP', 'bench-old', 10, 50_001);
    expect(joined.first).toBe(50_001);
    expect((await ledger.leaseSerials('BP', 'bench-0', 10, 1)).first).toBe(50_011);
    // Another prefix counts on its own.
    expect((await ledger.leaseSerials('B2', 'bench-2', 10, 1)).first).toBe(1);
  });

  it('applies each event once: shipping again after an outage or a crash doubles nothing; a later state wins', async () => {
    await ledger.register('bench-a', 'Bench A');
    const batch = [event('bench-a', 1, job('J1', { state: 'needs-attention', partsConfirmed: 1 })), event('bench-a', 2, job('J2')), event('bench-a', 3, job('J1', { state: 'failed', partsConfirmed: 1 }))];
    expect(await ledger.ship('bench-a', batch)).toBe(3);
    expect(await ledger.ship('bench-a', batch)).toBe(0); // the same again: nothing new
    expect(await ledger.ship('bench-a', batch.slice(1))).toBe(0);
    const j1 = await ledger.job('bench-a', 'J1');
    expect(j1).toMatchObject({ state: 'failed', benchId: 'bench-a', serials: ['J1-1', 'J1-2'] });
    const counts = await ledger.counts();
    expect(counts).toMatchObject({ events: 3, jobs: 2 });
    // Tags are the shop's once printed (or in doubt); a reprint adds none.
    expect(counts.tags).toBe(4);
    await ledger.ship('bench-a', [event('bench-a', 4, job('J3', { isReprint: true, reprintOf: 'J2', serials: ['J2-1'] }))]);
    expect((await ledger.counts()).tags).toBe(4);
  });

  it('records serials given out and never printed as skipped', async () => {
    await ledger.ship('bench-a', [event('bench-a', 5, { serials: ['BP260000901', 'BP260000902'], reason: 'the labels could not be made' }, 'serials.skipped')]);
    expect((await ledger.counts()).skipped).toBe(2);
  });

  it('applies a batch with several events of one job as it would apply them one by one', async () => {
    const title = `O'Brien "rush" \\ {a,b} ; DROP TABLE jobs; Ø`;
    const base = { title, serials: ['M1-1', 'M1-2', 'M1-3'], partNumbers: ['HA-7', 'HA-8'], partsTotal: 3 };
    const labelData = Buffer.from('the label data, gzipped').toString('base64');
    const batch = [
      event('bench-m', 1, job('M1', { ...base, state: 'queued', partsConfirmed: 0, labelData })),
      event('bench-m', 2, job('M1', { ...base, state: 'sent', partsConfirmed: 0, updatedAt: '2026-12-01T11:00:00.000Z' })),
      event('bench-m', 3, job('M2', { state: 'done' })),
      event('bench-m', 4, job('M1', { ...base, state: 'done', partsConfirmed: 3, partsPrinted: 3, finishedAt: '2026-12-01T11:05:00.000Z', updatedAt: '2026-12-01T11:05:00.000Z' })),
      event('bench-m', 5, { serials: ['M9-1'], reason: 'could not be drawn' }, 'serials.skipped'),
    ];
    expect(await ledger.ship('bench-m', batch)).toBe(5);
    // The latest state, the label data an earlier event carried, the text as it was written.
    expect(await ledger.job('bench-m', 'M1')).toMatchObject({ state: 'done', partsConfirmed: 3, partsPrinted: 3, title, hasLabelData: true, finishedAt: '2026-12-01T11:05:00.000Z' });
    const stored = await pool.query<{ label_data: Buffer; seq: string }>("SELECT label_data, seq FROM jobs WHERE bench_id = 'bench-m' AND job_id = 'M1'");
    expect(stored.rows[0]!.label_data.toString()).toBe('the label data, gzipped');
    expect(stored.rows[0]!.seq).toBe('4');
    // A tag is the shop's from the first event that sent it; a part without a part number has none.
    const tags = await pool.query<{ serial: string; part_number: string | null; printed_at: Date }>("SELECT serial, part_number, printed_at FROM tags WHERE job_id = 'M1' ORDER BY serial");
    expect(tags.rows.map((t) => [t.serial, t.part_number, t.printed_at.toISOString()])).toEqual([
      ['M1-1', 'HA-7', '2026-12-01T11:00:00.000Z'],
      ['M1-2', 'HA-8', '2026-12-01T11:00:00.000Z'],
      ['M1-3', null, '2026-12-01T11:00:00.000Z'],
    ]);
    expect((await pool.query("SELECT count(*)::int AS n FROM tags WHERE job_id = 'M2'")).rows[0].n).toBe(2);
    expect((await pool.query("SELECT reason FROM skipped_serials WHERE serial = 'M9-1'")).rows[0].reason).toBe('could not be drawn');
    // Shipped again, or an older event of the job late: nothing changes.
    expect(await ledger.ship('bench-m', batch)).toBe(0);
    await ledger.ship('bench-m', [{ ...event('bench-m', 2, job('M1', { ...base, state: 'failed' })), eventId: 'bench-m:late' }]);
    expect(await ledger.job('bench-m', 'M1')).toMatchObject({ state: 'done' });
  });

  it('gives a released work order to exactly one bench, whoever asks first, and everyone hears the same', async () => {
    const winners = await Promise.all(['bench-a', 'bench-b', 'bench-c', 'bench-a', 'bench-b'].map((b) => ledger.claimRelease('wo-77', 'WO-77', b)));
    expect(new Set(winners).size).toBe(1);
    // A claim made while the ledger was away, shipped later, does not take it from the winner.
    await ledger.ship('bench-z', [event('bench-z', 1, { workOrderId: 'wo-77', workOrderNumber: 'WO-77' }, 'release.claimed')]);
    expect(await ledger.claimRelease('wo-77', 'WO-77', 'bench-z')).toBe(winners[0]);
  });

  it('finds jobs of every bench by work order, serial, assembly and bench', async () => {
    await ledger.ship('bench-b', [event('bench-b', 1, job('K1', { workOrderNumber: 'WO-2', serials: ['BP1', 'BP2'], partNumbers: ['HA-9', 'HA-9'] }))]);
    expect((await ledger.searchJobs({ workOrder: 'wo-2' })).map((j) => j.id)).toEqual(['K1']);
    expect((await ledger.searchJobs({ serial: 'bp2' })).map((j) => `${j.benchId}/${j.id}`)).toEqual(['bench-b/K1']);
    expect((await ledger.searchJobs({ assembly: 'HA-9' })).map((j) => j.id)).toEqual(['K1']);
    expect((await ledger.searchJobs({ bench: 'bench-a' })).map((j) => j.id).sort()).toEqual(['J1', 'J2', 'J3']);
  });

  it('says what to fix when it cannot be used: wrong password, no such database, nothing listening', async () => {
    const check = async (url: string) => {
      const p = createPool(url, { connectTimeoutMs: 2000, queryTimeoutMs: 2000 });
      try {
        await p.query('SELECT 1');
        return undefined;
      } catch (err) {
        return ledgerError(err, url);
      } finally {
        await p.end();
      }
    };
    const wrong = new URL(PG_ADMIN);
    wrong.password = 'not-the-password';
    expect(await check(wrong.toString())).toMatchObject({ code: 'LEDGER_AUTH', message: expect.stringMatching(/refused the login/), retryable: false });
    expect((await check(wrong.toString()))!.message).not.toContain('not-the-password');
    const missing = new URL(PG_ADMIN);
    missing.pathname = '/no_such_ledger';
    expect(await check(missing.toString())).toMatchObject({ code: 'LEDGER_NO_DATABASE', hint: expect.stringMatching(/createdb/) });
    expect(await check('postgres://x:y@127.0.0.1:1/x')).toMatchObject({ code: 'LEDGER_UNREACHABLE', message: expect.stringMatching(/connection refused/) });
  });
});
