// The kiosk in Chromium with a touchscreen: gloved double and triple taps print once, on a slow network too; printing
// the same again is asked for; at the bench's screen sizes nothing fixed covers a button; jobs have names people use.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import { startTcpPrinter, type ZebraDouble } from '../doubles/tcp-printer.js';
import { answerQuestions, launchBrowser } from '../helpers/browser.js';
import { asKiosk, demoStation } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
let station: RunningStation;
let zebra: ZebraDouble;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const dialogs: string[] = [];
let acceptDialogs = false;

beforeAll(async () => {
  zebra = await startTcpPrinter('zpl');
  station = await demoStation(dir, (c) => {
    c.printers = [
      { id: 'tags', name: 'Zebra tags', driver: 'zpl', uri: zebra.uri, dpmm: 8, options: { connectTimeoutMs: 500, statusTimeoutMs: 500 } },
      { id: 'office', name: 'Office PDF', driver: 'folder', uri: `file://${dir}/office`, dpmm: 8, options: { formats: ['pdf', 'file'], create: true } },
    ];
  });
  await station.sync.syncOnce();
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1024, height: 600 }, hasTouch: true });
  page = await context.newPage();
  answerQuestions(page, () => acceptDialogs, dialogs);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await station?.stop();
  await zebra?.close();
});

/** Hoses of WO-24005's lines. */
const HOSES: Record<number, number> = { 30: 24, 40: 4, 50: 2, 60: 12, 70: 24, 80: 4, 90: 2, 100: 24 };
const tagJobs = (line: number) => station.jobs.list({ workOrder: 'WO-24005', limit: 500 }).filter((j) => j.kind === 'labels' && j.lineNumber === line && !j.isReprint);

/**
 * Taps a line's Print tags button `times` times, `gapMs` apart, with a finger (touch events, not a mouse). Each case
 * takes a line without tags: once a line has them, a tap asks before printing more (see printed-lines).
 */
async function tapPrint(lineNumber: number, quantity: number, times: number, gapMs: number): Promise<void> {
  const line = page.locator(`#line-${lineNumber}`);
  await line.locator('.qty').fill(String(quantity));
  const button = line.locator('button[data-action="labels"]');
  await button.scrollIntoViewIfNeeded();
  const box = (await button.boundingBox())!;
  for (let i = 0; i < times; i++) {
    if (i) await new Promise((r) => setTimeout(r, gapMs));
    await page.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
  }
}

async function settled(lineNumber: number): Promise<void> {
  await new Promise((r) => setTimeout(r, 1200)); // any late tap has reached the station by now
  await station.queue.runUntilIdle();
  await expect.poll(() => page.locator(`#line-${lineNumber} button[data-action="labels"]`).textContent(), { timeout: 10_000 }).toBe('Print tags');
}

describe('one press, one job', () => {
  beforeAll(async () => {
    await page.goto(`${station.url}/kiosk/wo/WO-24005`);
  });

  it.each([
    [2, 30, 30],
    [2, 150, 40],
    [2, 400, 50],
    [3, 30, 60],
    [3, 150, 70],
    [3, 400, 80],
  ])('%i taps %i ms apart print once, with one serial batch (line %i)', async (times, gap, lineNumber) => {
    // The line's hoses (more would be asked about first).
    const quantity = HOSES[lineNumber]!;
    const labels = zebra.labels();
    await tapPrint(lineNumber, quantity, times, gap);
    await settled(lineNumber);
    const jobs = tagJobs(lineNumber);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.partsTotal).toBe(quantity);
    expect(new Set(jobs.map((j) => j.batchId)).size).toBe(1);
    await expect.poll(() => zebra.labels() - labels).toBe(quantity);
    expect(dialogs).toEqual([]);
  });

  it('taps during a slow network (800 ms each way) print once', async () => {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 800, downloadThroughput: -1, uploadThroughput: -1 });
    try {
      await tapPrint(90, 2, 3, 150);
      await new Promise((r) => setTimeout(r, 400));
      await tapPrint(90, 2, 1, 0); // and once more while the first is still on its way
      await new Promise((r) => setTimeout(r, 3000));
      await station.queue.runUntilIdle();
      expect(tagJobs(90)).toHaveLength(1);
    } finally {
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    }
    await settled(90);
    expect(dialogs).toEqual([]);
  });

  it('pressing again for the same tags moments later asks first, and prints again only when told to', async () => {
    // The whole line (24 hoses): pressing again can only be a second set. (Part of a line offers the rest, numbered on.)
    await tapPrint(100, 24, 1, 0);
    await settled(100);
    await tapPrint(100, 24, 1, 0);
    await expect.poll(() => dialogs.length).toBe(1);
    expect(dialogs[0]).toMatch(/^Line 100 has tags already: 24 printed · .*\n\nPrint 24 more, with new serial numbers\?/);
    expect(tagJobs(100)).toHaveLength(1); // dismissed: nothing more
    acceptDialogs = true;
    await settled(100);
    await tapPrint(100, 24, 1, 0);
    await expect.poll(() => dialogs.length).toBe(2); // asked once, not again by the station's "moments ago"
    await settled(100);
    expect(tagJobs(100)).toHaveLength(2);
    acceptDialogs = false;
    dialogs.length = 0;
  });

  it("a datasheet pressed again moments later asks the station's question first", async () => {
    const datasheets = () => station.jobs.list({ workOrder: 'WO-24005', limit: 500 }).filter((j) => j.kind === 'document' && j.lineNumber === 110);
    const button = page.locator('#line-110 button[data-document="assembly-datasheet"]');
    await button.click();
    await expect.poll(() => datasheets().length).toBe(1);
    await station.queue.runUntilIdle();
    await expect.poll(() => button.textContent(), { timeout: 10_000 }).toBe('Datasheet');
    await button.click();
    await expect.poll(() => dialogs.length).toBe(1);
    expect(dialogs[0]).toMatch(/^Datasheet HA-.* was asked for at .*\.\n\nPrint it again\?$/);
    await new Promise((r) => setTimeout(r, 500));
    expect(datasheets()).toHaveLength(1); // dismissed: nothing more
    dialogs.length = 0;
  });
});

