// The label designer in Chromium: a hose tag built from nothing with a finger and typed millimetres, saved, printed to
// a Zebra; its Data Matrix read back from the designer's preview and from the printed ZPL, at the same place to the
// dot. Two people changing one template: the later save is refused, and neither's work is lost.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import { startZebraPrinter, type ZebraDouble } from '../doubles/zebra-printer.js';
import { decodeBarcodes, renderZpl } from '../helpers/barcodes.js';
import { launchBrowser } from '../helpers/browser.js';
import { demoStation } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const PIN = '0000'; // demo mode's admin PIN
let station: RunningStation;
let zebra: ZebraDouble;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  zebra = await startZebraPrinter();
  zebra.keepPrinted = true;
  station = await demoStation(tempDir(), (c) => {
    c.printers = [{ id: 'tags', name: 'Zebra tags', driver: 'zpl', uri: zebra.uri, dpmm: 8, options: { connectTimeoutMs: 1000, statusTimeoutMs: 1000 } }];
  });
  await station.sync.syncOnce();
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  expect(pageErrors).toEqual([]);
  await browser?.close();
  await station?.stop();
  await zebra?.close();
});

async function openDesigner(path: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: true });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${station.url}${path}`);
  await page.fill('#pin', PIN);
  await page.press('#pin', 'Enter');
  await page.waitForSelector('.pin-dialog', { state: 'detached' });
  return page;
}

/** Waits until the preview shows the template as it stands (no edit waiting for its picture). */
async function previewSettled(page: Page): Promise<void> {
  await page.waitForFunction(`(() => {
    const img = document.querySelector('#preview');
    return !!img && img.complete && !!img.dataset.seq && img.naturalWidth > 0 && window.previewPending?.() === false;
  })()`);
}

async function previewPng(page: Page): Promise<Uint8Array> {
  await previewSettled(page);
  // The picture the page shows, as bytes (the page's own copy of what the station drew).
  const b64 = await page.evaluate<string>(`(async () => {
    const blob = await (await fetch(document.querySelector('#preview').src)).blob();
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = '';
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s);
  })()`);
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

/** A drag with one finger: real touch events through Chromium's input pipeline, in small steps. */
async function fingerDrag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const point = (x: number, y: number) => [{ x, y, id: 1, radiusX: 8, radiusY: 8, force: 1 }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: point(from.x, from.y) });
  for (let i = 1; i <= 10; i++) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: point(from.x + ((to.x - from.x) * i) / 10, from.y + ((to.y - from.y) * i) / 10) });
    await new Promise((r) => setTimeout(r, 16));
  }
  // The finger rests before it lifts, as a person placing something does (no fling left to stop with the next tap).
  for (let i = 0; i < 4; i++) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: point(to.x, to.y) });
    await new Promise((r) => setTimeout(r, 30));
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

/** The box of dark pixels of a PNG inside [x0,x1)×[y0,y1) (in pixels). */
function darkBox(png: Uint8Array, x0: number, y0: number, x1: number, y1: number) {
  const img = PNG.sync.read(Buffer.from(png));
  let box: { left: number; top: number; right: number; bottom: number } | undefined;
  for (let y = Math.max(0, y0); y < Math.min(img.height, y1); y++) {
    for (let x = Math.max(0, x0); x < Math.min(img.width, x1); x++) {
      const i = (y * img.width + x) * 4;
      const dark = img.data[i + 3]! > 128 && img.data[i]! + img.data[i + 1]! + img.data[i + 2]! < 384;
      if (!dark) continue;
      box = box ? { left: Math.min(box.left, x), top: Math.min(box.top, y), right: Math.max(box.right, x), bottom: Math.max(box.bottom, y) } : { left: x, top: y, right: x, bottom: y };
    }
  }
  return box;
}

/** A stored template's definition: the active version, or the one asked for. */
function stored(id: string, version?: number) {
  const def = station.templates.definition(id, version ?? station.templates.activeVersion(id)!)!;
  return { ...def, elements: (def as unknown as { elements: Element[] }).elements };
}

type Element = { type: string; x?: number; y?: number; w?: number; h?: number; x1?: number; y1?: number; x2?: number; y2?: number; thickness?: number; text?: string; data?: string; symbology?: string };

describe('the label designer', () => {
  it('builds a hose tag from nothing, saves it, prints it, and the print matches the preview to the dot', async () => {
    const page = await openDesigner('/kiosk/admin/templates/new');
    await page.fill('#t-id', 'bench-hose-tag');
    await page.fill('#t-name', 'Bench hose tag');
    await page.fill('#t-w', '60');
    await page.dispatchEvent('#t-w', 'change');
    await page.fill('#t-h', '25');
    await page.dispatchEvent('#t-h', 'change');

    // Two texts bound to fields picked from the real line's list.
    for (const [path, y] of [
      ['assembly.partNumber', '2'],
      ['workOrder.number', '8'],
    ] as const) {
      await page.tap('[data-add="text"]');
      await page.fill('[data-prop="text"]', '');
      await page.selectOption('[data-insert="text"]', path);
      await page.fill('[data-prop="y"]', y);
      await page.dispatchEvent('[data-prop="y"]', 'change');
    }
    // A Data Matrix, dragged with a finger toward the right edge.
    await page.tap('[data-add="datamatrix"]');
    const dm = page.locator('#overlay .el.selected');
    const box = (await dm.boundingBox())!;
    const scale = await page.evaluate<number>(`document.querySelector('#canvas').clientWidth / 60`);
    await fingerDrag(page, { x: box.x + box.width / 2, y: box.y + box.height / 2 }, { x: box.x + box.width / 2 + 42.3 * scale, y: box.y + box.height / 2 + 7.1 * scale });
    // A line under the texts, by typed millimetres.
    await page.tap('[data-add="line"]');
    for (const [prop, value] of [
      ['x1', '2'],
      ['y1', '14'],
      ['x2', '40'],
      ['y2', '14'],
      ['thickness', '0.5'],
    ] as const) {
      await page.fill(`[data-prop="${prop}"]`, value);
      await page.dispatchEvent(`[data-prop="${prop}"]`, 'change');
    }

    // Undo takes the last change back, redo brings it again.
    await page.tap('#undo');
    const thickness = () => page.evaluate<string | undefined>(`document.querySelector('[data-prop="thickness"]')?.value`);
    await expect.poll(thickness).toBe('0.3');
    await page.tap('#redo');
    await expect.poll(thickness).toBe('0.5');

    page.once('dialog', (d) => void d.accept('first cut from the bench'));
    await page.tap('#save');
    await expect.poll(() => page.textContent('#dstatus')).toBe('Saved as version 1.');
    expect(page.url()).toMatch(/\/kiosk\/admin\/templates\/bench-hose-tag$/);

    const saved = stored('bench-hose-tag');
    expect(saved.version).toBe(1);
    const els = saved.elements;
    expect(els.map((e) => e.type)).toEqual(['text', 'text', 'barcode', 'line']);
    expect(els[0]!.text).toBe('{{assembly.partNumber}}');
    expect(els[1]!.text).toBe('{{workOrder.number}}');
    const matrix = els[2]!;
    // Dragged 42.3 mm right and 7.1 mm down from (2, 2): snapped to 203-dpi dots (1/8 mm).
    expect(matrix.x! * 8).toBe(Math.round(matrix.x! * 8));
    expect(matrix.x).toBeCloseTo(44.3, 0);
    expect(matrix.y).toBeCloseTo(9.1, 0);
    expect(els[3]).toMatchObject({ x1: 2, y1: 14, x2: 40, y2: 14, thickness: 0.5 });
    expect(station.templates.versions('bench-hose-tag')[0]).toMatchObject({ version: 1, author: 'kiosk', note: 'first cut from the bench' });

    // The preview, read like a scanner would.
    const preview = await previewPng(page);
    const read = (await decodeBarcodes(preview)).filter((b) => b.format === 'DataMatrix');
    expect(read).toHaveLength(1);
    const serial = read[0]!.text;
    expect(serial).toMatch(/^[A-Z0-9]+PREVIEW$/); // the sample serial: a test label never takes a real one

    // Test print to the Zebra: one label, a test in the history.
    const before = zebra.printed.length;
    await page.tap('#test-print');
    await expect.poll(() => page.textContent('#dstatus')).toContain('Test of template Bench hose tag');
    expect(await page.textContent('#dstatus')).toMatch(/sent to Zebra tags\.$/); // the printer as the shop named it, not its id
    await station.queue.runUntilIdle();
    await expect.poll(() => zebra.printed.length).toBe(before + 1);
    const job = station.jobs.list({ limit: 5 }).find((j) => j.title?.startsWith('Test of template Bench hose tag'))!;
    expect(job).toMatchObject({ kind: 'test', state: 'done' });

    const zpl = zebra.printed.at(-1)!;
    const [rendered] = await renderZpl(zpl, 60, 25, 8);
    expect(await decodeBarcodes(rendered!)).toContainEqual({ format: 'DataMatrix', text: serial });
    // Every element's origin in the ZPL is where the template (and so the preview) put it, to the dot.
    const origins = [...zpl.matchAll(/\^FO(\d+),(\d+)/g)].map((m) => [Number(m[1]), Number(m[2])] as const);
    for (const e of els) {
      const [x, y] = e.type === 'line' ? [Math.min(e.x1!, e.x2!), Math.min(e.y1!, e.y2!) - e.thickness! / 2] : [e.x!, e.y!]; // a line's stroke is centred on it
      expect(origins.some(([ox, oy]) => Math.abs(ox - x * 8) <= 1 && Math.abs(oy - y * 8) <= 1), `${e.type} at ${x},${y} mm in ${zpl}`).toBe(true);
    }
    // The Data Matrix and the line: the same dark boxes in the preview and in the printed label, within one dot.
    for (const e of [matrix, els[3]!]) {
      const [x0, y0, x1, y1] = e.type === 'line' ? [e.x1! - 1, e.y1! - 1, e.x2! + 1, e.y2! + 1] : [e.x! - 1, e.y! - 1, e.x! + e.w! + 1, e.y! + e.h! + 1];
      const a = darkBox(preview, x0 * 8, y0 * 8, x1 * 8, y1 * 8)!;
      const b = darkBox(rendered!, x0 * 8, y0 * 8, x1 * 8, y1 * 8)!;
      expect(a, `${e.type} in the preview`).toBeDefined();
      for (const side of ['left', 'top', 'right', 'bottom'] as const) expect(Math.abs(a[side] - b[side]), `${e.type} ${side}: preview ${a[side]}, print ${b[side]}`).toBeLessThanOrEqual(1);
    }
  }, 90_000);

  it('asks for the PIN once from the template list to the designer, and again after the crimper\'s pages; a copy is offered a free id', async () => {
    const page = await openDesigner('/kiosk/admin/templates');
    const offered: string[] = [];
    const answer = (id?: string) => page.once('dialog', (d) => (offered.push(d.defaultValue()), void d.accept(id ?? d.defaultValue())));
    answer();
    await page.click('[data-designer="copy"][data-id="hose-tag"]');
    await page.waitForURL(/\/kiosk\/admin\/templates\/hose-tag-copy$/);
    await expect.poll(() => page.inputValue('#t-id')).toBe('hose-tag-copy');
    await previewSettled(page); // the designer loaded its template with the PIN entered on the list
    expect(await page.locator('.pin-dialog').count()).toBe(0);
    // Back to the list, still without asking: a second copy is offered a free id, and a taken one is refused where
    // the tap was (the message scrolled into view from the bottom of the list).
    await page.goto(`${station.url}/kiosk/admin/templates`);
    await page.waitForSelector('[data-designer="copy"][data-id="hose-tag"]');
    expect(await page.locator('.pin-dialog').count()).toBe(0);
    await page.setViewportSize({ width: 1024, height: 400 });
    answer('hose-tag-copy');
    await page.click('[data-designer="copy"][data-id="hose-tag"]');
    const refusal = page.locator('#designer-report.bad');
    await expect.poll(() => refusal.textContent()).toMatch(/^There is already a template "hose-tag-copy"\./);
    expect(await refusal.isVisible()).toBe(true);
    const box = (await refusal.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(400);
    expect(offered).toEqual(['hose-tag-copy', 'hose-tag-copy-2']);
    // Back on the crimper's pages, the PIN is forgotten: the next admin page asks for it again.
    await page.goto(`${station.url}/kiosk`);
    await page.goto(`${station.url}/kiosk/admin/printers`);
    await page.waitForSelector('.pin-dialog #pin');
    // A wrong PIN kept from before is not used either: asked for, and refused.
    await page.evaluate(`sessionStorage.setItem('benchprint.adminPin', JSON.stringify({ pin: '9999', until: Date.now() + 60000 }))`);
    await page.goto(`${station.url}/kiosk/admin/templates`);
    await page.waitForSelector('.pin-dialog #pin');
  });

  it('refuses the later of two saves from two browsers, and loses neither', async () => {
    const first = await openDesigner('/kiosk/admin/templates/bench-hose-tag');
    const second = await openDesigner('/kiosk/admin/templates/bench-hose-tag');
    for (const page of [first, second]) await previewSettled(page);

    // Each moves the first text somewhere else.
    for (const [page, y] of [
      [first, '3'],
      [second, '4'],
    ] as const) {
      await page.locator('#overlay .el').first().tap();
      await page.fill('[data-prop="y"]', y);
      await page.dispatchEvent('[data-prop="y"]', 'change');
    }
    first.once('dialog', (d) => void d.accept('moved up a bit'));
    await first.tap('#save');
    await expect.poll(() => first.textContent('#dstatus')).toBe('Saved as version 2.');

    second.once('dialog', (d) => void d.accept('moved down'));
    await second.tap('#save');
    await expect.poll(() => second.textContent('#dstatus')).toContain('Not saved: kiosk saved version 2 of this template');
    expect(stored('bench-hose-tag').version).toBe(2);
    expect(stored('bench-hose-tag').elements[0]!.y).toBe(3);
    // The refused edit is still on the screen, and can be kept on top (theirs stays in the history).
    expect(await second.inputValue('[data-prop="y"]')).toBe('4');
    await second.tap('[data-conflict="mine"]');
    await expect.poll(() => second.textContent('#dstatus')).toBe('Saved as version 3.');
    expect(station.templates.versions('bench-hose-tag').map((v) => v.version)).toEqual([3, 2, 1]);
    expect(stored('bench-hose-tag', 2).elements[0]!.y).toBe(3);
    expect(stored('bench-hose-tag').elements[0]!.y).toBe(4);
  }, 60_000);
});
