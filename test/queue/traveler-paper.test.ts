// A traveler whose receipt printer runs out of paper partway: the printer keeps the rest in its memory and prints it
// once a new roll is in, then answers the GS r sent after it. So the job waits with it, saying why, however long,
// and is done once printed: nobody is asked to check (or reprint, doubling it) a traveler that had simply not finished.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import { startEscPosPrinter, type EscPosDouble } from '../doubles/escpos-printer.js';
import { asKiosk, demoStation } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
let station: RunningStation;
let receipt: EscPosDouble;
let kiosk: Awaited<ReturnType<typeof asKiosk>>;

beforeAll(async () => {
  receipt = await startEscPosPrinter();
  station = await demoStation(dir, (c) => {
    c.printers = [{ id: 'receipt', name: 'Traveler printer', driver: 'escpos', uri: receipt.uri, options: { printTimeoutMs: 1000 } }];
  });
  await station.sync.syncOnce();
  kiosk = await asKiosk(station.app);
});
afterAll(async () => {
  await station?.stop();
  await receipt?.close();
});

describe('a traveler the printer runs out of paper for', () => {
  it('waits with the printer, saying so, past the time limit, and is done once a new roll is in', async () => {
    receipt.bytesPerMs = 2;
    receipt.paperLeft = 300;
    const res = await kiosk('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'document', printer: 'receipt', workOrder: 'WO-24005', document: 'traveler' }) });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    await expect.poll(() => station.queue.get(id).waitingReason, { timeout: 10_000 }).toBe('Traveler printer: out of paper');
    expect(station.printers.view(station.printers.get('receipt'))).toMatchObject({ state: 'no-media', detail: 'out of paper' });
    // Twice the printer's time limit for a traveler: still printing, nothing in doubt.
    await new Promise((r) => setTimeout(r, 2000));
    expect(station.queue.get(id)).toMatchObject({ state: 'printing', waitingReason: 'Traveler printer: out of paper' });
    expect(receipt.received().length).toBe(300);
    // The new roll prints the rest at the printer's full speed: the rest of a traveler prints within the time limit of
    // a whole one. At 2 bytes a ms the rest would take 1.6 s against a 1 s limit, and the job would rightly be in doubt
    // or not depending on when the station happened to ask the printer.
    receipt.bytesPerMs = 64;
    receipt.loadPaper();
    await expect.poll(() => station.queue.get(id).state, { timeout: 10_000 }).toBe('done');
    expect(station.queue.get(id).waitingReason).toBeUndefined();
    expect(receipt.waiting()).toBe(0);
    expect(receipt.jobs).toHaveLength(1);
    expect(receipt.received().toString('latin1')).toContain('WO-24005');
  });
});
