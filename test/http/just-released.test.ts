// A work order the office released a moment ago, scanned at the bench or sent by the ERP before the station's next
// sync: the station asks GoldLeaf then and there, instead of saying "not released" for up to a minute. An unknown
// number is said to be unknown to GoldLeaf itself, and a GoldLeaf that cannot be asked is said to be so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import { asKiosk, demoStation } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
let station: RunningStation;
let kiosk: Awaited<ReturnType<typeof asKiosk>>;

beforeAll(async () => {
  station = await demoStation(dir, (c) => {
    c.goldleaf.maxRetries = 1;
    c.goldleaf.retryBaseMs = 20;
  });
  await station.sync.syncOnce();
  kiosk = await asKiosk(station.app);
});
afterAll(() => station?.stop());

/** Releases one of the sandbox's drafts in GoldLeaf, as the office would; its number. */
function releaseDraft(): string {
  const draft = [...station.sandbox!.state.data.workOrders.values()].find((w) => w.status !== 'Released' && (w.items as unknown[]).length > 0)!;
  draft.status = 'Released';
  draft.lastModified = new Date().toISOString();
  return String(draft.number);
}
const listings = () => station.sandbox!.state.faults.seen.filter((r) => r.method === 'GET' && /\/workorders$/.test(r.path)).length;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a work order released since the last sync', () => {
  it('opens when scanned at the kiosk, and prints when the ERP asks for it', async () => {
    await wait(3100); // past the moments in which the last pass counts as the answer
    const scanned = releaseDraft();
    const found = await kiosk(`/kiosk/resolve?code=${encodeURIComponent(scanned)}`);
    expect(found.status).toBe(200);
    expect(await found.json()).toEqual({ location: `/kiosk/wo/${encodeURIComponent(scanned)}` });
    expect((await kiosk(`/kiosk/wo/${encodeURIComponent(scanned)}`)).status).toBe(200);

    await wait(3100); // past the moments in which the last pass counts as the answer
    const sent = releaseDraft();
    const res = await kiosk('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'document', printer: 'office', workOrder: sent, document: 'datasheet' }) });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ title: `Datasheet ${sent}` });
  });

  it('says a number GoldLeaf does not have either is not released there, asking it once for a run of them', async () => {
    await wait(3100);
    const before = listings();
    const first = await kiosk('/kiosk/resolve?code=WO-99999');
    expect(first.status).toBe(404);
    expect(((await first.json()) as { error: { message: string } }).error.message).toMatch(/^Work order "WO-99999" is not among the released work orders in GoldLeaf \(asked just now\)\. Check the number/);
    expect(listings()).toBe(before + 1);
    for (const n of ['WO-99998', 'WO-99997', 'WO-99996']) expect((await kiosk(`/api/v1/workorders/${n}`)).status).toBe(404);
    expect(listings()).toBe(before + 1);
  });

  it('says when GoldLeaf cannot be asked, and the bench goes on with what it knows', async () => {
    await wait(3100);
    station.sandbox!.state.faults.add({ kind: 'status', status: 503, pathIncludes: '/workorders' });
    try {
      const res = await kiosk('/kiosk/resolve?code=WO-99995');
      expect(res.status).toBe(404);
      const { error } = (await res.json()) as { error: { message: string } };
      expect(error.message).toMatch(/^Work order "WO-99995" is not among the released work orders this station knows, and GoldLeaf could not be asked now \(.*503.*\)\. If the office released it just now, it opens once GoldLeaf answers again/);
      expect((await kiosk('/kiosk/wo/WO-24005')).status).toBe(200);
    } finally {
      station.sandbox!.state.faults.clear();
    }
  });
});
