// Printers set up from the bench in Chromium: a Zebra found by scanning a subnet is added, test printed, moved to
// another port and printed again, calibrated and darkened; disabled while a job waits, the job says why, and prints
// once the printer is enabled. Nothing restarts.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import { startZebraPrinter, type ZebraDouble } from '../doubles/zebra-printer.js';
import { launchBrowser } from '../helpers/browser.js';
import { asKiosk, demoStation } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

// A loopback address of its own, with a printer on the usual port 9100 and a second one on 9102 (as if it moved).
const HOST = '127.0.0.78';
let station: RunningStation;
let first: ZebraDouble;
let moved: ZebraDouble;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const dialogs: Array<string | null> = [];

beforeAll(async () => {
  first = await startZebraPrinter(9100, HOST);
  moved = await startZebraPrinter(9102, HOST);
  station = await demoStation(tempDir());
  await station.sync.syncOnce();
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: true })).newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // Prompts (a reason, a darkness) are answered from this list, in order.
  page.on('dialog', (d) => {
    const answer = dialogs.shift();
    void (answer === null ? d.dismiss() : d.accept(answer ?? undefined));
  });
  await page.goto(`${station.url}/kiosk/admin/printers`);
  await page.fill('#pin', '0000');
  await page.press('#pin', 'Enter');
  await page.waitForSelector('#p-list tbody tr');
}, 60_000);
afterAll(async () => {
  expect(pageErrors).toEqual([]);
  await browser?.close();
  await station?.stop();
  await first?.close();
  await moved?.close();
});

const status = () => page.textContent('#p-status');
const row = (id: string) => page.locator(`#p-list tr[data-printer="${id}"]`);

