// A PDF job the station stopped following while a real IPP printer (ippeveprinter) still had it: printing it again is
// refused while the printer says it holds jobs it has not finished, and allowed once it has. One the printer has and
// waits for paper to print needs nobody's attention: it says why it waits, and is done once printed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import { startIppPrinter, type IppPrinterDouble } from '../doubles/ipp-printer.js';
import { asKiosk, demoStation } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
let station: RunningStation;
let laser: IppPrinterDouble;
let tray: IppPrinterDouble;
let kiosk: Awaited<ReturnType<typeof asKiosk>>;

beforeAll(async () => {
  laser = await startIppPrinter({ printSeconds: 4 });
  tray = await startIppPrinter({ paperOut: true });
  station = await demoStation(dir, (c) => {
    c.printers = [
      { id: 'laser', name: 'Office laser', driver: 'ipp', uri: laser.uri, dpmm: 12, options: { pollMs: 100, jobTimeoutMs: 1000 } },
      { id: 'tray', name: 'Back office laser', driver: 'ipp', uri: tray.uri, dpmm: 12, options: { pollMs: 100, jobTimeoutMs: 1000 } },
    ];
  });
  await station.sync.syncOnce();
  kiosk = await asKiosk(station.app);
});
afterAll(async () => {
  await station.stop();
  await laser.close();
  await tray.close();
});

const post = (path: string, body: unknown) => kiosk(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

describe('a job the printer still has', () => {
  it('is not printed again until the printer has finished it', async () => {
    const res = await post('/api/v1/jobs', { kind: 'labels', printer: 'laser', workOrder: 'WO-24005', line: 10, template: 'hose-tag', quantity: 3 });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    await expect.poll(() => station.queue.get(id).state, { timeout: 10_000 }).toBe('needs-attention');
    expect(station.queue.get(id).attention).toMatch(/did not finish within 1000 ms; the printer still has it \(processing, job-printing\) and may print it yet\./);
    const early = await post(`/api/v1/jobs/${id}/reprint`, { from: 1 });
    expect(early.status).toBe(409);
    expect(((await early.json()) as { error: { message: string } }).error.message).toMatch(/^Office laser still holds 1 job it has not finished, which may be this job's/);
    expect(station.queue.get(id).state).toBe('needs-attention');
    // The printer finishes it: the operator sees the labels and may choose.
    await expect.poll(() => laser.jobFiles().length, { timeout: 10_000 }).toBe(1);
    await expect.poll(async () => (await station.printers.refresh('laser')).jobsWaiting, { timeout: 10_000 }).toBeUndefined();
    expect((await post(`/api/v1/jobs/${id}/confirm`, {})).status).toBe(200);
    expect(station.queue.get(id).state).toBe('done');
  });
});

describe('a job the printer has and waits for paper to print', () => {
  it('says so while it waits, however long, and is done once printed', async () => {
    const res = await post('/api/v1/jobs', { kind: 'labels', printer: 'tray', workOrder: 'WO-24005', line: 10, template: 'hose-tag', quantity: 2 });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    await expect.poll(() => station.queue.get(id).waitingReason, { timeout: 10_000 }).toBe('Back office laser: out of paper (media-empty-warning)');
    // Past the printer's jobTimeoutMs (1 s): still printing, nobody asked to check labels that have not printed yet.
    await new Promise((r) => setTimeout(r, 2000));
    expect(station.queue.get(id)).toMatchObject({ state: 'printing', waitingReason: 'Back office laser: out of paper (media-empty-warning)' });
    const listed = (await (await kiosk('/api/v1/jobs')).json()) as { items: Array<{ id: string; waitingReason?: string }> };
    expect(listed.items.find((j) => j.id === id)?.waitingReason).toBe('Back office laser: out of paper (media-empty-warning)');
    tray.loadPaper();
    await expect.poll(() => station.queue.get(id).state, { timeout: 10_000 }).toBe('done');
    expect(station.queue.get(id).waitingReason).toBeUndefined();
    expect(tray.jobFiles()).toHaveLength(1);
  });
});
