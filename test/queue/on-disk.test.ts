// What the station must not lose to a power cut reaches the disk first: a job is on disk before the client hears it is
// queued, and the record of each group of labels leaving (the first with the job's claim) before the group leaves.
// Each wait here is the store's real sync of its log, held open by the test to look at the printer meanwhile.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import { startZebraPrinter, type ZebraDouble } from '../doubles/zebra-printer.js';
import { asKiosk, demoStation } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
let station: RunningStation;
let zebra: ZebraDouble;
let kiosk: Awaited<ReturnType<typeof asKiosk>>;
/** Each wait for the disk, with what the printer had received and the job's record of labels sent at that moment. */
const waits: Array<{ formats: number; recordedSent: number | undefined; state: string | undefined; files: number; go: () => void }> = [];
let watched: string | undefined;

const formats = () => (zebra.received().toString('latin1').match(/\^XA/g) ?? []).length;
/** Documents in the hot folder, as a program watching it sees them (not the station's hidden temp files). */
const files = () => (existsSync(join(dir, 'sheets')) ? readdirSync(join(dir, 'sheets')).filter((f) => !f.startsWith('.')).length : 0);

beforeAll(async () => {
  zebra = await startZebraPrinter();
  station = await demoStation(dir, (c) => {
    c.printers = [
      { id: 'tags', name: 'Tag printer', driver: 'zpl', uri: zebra.uri, dpmm: 8, options: { confirmEvery: 5 } },
      { id: 'sheets', name: 'Office PDF', driver: 'folder', uri: `file://${dir}/sheets`, dpmm: 8, options: { formats: ['pdf'], create: true } },
    ];
  });
  await station.sync.syncOnce();
  kiosk = await asKiosk(station.app);
  const synced = station.jobs.durable.bind(station.jobs);
  station.jobs.durable = async () => {
    await synced();
    const job = watched ? station.jobs.get(watched) : undefined;
    await new Promise<void>((go) => waits.push({ formats: formats(), recordedSent: job?.partsSent, state: job?.state, files: files(), go }));
  };
});
afterAll(async () => {
  for (const w of waits) w.go();
  await station.stop();
  await zebra.close();
});

/** The next wait for the disk, released after looking at it. */
async function nextWait() {
  await expect.poll(() => waits.length, { timeout: 10_000 }).toBeGreaterThan(0);
  await new Promise((r) => setTimeout(r, 50)); // nothing may leave meanwhile
  const w = waits.shift()!;
  const seen = { formats: w.formats, now: formats(), recordedSent: w.recordedSent, state: w.state, files: w.files, filesNow: files() };
  w.go();
  return seen;
}

describe('before a power cut could lose it', () => {
  it('the job, then each group of labels leaving, is on disk before the client or the printer hears of it', async () => {
    station.queue.pause('tags'); // the job waits: its claim comes later, on its own
    let answered = false;
    const response = kiosk('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'labels', printer: 'tags', workOrder: 'WO-24005', line: 10, template: 'hose-tag', quantity: 12 }) }).then((r) => ((answered = true), r));
    // The job is committed: the client waits for the disk.
    await expect.poll(() => waits.length, { timeout: 10_000 }).toBe(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).toBe(false);
    waits.shift()!.go();
    const res = await response;
    expect(res.status).toBe(201);
    watched = ((await res.json()) as { id: string }).id;
    station.queue.resume('tags');
    // Each group: recorded as leaving, on disk (the first with the job's claim), and only then sent (5, 5 and 2
    // labels, each confirmed before the next).
    expect(await nextWait()).toMatchObject({ formats: 0, now: 0, recordedSent: 5 });
    expect(await nextWait()).toMatchObject({ formats: 5, now: 5, recordedSent: 10 });
    expect(await nextWait()).toMatchObject({ formats: 10, now: 10, recordedSent: 12 });
    await expect.poll(() => station.queue.get(watched!).state, { timeout: 10_000 }).toBe('done');
    expect(formats()).toBe(12);
    expect(waits).toHaveLength(0);
  });

  it('a document for a hot folder is taken for printing on disk before its file appears', async () => {
    station.queue.pause('sheets');
    const res = kiosk('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'document', printer: 'sheets', workOrder: 'WO-24005', document: 'datasheet' }) });
    await expect.poll(() => waits.length, { timeout: 10_000 }).toBe(1);
    waits.shift()!.go(); // the job, before the client hears of it
    watched = ((await (await res).json()) as { id: string }).id;
    station.queue.resume('sheets');
    expect(await nextWait()).toMatchObject({ state: 'printing', files: 0, filesNow: 0 });
    await expect.poll(() => station.queue.get(watched!).state, { timeout: 10_000 }).toBe('done');
    expect(files()).toBe(1);
  });
});
