// The kiosk in Chromium while a printer has a job and waits for a person: an IPP laser out of paper (ippeveprinter,
// whose print command reports it as a CUPS backend does). The operator reads why nothing comes out, without opening
// anything, and the job ends done once paper is loaded: nobody is asked to check labels that simply had not printed yet.
// And while a CUPS queue shared with the office prints its jobs first: the job says it waits its turn, not that
// anything needs doing. And a Zebra that runs out of labels partway: it confirmed the job's labels and holds the rest
// in its memory, so the line says how many are still in the printer, not that all were printed, until they come out.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import { startCupsQueue, type CupsQueueDouble } from '../doubles/cups-queue.js';
import { startIppPrinter, type IppPrinterDouble } from '../doubles/ipp-printer.js';
import { startZebraPrinter, type ZebraDouble } from '../doubles/zebra-printer.js';
import { launchBrowser } from '../helpers/browser.js';
import { asKiosk, demoStation } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
let station: RunningStation;
let laser: IppPrinterDouble;
let office: CupsQueueDouble;
let zebra: ZebraDouble;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  laser = await startIppPrinter({ paperOut: true });
  office = await startCupsQueue({ printSeconds: 0.2 });
  zebra = await startZebraPrinter();
  zebra.msPerLabel = 20;
  station = await demoStation(dir, (c) => {
    c.printers = [
      { id: 'tags', name: 'Tag printer', driver: 'zpl', uri: zebra.uri, dpmm: 8, media: { widthMm: 76, heightMm: 25 } },
      { id: 'laser', name: 'Office laser', driver: 'ipp', uri: laser.uri, dpmm: 12, options: { pollMs: 100, jobTimeoutMs: 1000 } },
      { id: 'office', name: 'Office printer', driver: 'ipp', uri: office.uri, dpmm: 12, options: { pollMs: 100, jobTimeoutMs: 1000 } },
    ];
  });
  await station.sync.syncOnce();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1024, height: 600 } });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await station?.stop();
  await laser?.close();
  await office?.close();
  await zebra?.close();
});

describe('a printer that has the job and waits for paper', () => {
  it('says so on the jobs panel, and the job is done once paper is loaded', async () => {
    await page.goto(`${station.url}/kiosk`);
    const kiosk = await asKiosk(station.app);
    const res = await kiosk('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'document', printer: 'laser', workOrder: 'WO-24005', document: 'datasheet' }) });
    expect(res.status).toBe(201);
    const toggle = page.locator('#jobs-toggle');
    await expect.poll(() => toggle.textContent(), { timeout: 10_000 }).toMatch(/^Jobs · 1 printing · Office laser: out of paper \(media-empty-warning\)/);
    await toggle.click();
    const card = page.locator('#jobs .job.s-printing');
    expect(await card.locator('.waiting').textContent()).toBe('Office laser: out of paper (media-empty-warning): the printer has this job and prints it once that is put right.');
    // Longer than the printer's jobTimeoutMs: still printing, no job asks for attention.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await page.locator('#jobs .job.attention').count()).toBe(0);
    laser.loadPaper();
    await expect.poll(() => page.locator('#jobs .job.s-done').count(), { timeout: 10_000 }).toBe(1);
    expect(await page.locator('#jobs .waiting').count()).toBe(0);
    expect(laser.jobFiles()).toHaveLength(1);
  });
});

describe('a printer shared with the office, busy with its jobs', () => {
  it('says the job waits its turn behind them, asks nothing of anyone, and is done once printed', async () => {
    await page.goto(`${station.url}/kiosk`);
    // A 3-second report from the office's PC, then the bench's datasheet.
    office.submitElsewhere('quarterly report', 3);
    const kiosk = await asKiosk(station.app);
    const res = await kiosk('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'document', printer: 'office', workOrder: 'WO-24005', document: 'datasheet' }) });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const toggle = page.locator('#jobs-toggle');
    await expect.poll(() => toggle.textContent(), { timeout: 10_000 }).toMatch(/^Jobs · 1 printing · Office printer: 1 other job ahead of this one/);
    const card = page.locator(`#jobs .job[data-job="${id}"]`);
    if (!(await card.isVisible())) await toggle.click();
    expect(await card.locator('.waiting').textContent()).toBe('Office printer: 1 other job ahead of this one; the printer has this job and prints it after them.');
    // Longer than the printer's jobTimeoutMs: still printing, nothing in doubt.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await page.locator('#jobs .job.attention').count()).toBe(0);
    await expect.poll(() => card.getAttribute('class'), { timeout: 10_000 }).toMatch(/s-done/);
    expect(await card.locator('.waiting').count()).toBe(0);
    expect(office.printed()).toEqual(['quarterly report', expect.stringMatching(/datasheet/i)]);
  });
});

describe('a Zebra that runs out of labels partway through a line\'s tags', () => {
  it('shows the tags it holds as in the printer, not printed, until they come out', async () => {
    zebra.paperLeft = 2;
    await page.goto(`${station.url}/kiosk/wo/WO-24005`);
    const actions = page.locator('.actions[data-line="40"]');
    await actions.locator('button[data-action="labels"]').click();
    const strip = page.locator('[data-line-tags="40"]');
    await expect.poll(() => strip.textContent(), { timeout: 10_000 }).toMatch(/^Tags: 2 of 4 printed, 2 in the printer, not out yet · /);
    expect(await strip.getAttribute('class')).toContain('t-queued');
    expect(zebra.state).toBe('paper-out');
    expect(zebra.labels()).toBe(2);
    // The job is done (the printer confirmed every label), and its card says where they are.
    const toggle = page.locator('#jobs-toggle');
    if (!(await page.locator('#jobs .job').first().isVisible())) await toggle.click();
    expect(await page.locator('#jobs .job.s-done .progress').first().textContent()).toBe('4 of 4 · 2 printed, 2 in the printer');
    // Labels loaded: they come out, and the line says so without a reload.
    zebra.state = 'ready';
    await expect.poll(() => strip.textContent(), { timeout: 10_000 }).toMatch(/^Tags: 4 printed · /);
    expect(await strip.getAttribute('class')).toContain('t-printed');
    expect(zebra.labels()).toBe(4);
  });
});
