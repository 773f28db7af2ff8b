// A bench with two Zebras, 76x25 mm tags in one and 4x6 in labels in the other: each label the kiosk offers goes to
// the printer whose stock takes it, a label larger than a printer's stock is refused before anything prints, and the
// shop's own templates are offered at the bench.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import { startZebraPrinter, type ZebraDouble } from '../doubles/zebra-printer.js';
import { answerQuestions, kioskBench } from '../helpers/browser.js';
import { asKiosk, asToken } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const ADMIN = 'admin-token-0123456789abcdefghijk';
const dir = tempDir();
let station: RunningStation;
let tags: { labels(): number; jobs: Buffer[] };
let big: ZebraDouble;
let browser: Browser;
let page: Page;
let close: () => Promise<void>;

beforeAll(async () => {
  big = await startZebraPrinter();
  ({ zebra: tags, station, browser, page, close } = await kioskBench(dir, (c) => {
    c.auth.tokens = [{ name: 'office', token: ADMIN, scopes: ['read', 'print', 'admin'] }];
    (c.printers[0] as { media?: unknown }).media = { widthMm: 76, heightMm: 25 };
    c.printers.splice(1, 0, { id: 'big', name: 'Labels 4x6', driver: 'zpl', uri: big.uri, dpmm: 8, media: { widthMm: 102, heightMm: 152 }, options: { statusTimeoutMs: 500 } });
  }));
}, 60_000);
afterAll(async () => {
  await close?.();
  await big?.close();
});

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('labels and the stock loaded in each printer', () => {
  it('refuses a 4x6 label for the tag printer before anything prints, naming both sizes', async () => {
    const kiosk = await asKiosk(station.app);
    const before = { tags: tags.labels(), jobs: station.jobs.list({ limit: 100 }).length };
    const res = await kiosk('/api/v1/jobs', json({ kind: 'labels', printer: 'tags', workOrder: 'WO-24005', line: 10, template: 'assembly-4x6', quantity: 1 }));
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('LABEL_DOES_NOT_FIT');
    expect(error.message).toContain('is 101.6 × 152.4 mm; Zebra tags has 76 × 25 mm stock loaded');
    // The designer's test print too, and a label within a millimetre of the stock is taken.
    const test = await kiosk('/api/v1/jobs', json({ kind: 'template-test', printer: 'tags', template: 'assembly-2x3', workOrder: 'WO-24005', line: 10 }));
    expect(test.status).toBe(422);
    expect(station.jobs.list({ limit: 100 })).toHaveLength(before.jobs);
    expect((await kiosk('/api/v1/jobs', json({ kind: 'labels', printer: 'big', workOrder: 'WO-24005', line: 10, template: 'assembly-4x6', quantity: 1 }))).status).toBe(201);
    await station.queue.runUntilIdle();
    expect(tags.labels()).toBe(before.tags);
    expect(big.printed.at(-1)).toMatch(/\^PW81[23]/);
  });

  it('does not move a waiting 4x6 job onto the tag printer, and moves a tag job between printers that take it', async () => {
    const admin = asToken(station.app, ADMIN);
    station.queue.pause('big');
    const kiosk = await asKiosk(station.app);
    // (Two labels: the first test's one-label job is what the same request made moments ago would return.)
    const job = (await (await kiosk('/api/v1/jobs', json({ kind: 'labels', printer: 'big', workOrder: 'WO-24005', line: 10, template: 'assembly-4x6', quantity: 2 }))).json()) as { id: string };
    const moved = await admin('/api/v1/jobs/move', json({ jobs: [job.id], to: 'tags' }));
    expect(moved.status).toBe(422);
    expect(((await moved.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'LABEL_DOES_NOT_FIT', message: expect.stringContaining('Zebra tags has 76 × 25 mm stock loaded') });
    expect(station.queue.get(job.id)).toMatchObject({ state: 'queued', printerId: 'big' });
    // A tag fits both.
    const tag = (await (await kiosk('/api/v1/jobs', json({ kind: 'labels', printer: 'big', workOrder: 'WO-24005', line: 10, template: 'hose-tag', quantity: 1 }))).json()) as { id: string };
    expect((await admin('/api/v1/jobs/move', json({ jobs: [tag.id], to: 'tags' }))).status).toBe(200);
    station.queue.resume('big');
    await station.queue.runUntilIdle();
    expect(station.queue.get(job.id)).toMatchObject({ state: 'done', printerId: 'big' });
    expect(station.queue.get(tag.id)).toMatchObject({ state: 'done', printerId: 'tags' });
  });

  it('sends the label chosen on a line to the printer whose stock takes it, and says which', async () => {
    await page.goto(`${station.url}/kiosk/wo/WO-24005`);
    const line = page.locator('#line-20');
    const select = line.locator('select.template');
    // Grouped under the printer each goes to.
    const options = await select.locator('option').evaluateAll((os: any[]) => os.map((o) => ({ value: o.value, text: o.textContent, printer: o.dataset.printer, group: o.parentElement.label, disabled: o.disabled })));
    expect(options).toEqual([
      { value: 'hose-tag', text: 'Tag 76×25 mm', printer: 'tags', group: 'Zebra tags', disabled: false },
      { value: 'assembly-2x3', text: 'Label 2×3 in', printer: 'big', group: 'Labels 4x6', disabled: false },
      { value: 'assembly-4x6', text: 'Label 4×6 in', printer: 'big', group: 'Labels 4x6', disabled: false },
    ]);
    const before = { tags: tags.labels(), big: big.labels() };
    await line.locator('.qty').fill('2');
    await select.selectOption('assembly-4x6');
    const button = line.locator('button[data-action="labels"]');
    expect(await button.getAttribute('title')).toBe('on Labels 4x6');
    await button.click();
    await expect.poll(() => button.textContent(), { timeout: 10_000 }).toMatch(/Done ✓ 2 of 2/);
    expect(big.labels() - before.big).toBe(2);
    expect(tags.labels()).toBe(before.tags);
    // And back to the tag: the tag printer (the rest of the line's tags, numbered on, asked about first).
    await expect.poll(() => button.textContent(), { timeout: 10_000 }).toBe('Print tags');
    await select.selectOption('hose-tag');
    await line.locator('.qty').fill('1');
    const questions = answerQuestions(page, () => true);
    await button.click();
    await expect.poll(() => tags.labels(), { timeout: 10_000 }).toBe(before.tags + 1);
    questions.stop();
    expect(big.labels() - before.big).toBe(2);
  });

  it('sends to where things go now when a printer is disabled or enabled elsewhere, without a reload, keeping the label chosen', async () => {
    await page.goto(`${station.url}/kiosk/wo/WO-24005`);
    const line = page.locator('#line-20');
    const select = line.locator('select.template');
    const button = line.locator('button[data-action="labels"]');
    await select.selectOption('assembly-4x6');
    expect(await button.getAttribute('title')).toBe('on Labels 4x6');
    await page.evaluate(() => ((globalThis as { stillHere?: boolean }).stillHere = true));
    // Switched off from the office: the 4x6 label goes to the one working printer whose stock is not set.
    const admin = asToken(station.app, ADMIN);
    expect((await admin('/api/v1/admin/printers/big/enabled', json({ enabled: false, reason: 'new print head' }))).status).toBe(200);
    await expect.poll(() => button.getAttribute('title'), { timeout: 10_000 }).toBe('on Office PDF');
    expect(await select.inputValue()).toBe('assembly-4x6');
    expect(await select.locator('option[value="assembly-4x6"]').getAttribute('data-printer')).toBe('office');
    expect(await page.locator('#printers [data-printer="big"]').getAttribute('class')).toContain('s-disabled');
    // Back on: back to the 4x6 printer; the page was never reloaded.
    expect((await admin('/api/v1/admin/printers/big/enabled', json({ enabled: true }))).status).toBe(200);
    await expect.poll(() => button.getAttribute('title'), { timeout: 10_000 }).toBe('on Labels 4x6');
    expect(await page.evaluate(() => (globalThis as { stillHere?: boolean }).stillHere)).toBe(true);
  });

  it("offers the shop's own template at the bench, on the printer its size fits", async () => {
    const template = {
      id: 'bench-tag',
      name: 'Our 60 x 20 tag',
      kind: 'layout',
      subject: 'assembly',
      size: { widthMm: 60, heightMm: 20 },
      elements: [{ type: 'text', x: 2, y: 1, w: 50, h: 5, size: 3.5, text: '{{assembly.partNumber}} {{of}}' }],
    };
    expect((await asToken(station.app, ADMIN)('/api/v1/templates', json({ template }))).status).toBe(201);
    await page.goto(`${station.url}/kiosk/wo/WO-24005`);
    const option = page.locator('#line-20 select.template optgroup[label="Zebra tags"] option[value="bench-tag"]');
    expect(await option.textContent()).toBe('Our 60 x 20 tag');
    // The raw ZPL example and the work order label are not offered for a line.
    expect(await page.locator('#line-20 select.template option[value="designer-tag"], #line-20 select.template option[value="work-order-label"]').count()).toBe(0);
  });
});
