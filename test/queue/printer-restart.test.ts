// A job is done once the Zebra confirmed its labels; the station then follows them out from the printer's later
// answers (it prints in order, so a memory that empties means labels came out). Switched off and on meanwhile, the
// printer answers with an empty memory too, and the labels it held are lost: the station must not count them printed.
// It cannot tell the two apart from what it sees after, so labels that went from the printer's memory while the
// station could not reach it are in doubt, and the job asks for a look. A printer that kept what it held while it was
// out of reach (a pulled cable) is followed on as before: nothing is in doubt.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import { startZebraPrinter, type ZebraDouble } from '../doubles/zebra-printer.js';
import { asKiosk, demoStation } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

let zebra: ZebraDouble;
let station: RunningStation;
let kiosk: Awaited<ReturnType<typeof asKiosk>>;

beforeEach(async () => {
  zebra = await startZebraPrinter();
  station = await demoStation(tempDir(), (c) => {
    c.printers = [{ id: 'tags', name: 'Tag printer', driver: 'zpl', uri: zebra.uri, dpmm: 8, options: { statusTimeoutMs: 500, connectTimeoutMs: 500 } }];
  });
  await station.sync.syncOnce();
  kiosk = await asKiosk(station.app);
});
afterEach(async () => {
  await station.stop();
  await zebra.close();
});

