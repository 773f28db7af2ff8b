// The kiosk in Chromium after a line's tags are printed: the line says so (live, without a reload), a second tap on
// its "Print tags" asks before printing new tags with new serials for the same hoses, "Print everything" becomes
// "Print the rest" and leaves that line out, and the list of work orders tells lines with tags from the rest.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import type { TcpPrinterDouble } from '../doubles/tcp-printer.js';
import { answerQuestions, kioskBench } from '../helpers/browser.js';
import { asKiosk } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
const WO = 'WO-24001'; // line 10: 2 hoses, line 20: 8
let station: RunningStation;
let zebra: TcpPrinterDouble;
let browser: Browser;
let page: Page;
const dialogs: string[] = [];
let answer: boolean | undefined = false;

let bench: Awaited<ReturnType<typeof kioskBench>>;
beforeAll(async () => {
  bench = await kioskBench(dir, (c) => (c.station.timeZone = 'UTC'));
  ({ zebra, station, browser, page } = bench);
  answerQuestions(page, () => answer, dialogs);
}, 60_000);
afterAll(() => bench?.close());

/** Tag jobs per line, the station's own record. */
const tagJobs = (line: number) => station.jobs.list({ workOrder: WO, limit: 100 }).filter((j) => j.kind === 'labels' && j.lineNumber === line);

