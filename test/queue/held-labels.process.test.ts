// A job is done once the printer confirmed its labels, but a Zebra may still hold some of them, unprinted. If the
// station stops then, it cannot tell at its next start whether the printer kept its power (they came out) or lost it
// with the station (they are lost). A stop follows them out first; after a crash the job asks for a look instead of
// showing "done" with labels that may never have printed. The real station process and a Zebra-like double.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startZebraPrinter, type ZebraDouble } from '../doubles/zebra-printer.js';
import { runStation, stationConfig, type Child } from '../helpers/child.js';
import { tempDir } from '../helpers/temp.js';

const TOKEN = 'held-labels-token-0123456789abcdef';
let zebra: ZebraDouble;
let child: Child | undefined;
beforeEach(async () => {
  zebra = await startZebraPrinter();
});
afterEach(async () => {
  child?.proc.kill('SIGKILL');
  await child?.exit();
  child = undefined;
  await zebra.close();
});

async function boot(dir: string): Promise<string> {
  const config = stationConfig(dir, TOKEN, ['read', 'print'], [{ id: 'tags', name: 'Tag printer', driver: 'zpl', uri: zebra.uri }]);
  child = runStation([], { BENCHPRINT_CONFIG: config });
  const ready = await child.waitFor((l) => String(l.msg).startsWith('benchprint ready'), 30_000);
  return (ready.kiosk as string[])[0]!.replace('/kiosk', '');
}

const call = async (url: string, path: string, body?: unknown) => {
  const res = await fetch(`${url}${path}`, { method: body ? 'POST' : 'GET', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: (await res.json()) as any };
};

/** An 8-tag job, done (every label confirmed) while the printer still has most of them to print. */
async function doneWithLabelsInThePrinter(url: string, msPerLabel: number): Promise<{ id: string; serials: string[] }> {
  await child!.waitFor((l) => l.msg === 'sync done');
  zebra.msPerLabel = msPerLabel;
  const { status, body } = await call(url, '/api/v1/jobs', { kind: 'labels', printer: 'tags', workOrder: 'WO-24005', line: 10, template: 'hose-tag', quantity: 8 });
  expect(status).toBe(201);
  await expect.poll(async () => (await call(url, `/api/v1/jobs/${body.id}`)).body.state, { timeout: 10_000 }).toBe('done');
  expect(zebra.buffered()).toBeGreaterThan(4);
  return body;
}

describe('labels still in the printer when the station stops', () => {
  it('after a crash, the done job asks for a look, and is not printed again while the printer holds its labels', async () => {
    const dir = tempDir();
    let url = await boot(dir);
    const job = await doneWithLabelsInThePrinter(url, 1500);
    child!.proc.kill('SIGKILL');
    await child!.exit();
    url = await boot(dir);
    const after = (await call(url, `/api/v1/jobs/${job.id}`)).body;
    expect(after.state).toBe('needs-attention');
    expect(after.attention).toMatch(/^When the station stopped, the printer still had labels of this job in its memory, not printed yet\. Labels 1 to 8 .* were confirmed by the printer\. Of these, labels \d to 8 .* had not come out yet: they were in the printer's memory\. If the printer kept its power, they print by themselves once it is ready; when they are out, mark the job printed\. If it was switched off, they are lost/);
    // This printer kept its power: what it holds comes out, and nothing is printed again meanwhile.
    const early = await call(url, `/api/v1/jobs/${job.id}/reprint`, { from: 8 });
    expect(early.status).toBe(409);
    await expect.poll(() => zebra.labels(), { timeout: 20_000 }).toBe(8);
    expect((await call(url, `/api/v1/jobs/${job.id}/confirm`, {})).status).toBe(200);
    expect((await call(url, `/api/v1/jobs/${job.id}`)).body.state).toBe('done');
    expect(zebra.labels()).toBe(8);
  });

  it('a stop follows them out first: the job is done, all printed, and stays done after the next start', async () => {
    const dir = tempDir();
    let url = await boot(dir);
    // 8 labels at 0.8 s: out within the stop's 10 s grace.
    const job = await doneWithLabelsInThePrinter(url, 800);
    child!.proc.kill('SIGTERM');
    await child!.waitFor((l) => String(l.msg).includes('stopped cleanly'), 20_000);
    await child!.exit();
    expect(zebra.labels()).toBe(8);
    url = await boot(dir);
    expect((await call(url, `/api/v1/jobs/${job.id}`)).body).toMatchObject({ state: 'done', partsConfirmed: 8, partsPrinted: 8 });
  });
});