describe('the kiosk at the bench screen sizes', () => {
  it('names jobs the way people do', async () => {
    await page.goto(`${station.url}/kiosk/wo/WO-24001`);
    await page.locator('.woactions button[data-document="datasheet"]').click();
    // No receipt printer here: the traveler goes to the office folder as a file.
    const kiosk = await asKiosk(station.app);
    const ask = (body: object) => kiosk('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await ask({ kind: 'document', printer: 'office', workOrder: 'WO-24001', document: 'traveler' });
    await ask({ kind: 'labels', printer: 'tags', workOrder: 'WO-24005', line: 10, template: 'hose-tag', quantity: 4 });
    await expect.poll(() => station.jobs.list({ workOrder: 'WO-24001', limit: 10 }).length).toBeGreaterThanOrEqual(2);
    await station.queue.runUntilIdle();
    await page.goto(`${station.url}/kiosk/history`);
    const text = await page.locator('main').textContent();
    expect(text).toContain('Traveler for WO-24001');
    expect(text).toContain('Datasheet WO-24001');
    expect(text).toMatch(/\d+ tags for WO-24005 line 10 \(HA-\d+[^)]*\), Hose tag 76 x 25 mm/);
    expect(text).not.toMatch(/\.bin|workorder-datasheet/);
  });

  it.each([
    [1024, 600],
    [1280, 800],
    [800, 480], // a Raspberry Pi's 7-inch touchscreen at the bench
  ])('at %ix%i no fixed element covers a button, the search says what it finds in full, and nothing is missing', async (width, height) => {
    // A job that needs attention opens the jobs panel at its largest.
    zebra.mode = 'cut';
    zebra.cutAfterFormats = 2;
    const view = await context.newPage();
    await view.setViewportSize({ width, height });
    const failed: string[] = [];
    view.on('response', (r) => r.status() >= 400 && failed.push(`${r.status()} ${r.url()}`));
    // A dialog here is a mistake of the test, said as one: left open, it blocks the next navigation until the timeout.
    view.on('dialog', (d) => {
      failed.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    try {
      await view.goto(`${station.url}/kiosk/wo/WO-24005`);
      // Not the line of the other screen size a moment ago: it has its tags then, and a press asks first.
      const line = width === 1024 ? '#line-120' : width === 1280 ? '#line-130' : '#line-110';
      await view.locator(`${line} .qty`).fill('4');
      await view.locator(`${line} button[data-action="labels"]`).click();
      expect(await view.locator('#ask').count()).toBe(0); // a fresh line: nothing to ask
      await expect.poll(() => view.locator('#jobs .attention').count(), { timeout: 10_000 }).toBeGreaterThan(0);
      zebra.mode = 'normal';
      for (const path of ['/kiosk', '/kiosk/wo/WO-24005', '/kiosk/history']) {
        await view.goto(`${station.url}${path}`);
        await expect.poll(() => view.locator('#jobs .attention').count(), { timeout: 5000 }).toBeGreaterThan(0);
        const covered = await view.evaluate(() => {
          const doc = (globalThis as any).document;
          const out: string[] = [];
          for (const el of doc.querySelectorAll('main button, main a.button, main a.big, header button, header a.button')) {
            el.scrollIntoView({ block: 'nearest' });
            const r = el.getBoundingClientRect();
            if (r.width === 0) continue;
            const hit = doc.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            if (!hit || !(el === hit || el.contains(hit))) out.push(`${el.textContent.trim().slice(0, 30)} under ${hit?.id || hit?.className || hit?.tagName}`);
          }
          return out;
        });
        expect(covered, `${path} at ${width}x${height}`).toEqual([]);
      }
      await view.goto(`${station.url}/kiosk`);
      const clipped = await view.evaluate(() => {
        const input = (globalThis as any).document.querySelector('form.search input');
        const style = (globalThis as any).getComputedStyle(input);
        const ctx = (globalThis as any).document.createElement('canvas').getContext('2d');
        ctx.font = `${style.fontSize} ${style.fontFamily}`;
        return ctx.measureText(input.placeholder).width > input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      });
      expect(clipped).toBe(false);
      expect(failed).toEqual([]);
    } finally {
      zebra.mode = 'normal';
      await view.close();
    }
  });
});