describe('lines that have their tags, in Chromium', () => {
  it('shows a line its tags once they are printed, without a reload', async () => {
    await page.goto(`${station.url}/kiosk/wo/${WO}`);
    const strip = page.locator('[data-line-tags="10"]');
    expect(await strip.isHidden()).toBe(true);
    expect(await page.locator('.woactions button[data-action="everything"]').textContent()).toBe('Print everything');
    await page.locator('#line-10').getByRole('button', { name: 'Print tags' }).click();
    await expect.poll(() => zebra.labels(), { timeout: 10_000 }).toBe(2);
    await expect.poll(() => tagJobs(10)[0]?.state, { timeout: 10_000 }).toBe('done');
    const job = tagJobs(10)[0]!;
    await expect.poll(() => strip.textContent(), { timeout: 10_000 }).toBe(`Tags: 2 printed · ${job.finishedAt!.slice(5, 16).replace('T', ' ')} on Zebra tags`);
    expect(await strip.getAttribute('class')).toContain('t-printed');
    // The work order's button now prints what is left.
    await expect.poll(() => page.locator('.woactions button[data-action="everything"]').textContent()).toBe('Print the rest');
    expect(dialogs).toEqual([]);
  });

  it('asks before printing a line its tags again, and prints nothing when the answer is no', async () => {
    const button = page.locator('#line-10').getByRole('button', { name: 'Print tags' });
    await expect.poll(() => button.textContent()).toBe('Print tags'); // the last press's "Done" has gone
    answer = false;
    await button.click();
    await expect.poll(() => dialogs.length).toBe(1);
    expect(dialogs[0]).toMatch(/^Line 10 has tags already: 2 printed · .* on Zebra tags\.\n\nPrint 2 more, with new serial numbers\?\n\nTo replace a damaged tag, scan it instead/);
    await page.waitForTimeout(500);
    expect(tagJobs(10)).toHaveLength(1);
    expect(zebra.labels()).toBe(2);
    // The question is on the page, its buttons as big as the rest (gloves); taps on the button meanwhile do nothing.
    answer = undefined;
    await button.click();
    await expect.poll(() => dialogs.length).toBe(2);
    for (const choice of await page.locator('#ask button').all()) expect((await choice.boundingBox())!.height).toBeGreaterThanOrEqual(56);
    await button.dispatchEvent('click');
    await button.dispatchEvent('click');
    expect(await page.locator('#ask').count()).toBe(1);
    // Yes prints them, once, with serials of their own.
    answer = true;
    await expect.poll(() => zebra.labels(), { timeout: 10_000 }).toBe(4);
    await new Promise((r) => setTimeout(r, 500));
    expect(zebra.labels()).toBe(4);
    expect(dialogs).toHaveLength(2);
    const [first, second] = tagJobs(10).reverse();
    expect(second!.serials.filter((s) => first!.serials.includes(s))).toEqual([]);
    await expect.poll(() => page.locator('[data-line-tags="10"]').textContent(), { timeout: 10_000 }).toMatch(/^Tags: 4 printed · 2 jobs, the last /);
  });

  it('prints the rest without the lines that have their tags, then asks before printing everything again', async () => {
    const before = zebra.labels();
    answer = false;
    const rest = page.locator('.woactions button[data-action="everything"]');
    expect(await rest.textContent()).toBe('Print the rest');
    await rest.click();
    await expect.poll(() => zebra.labels() - before, { timeout: 15_000 }).toBe(8); // line 20's 8, not line 10's 2
    expect(tagJobs(10)).toHaveLength(2);
    expect(tagJobs(20)).toHaveLength(1);
    expect(dialogs).toHaveLength(2); // nothing asked: nothing printed twice
    await expect.poll(() => page.locator('[data-line-tags="20"]').textContent(), { timeout: 10_000 }).toMatch(/^Tags: 8 printed · /);
    // The rest is the work order's datasheet too (there is no traveler printer here).
    await expect.poll(() => (existsSync(join(dir, 'office')) ? readdirSync(join(dir, 'office')) : [])).toEqual([expect.stringMatching(/-WO-24001-datasheet\.pdf$/)]);
    // Every line has its tags: the button prints them all again only after asking.
    const again = page.locator('.woactions button[data-action="everything"]');
    await expect.poll(() => again.textContent(), { timeout: 10_000 }).toBe('Print everything');
    await again.click();
    await expect.poll(() => dialogs.length).toBe(3);
    expect(dialogs[2]).toMatch(/^Every line of WO-24001 has its tags already \(lines 10, 20\)\./);
    await page.waitForTimeout(500);
    expect(zebra.labels() - before).toBe(8);
    expect(tagJobs(20)).toHaveLength(1);
  });

  it('tells, in the list, work orders whose lines all have tags from those with some', async () => {
    await page.goto(`${station.url}/kiosk`);
    const row = (wo: string) => page.locator('tbody tr', { has: page.locator(`a:text-is("${wo}")`) });
    expect(await row(WO).locator('td:last-child .badge').textContent()).toBe('tags printed');
    // WO-24002: one of its three lines.
    await page.goto(`${station.url}/kiosk/wo/WO-24002`);
    await page.locator('#line-30').getByRole('button', { name: 'Print tags' }).click();
    await expect.poll(() => station.jobs.list({ workOrder: 'WO-24002', state: 'done', limit: 5 }).length, { timeout: 10_000 }).toBe(1);
    await page.goto(`${station.url}/kiosk`);
    expect(await row('WO-24002').locator('td:last-child .badge').textContent()).toBe('tags: 1 of 3 lines');
    expect(await row('WO-24004').locator('td:last-child .badge').count()).toBe(0);
    // The office reads the same over the API.
    const wo = (await (await (await asKiosk(station.app))(`/api/v1/workorders/${WO}`)).json()) as { lineTags: Array<{ lineNumber: number; printed: number; jobs: number }> };
    expect(wo.lineTags).toEqual([expect.objectContaining({ lineNumber: 10, printed: 4, jobs: 2 }), expect.objectContaining({ lineNumber: 20, printed: 8, jobs: 1 })]);
  });

  it('says how many of the line\'s tags a smaller job printed, prints the rest numbered on, and says what changed on the line since', async () => {
    await page.goto(`${station.url}/kiosk/wo/WO-24002`);
    const line = page.locator('#line-20'); // 24 hoses
    const start = zebra.printed.length;
    await line.locator('.qty').fill('3');
    await line.getByRole('button', { name: 'Print tags' }).click();
    const strip = page.locator('[data-line-tags="20"]');
    await expect.poll(() => strip.textContent(), { timeout: 10_000 }).toMatch(/^Tags: 3 of 24 printed · /);
    // The work order's button prints the rest too: line 10's tags (from 1), and line 20's from 4 (line 30 has its own).
    expect(await page.locator('.woactions').getAttribute('data-lines')).toBe('10:1:12,20:4:21');
    expect(await page.locator('.woactions button[data-action="everything"]').textContent()).toBe('Print the rest');
    // The rest is offered, numbered on from there; printing it is not a second set, so nothing is asked.
    await expect.poll(() => line.locator('.qty').inputValue()).toBe('21');
    expect(await line.locator('.from').textContent()).toBe('from 4 of 24');
    const asked = dialogs.length;
    const before = zebra.printed.length;
    await line.getByRole('button', { name: 'Print tags' }).click();
    await expect.poll(() => strip.textContent(), { timeout: 15_000 }).toMatch(/^Tags: 24 printed · 2 jobs, the last /);
    await expect.poll(() => zebra.printed.length - before, { timeout: 10_000 }).toBe(21);
    expect(before - start).toBe(3);
    // The first 3 were numbered within the line too: 1 to 24 of 24, each once.
    expect(zebra.printed.slice(start).map((f) => /(\d+ of 24)/.exec(f)?.[1])).toEqual(Array.from({ length: 24 }, (_, i) => `${i + 1} of 24`));
    expect(dialogs.length).toBe(asked);
    expect(await line.locator('.from').count()).toBe(0);
    expect(await line.locator('.qty').inputValue()).toBe('24');
    // The office corrects the assembly's cut length in GoldLeaf (the sandbox); the next sync brings it.
    const data = station.sandbox!.state.data;
    const rawWo = [...data.workOrders.values()].find((w) => w.number === 'WO-24002')!;
    const rawLine = (rawWo.items as Array<{ item: string; lineNumber: number }>).find((l) => l.lineNumber === 20)!;
    const assembly = data.assemblies.get(rawLine.item)!;
    const was = assembly.cutLength as number;
    assembly.cutLength = was + 10;
    assembly.lastModified = rawWo.lastModified = new Date().toISOString();
    await station.sync.syncOnce();
    await page.reload();
    await expect.poll(() => strip.textContent()).toMatch(new RegExp(`· the line has changed since: cut length ${was} mm → ${was + 10} mm$`));
    expect(await strip.getAttribute('class')).toContain('t-changed');
    // Line 30's tags still match it. The office reads the same over the API.
    expect(await page.locator('[data-line-tags="30"]').textContent()).not.toContain('changed');
    const api = (await (await (await asKiosk(station.app))('/api/v1/workorders/WO-24002')).json()) as { lineTags: Array<{ lineNumber: number; changedSince: string[] }> };
    expect(api.lineTags.map((t) => [t.lineNumber, t.changedSince])).toEqual([[20, [`cut length ${was} mm → ${was + 10} mm`]], [30, []]]);
  });

  it('leaves out of the rest a datasheet already printed', async () => {
    const sheets = () => (existsSync(join(dir, 'office')) ? readdirSync(join(dir, 'office')) : []).filter((f) => f.endsWith('-WO-24004-datasheet.pdf'));
    await page.goto(`${station.url}/kiosk/wo/WO-24004`);
    const all = page.locator('.woactions button[data-action="everything"]');
    expect(await all.textContent()).toBe('Print everything');
    await page.locator('.woactions button[data-document="datasheet"]').click();
    await expect.poll(sheets, { timeout: 10_000 }).toHaveLength(1);
    // Printed: the work order's button now prints the rest, which is the tags.
    await expect.poll(() => all.textContent(), { timeout: 10_000 }).toBe('Print the rest');
    const before = zebra.labels();
    await all.click();
    const wo = (await (await (await asKiosk(station.app))('/api/v1/workorders/WO-24004')).json()) as { lines: Array<{ quantity: number }> };
    const tags = wo.lines.reduce((n, l) => n + l.quantity, 0);
    await expect.poll(() => zebra.labels() - before, { timeout: 15_000 }).toBe(tags);
    await station.queue.runUntilIdle();
    await new Promise((r) => setTimeout(r, 500));
    expect(sheets()).toHaveLength(1);
  });

  it('asks before printing more tags than the line has hoses (80 typed for 8), and prints the line\'s own without asking', async () => {
    await page.goto(`${station.url}/kiosk/wo/WO-24003`);
    const line = page.locator('#line-10'); // 6 hoses
    const jobs = () => station.jobs.list({ workOrder: 'WO-24003', limit: 10 }).length;
    const asked = dialogs.length;
    answer = false;
    await line.locator('.qty').fill('60');
    await line.getByRole('button', { name: 'Print tags' }).click();
    await expect.poll(() => dialogs.length).toBe(asked + 1);
    expect(dialogs.at(-1)).toBe('Line 10 is for 6 hoses.\n\nPrint 60 tags, numbered 1 to 60 of 60?');
    await page.waitForTimeout(500);
    expect(jobs()).toBe(0);
    // The line's own number: no question, 6 tags "1 of 6" to "6 of 6".
    const before = zebra.printed.length;
    await line.locator('.qty').fill('6');
    await line.getByRole('button', { name: 'Print tags' }).click();
    await expect.poll(() => zebra.printed.length - before, { timeout: 10_000 }).toBe(6);
    expect(dialogs.length).toBe(asked + 1);
    expect(zebra.printed.at(-1)).toContain('6 of 6');
  });

  it('makes everything of a press even when the page is left at once (the next work order scanned)', async () => {
    const WO13 = 'WO-24013'; // five lines
    const made = () => station.jobs.list({ workOrder: WO13, limit: 100 });
    await page.goto(`${station.url}/kiosk/wo/${WO13}`);
    await page.locator('.woactions button[data-action="everything"]').click();
    await page.goto(`${station.url}/kiosk/wo/WO-24007`); // as a scan does, before the press is answered
    await expect.poll(() => made().length, { timeout: 15_000 }).toBe(6);
    expect(made().filter((j) => j.kind === 'labels').map((j) => j.lineNumber).sort()).toEqual([10, 20, 30, 40, 50]);
    expect(made().filter((j) => j.kind === 'document').map((j) => j.title)).toEqual([`Datasheet ${WO13}`]);
  });

  it('asks again about the one thing of a press asked for moments ago, and sends only that again', async () => {
    const WO7 = 'WO-24007'; // one line
    const made = () => station.jobs.list({ workOrder: WO7, limit: 100 });
    await page.goto(`${station.url}/kiosk/wo/${WO7}`);
    const all = page.locator('.woactions button[data-action="everything"]');
    // The datasheet printed from another screen by the same kiosk a moment before this page heard of it.
    const kiosk = await asKiosk(station.app);
    const sheet = await kiosk('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'document', printer: 'office', workOrder: WO7, document: 'datasheet' }) });
    expect(sheet.status).toBe(201);
    await expect.poll(() => all.textContent(), { timeout: 10_000 }).toBe('Print the rest');
    await all.evaluate((b: { dataset: Record<string, string> }) => (b.dataset.pdf = 'office')); // the page as it was before it heard
    const asked = dialogs.length;
    answer = true;
    await all.click();
    await expect.poll(() => dialogs.length, { timeout: 10_000 }).toBe(asked + 1);
    expect(dialogs.at(-1)).toMatch(new RegExp(`^Datasheet ${WO7} was asked for at `));
    await expect.poll(() => made().filter((j) => j.kind === 'document').length, { timeout: 10_000 }).toBe(2);
    await station.queue.runUntilIdle();
    await page.waitForTimeout(500);
    expect(made().filter((j) => j.kind === 'labels')).toHaveLength(1); // the line's tags once, not again with the datasheet
    answer = false;
  });
});