describe('printers set up from the bench', () => {
  it('adds the Zebra a subnet scan finds, prints a test page on it, moves it to another port and prints again', async () => {
    await page.fill('#p-subnet', '127.0.0.64/27');
    await page.tap('#p-scan button');
    const found = page.locator('#p-found tr', { hasText: 'ZD421-203dpi' });
    await found.waitFor({ timeout: 20_000 });
    expect(await found.textContent()).toMatch(/tcp:\/\/127\.0\.0\.78.*firmware V84\.20\.21Z.*203 dpi.*ready, label length 25\.0 mm/);
    expect(await page.textContent('#p-found h2')).toMatch(/127\.0\.0\.64\/27: 1 found/); // port 9100 only

    await found.locator('[data-found]').first().tap();
    expect(await page.inputValue('#f-uri')).toBe(`tcp://${HOST}`);
    expect(await page.inputValue('#f-driver')).toBe('zpl');
    await page.fill('#f-id', 'bench-zebra');
    await page.fill('#f-name', 'Bench Zebra');
    await page.tap('#f-save');
    await expect.poll(status).toMatch(/Bench Zebra: added/);
    expect(await row('bench-zebra').textContent()).toMatch(/added here/);
    // What each has loaded, and who says so.
    expect(await row('bench-zebra').textContent()).toContain('Loaded: not set (takes any label size)');
    expect(await row('tags').textContent()).toContain('Loaded: 76 × 25 mm (as set for it)');
    expect(station.printers.get('bench-zebra').entry.uri).toBe(`tcp://${HOST}`);

    await row('bench-zebra').locator('[data-do="test"]').tap();
    await expect.poll(status, { timeout: 20_000 }).toMatch(/Bench Zebra: test page printed/);
    expect(first.labels()).toBe(1);

    // Moved to port 9102: the same printer, its new address, applied at once.
    // And set to be for tags and labels only: said on its row, and kept in its entry.
    await row('bench-zebra').locator('[data-do="edit"]').tap();
    await page.fill('#f-uri', `tcp://${HOST}:9102`);
    await page.locator('#f-for input[value="labels"]').check();
    await page.tap('#f-save');
    await expect.poll(status).toMatch(/Bench Zebra: changed/);
    expect(station.printers.get('bench-zebra').entry.for).toEqual(['labels']);
    expect(await row('bench-zebra').textContent()).toContain('For: Tags and labels');
    await row('bench-zebra').locator('[data-do="test"]').tap();
    await expect.poll(status, { timeout: 20_000 }).toMatch(/Bench Zebra: test page printed/);
    expect(moved.labels()).toBe(1);
    expect(first.labels()).toBe(1);
    // Bad settings are refused, naming what is wrong, and nothing changes.
    await row('bench-zebra').locator('[data-do="edit"]').tap();
    await page.fill('#f-uri', 'http://printer');
    await page.tap('#f-save');
    await expect.poll(() => page.textContent('#f-error')).toMatch(/uri: driver zpl takes tcp: addresses, not http:/);
    await page.tap('#f-cancel');
    expect(station.printers.get('bench-zebra').entry.uri).toBe(`tcp://${HOST}:9102`);
  }, 90_000);

  it('calibrates the labels and sets darkness, saying what the printer reports', async () => {
    moved.mediaLengthDots = 240; // 30 mm labels loaded
    await row('bench-zebra').locator('[data-do="calibrate"]').tap();
    await expect.poll(status, { timeout: 20_000 }).toMatch(/Bench Zebra: The printer fed labels to measure them\. The printer says: ZD421-203dpi .*labels 30 mm long/);
    expect(moved.calibrations).toBe(1);
    dialogs.push('22');
    await row('bench-zebra').locator('[data-do="darkness"]').tap();
    await expect.poll(status, { timeout: 20_000 }).toMatch(/Darkness set to 22 and saved in the printer\. .*darkness 22/);
    expect(moved.darkness).toBe(22);
    expect(moved.saved).toBe(true);
    expect(moved.labels()).toBe(1); // setting up printed nothing
  }, 60_000);

  it('disabled while a job waits: the job waits saying so, and prints once the printer is enabled', async () => {
    moved.state = 'paper-out';
    const kiosk = await asKiosk(station.app);
    const res = await kiosk('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'labels', printer: 'bench-zebra', workOrder: 'WO-24005', line: 10, template: 'hose-tag', quantity: 3 }) });
    expect(res.status).toBe(201);
    const job = (await res.json()) as { id: string };
    await expect.poll(() => station.jobs.get(job.id)?.waitingReason, { timeout: 15_000 }).toMatch(/out of labels/);

    dialogs.push('new print head');
    await row('bench-zebra').locator('[data-do="disable"]').tap();
    await expect.poll(status).toMatch(/Bench Zebra is disabled/);
    moved.state = 'ready'; // the roll is in, but the printer stays disabled: nothing prints
    await expect.poll(() => station.jobs.get(job.id)?.waitingReason, { timeout: 15_000 }).toBe('Bench Zebra is disabled (new print head, by kiosk); it prints when enabled again');
    expect(station.jobs.get(job.id)?.state).toBe('queued');
    await new Promise((r) => setTimeout(r, 1000));
    expect(moved.labels()).toBe(1);
    // New jobs for it are refused, saying why.
    const refused = await kiosk('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'test', printer: 'bench-zebra' }) });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/Bench Zebra is disabled \(new print head, by kiosk\)/);
    expect(await row('bench-zebra').textContent()).toMatch(/disabled.*1 open job/);

    await row('bench-zebra').locator('[data-do="enable"]').tap();
    await expect.poll(status).toMatch(/Bench Zebra is enabled/);
    await expect.poll(() => station.jobs.get(job.id)?.state, { timeout: 20_000 }).toBe('done');
    expect(moved.labels()).toBe(4);
  }, 90_000);

  it('removes a printer only when it has no open jobs; a printer from the config file stays out', async () => {
    dialogs.push('');
    await row('receipt').locator('[data-do="remove"]').tap();
    await expect.poll(status).toMatch(/was removed/);
    expect(station.printers.has('receipt')).toBe(false);
    expect(station.printerAdmin.list().map((p) => p.id)).not.toContain('receipt');
  }, 30_000);
});