const post = (path: string, body: unknown) => kiosk(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
const job = async (id: string) => (await (await kiosk(`/api/v1/jobs/${id}`)).json()) as { state: string; attention?: string; partsPrinted?: number; serials: string[]; resume?: Array<{ from: number; when: string }> };
const serialsOut = () => zebra.printed.map((f) => /\^FD(BP\d+)\^FS/.exec(f)?.[1]);

/** 8 tags, done (all confirmed) while the printer, slow or out of labels, still holds most of them. */
async function doneWhileHeld(): Promise<{ id: string; serials: string[] }> {
  const res = await post('/api/v1/jobs', { kind: 'labels', printer: 'tags', workOrder: 'WO-24005', line: 10, template: 'hose-tag', quantity: 8 });
  expect(res.status).toBe(201);
  const created = (await res.json()) as { id: string; serials: string[] };
  await expect.poll(async () => (await job(created.id)).state, { timeout: 10_000 }).toBe('done');
  expect(zebra.buffered()).toBeGreaterThan(4);
  return created;
}

describe('a printer switched off and on while it holds labels of a done job', () => {
  it('leaves the job needing a look, naming the labels it had not printed, never counted printed', async () => {
    zebra.msPerLabel = 400;
    const { id, serials } = await doneWhileHeld();
    await expect.poll(() => zebra.labels(), { timeout: 5000 }).toBeGreaterThan(0);
    await station.printers.refresh('tags');
    const known = (await job(id)).partsPrinted ?? 0;

    await zebra.disconnect('power');
    const out = zebra.labels(); // what came out before it went off (the label it was printing is lost)
    expect(known).toBeLessThanOrEqual(out);
    expect((await station.printers.refresh('tags')).state).toBe('offline');
    await zebra.reconnect();
    expect((await station.printers.refresh('tags')).state).toBe('ready'); // its memory is empty

    const after = await job(id);
    expect(after.state).toBe('needs-attention');
    expect(after.partsPrinted).toBe(known);
    expect(after.attention).toMatch(/^The station lost sight of Tag printer \(.*refused.*\) while it still had labels of this job in its memory, not printed yet; when it answered again, they were no longer there\./);
    expect(after.attention).toContain(`Of these, labels ${known + 1} to 8 (serials ${serials[known]} to ${serials[7]}) had not come out yet`);
    expect(after.attention).toMatch(/They came out while the station could not see the printer, or they were lost if it was switched off: look at the last tag that came out\. If it is label 8, mark the job printed; otherwise scan it to resume right after it\.$/);
    expect(after.resume?.map((r) => r.from)).toEqual([known + 1]);

    // Nothing is printed again by itself; the operator scans the last tag that came out and the rest prints once.
    await new Promise((r) => setTimeout(r, 300));
    expect(zebra.labels()).toBe(out);
    const last = serialsOut().at(-1)!;
    const resumed = await post(`/api/v1/jobs/${id}/resume`, { afterSerial: last });
    expect(resumed.status, await resumed.clone().text()).toBe(201);
    zebra.msPerLabel = 0;
    await expect.poll(() => zebra.labels(), { timeout: 10_000 }).toBe(8);
    expect(serialsOut()).toEqual(serials);
  });

  it('is found the same way when the next job is what reaches the printer first', async () => {
    zebra.msPerLabel = 2000;
    const first = await doneWhileHeld();
    await station.printers.refresh('tags');
    const known = (await job(first.id)).partsPrinted ?? 0;

    await zebra.disconnect('power');
    // Asked for while the printer is off: it waits for the printer, then prints once it answers.
    const res = await post('/api/v1/jobs', { kind: 'labels', printer: 'tags', workOrder: 'WO-24005', line: 20, template: 'hose-tag', quantity: 1 });
    expect(res.status).toBe(201);
    const next = (await res.json()) as { id: string };
    await expect.poll(async () => (await job(next.id)).state, { timeout: 10_000 }).toBe('queued');
    zebra.msPerLabel = 0;
    await zebra.reconnect();
    await expect.poll(async () => (await job(next.id)).state, { timeout: 15_000 }).toBe('done');

    const after = await job(first.id);
    expect(after.state).toBe('needs-attention');
    expect(after.partsPrinted).toBe(known);
    expect(after.attention).toContain(`labels ${known + 1} to 8`);
  });
});

describe('a printer out of reach for a while that kept what it held', () => {
  it('is followed on: the labels it prints once it can are counted, and nothing needs a look', async () => {
    zebra.msPerLabel = 50;
    zebra.paperLeft = 2; // out of labels after two: the other six wait in its memory
    const { id } = await doneWhileHeld();
    await expect.poll(async () => (await station.printers.refresh('tags')).state, { timeout: 5000 }).toBe('no-media');
    expect((await job(id)).partsPrinted).toBe(2);

    await zebra.disconnect('cable');
    expect((await station.printers.refresh('tags')).state).toBe('offline');
    await zebra.reconnect();
    expect((await station.printers.refresh('tags')).state).toBe('no-media'); // still holding the six

    zebra.state = 'ready'; // labels loaded
    await expect.poll(() => zebra.labels(), { timeout: 5000 }).toBe(8);
    await expect
      .poll(
        async () => {
          await station.printers.refresh('tags');
          return (await job(id)).partsPrinted;
        },
        { timeout: 10_000 },
      )
      .toBe(8);
    const after = await job(id);
    expect(after.state).toBe('done');
    expect(after.attention).toBeUndefined();
  });
});

describe("the station's own looks at a printer that holds labels of a done job", () => {
  it('come every second, so a printer switched off and on between two looks at all printers is seen away', async () => {
    zebra.msPerLabel = 50;
    zebra.paperLeft = 2; // out of labels after two: the other six wait in its memory
    const { id } = await doneWhileHeld();
    // No one asks for the printer's state here: the station's own looks follow the labels.
    await expect.poll(async () => (await job(id)).partsPrinted, { timeout: 6000 }).toBe(2);
    // Right after one of those looks, switched off for 2 s (less than the 5 s between looks at every printer) and
    // on again with an empty memory; then labels are loaded.
    const asked = zebra.statusAnswers;
    await expect.poll(() => zebra.statusAnswers, { timeout: 6000 }).toBeGreaterThan(asked);
    await zebra.disconnect('power');
    await new Promise((r) => setTimeout(r, 2000));
    await zebra.reconnect();
    zebra.state = 'ready';

    await expect.poll(async () => (await job(id)).state, { timeout: 6000 }).toBe('needs-attention');
    const after = await job(id);
    expect(after.partsPrinted).toBe(2);
    // The choice says what to look for, not why: the station's last look may be a moment old.
    expect(after.resume).toEqual([{ from: 3, label: 'Resume from 3', when: 'label 2 is the last that came out' }]);
    expect(zebra.labels()).toBe(2);
  });
});
