// A bench in a shop checks its clock against the ledger's server too: with the internet down (GoldLeaf out of reach)
// and the PC started days behind, the shop's own PostgreSQL still says what time it is.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ClockVerdict } from '../../src/lib/clock-check.js';
import type { RunningStation } from '../../src/station.js';
import { freshDatabase } from '../helpers/postgres.js';
import { asKiosk, demoStation } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
let station: RunningStation;

beforeAll(async () => {
  db = await freshDatabase();
  // GoldLeaf is never asked (no sync): the ledger is the only server this bench hears.
  station = await demoStation(tempDir(), (c) => {
    c.shop = { databaseUrl: db.url, benchId: 'bench-1', serialBlock: 100, serialReserve: 100, connectTimeoutMs: 2000, routing: { rules: [] } };
  });
  for (let i = 0; i < 150 && station.shop!.status().state !== 'connected'; i++) await new Promise((r) => setTimeout(r, 100));
}, 30_000);
afterAll(async () => {
  await station?.stop();
  await db?.drop();
});

const clock = async () => ((await (await station.app.request('/readyz')).json()) as { clock: ClockVerdict }).clock;

describe("the ledger's clock", () => {
  it('is the reference when GoldLeaf has not answered, and agrees with a right clock', async () => {
    const v = await clock();
    expect(v).toMatchObject({ state: 'right', holds: false, reference: { source: 'the shop ledger' } });
    expect(Math.abs(v.offsetMs!)).toBeLessThan(2_000);
  });

  it('tells a PC that is days behind, in the kiosk and /readyz', async () => {
    const real = Date.now.bind(Date);
    const spy = vi.spyOn(Date, 'now').mockImplementation(() => real() - 61 * 3_600_000);
    try {
      const v = await clock();
      expect(v).toMatchObject({ state: 'off', holds: true });
      expect(v.message).toMatch(/^This PC's clock reads .*, the shop ledger's .*: it is 2 days 1[23] h( \d+ min)? behind\./);
      const banner = await (await (await asKiosk(station.app))('/kiosk/banner')).text();
      expect(banner).toContain('the shop ledger&#39;s');
    } finally {
      spy.mockRestore();
    }
  });
});
