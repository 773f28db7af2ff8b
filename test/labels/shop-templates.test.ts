// A shop's own templates folder is laid over the shipped one. A shop that keeps only its labels (no fonts, no
// datasheets) used to stop the station at start on a missing font file; one broken file of the shop's is named and
// the shipped one of its id or kind serves, and everything else prints.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import { pdfText } from '../helpers/barcodes.js';
import { asKiosk, demoStation, printedToFolder } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const SHIPPED = new URL('../../templates/', import.meta.url).pathname;

describe("a shop's templates folder with only some of the templates", () => {
  const dir = tempDir();
  const shop = join(dir, 'shop-templates');
  const out = join(dir, 'out');
  let station: RunningStation;
  let kiosk: Awaited<ReturnType<typeof asKiosk>>;

  beforeAll(async () => {
    // Its own hose tag (renamed, with the shop's words on it), a label of its own, and a broken copy of a shipped one.
    mkdirSync(join(shop, 'labels'), { recursive: true });
    const tag = JSON.parse(readFileSync(join(SHIPPED, 'labels/hose-tag.json'), 'utf8')) as { name: string; elements: Array<Record<string, unknown>> };
    tag.name = 'Our hose tag';
    tag.elements.push({ type: 'text', x: 1, y: 1, w: 30, h: 3, size: 2, text: 'OURS-MARK' });
    writeFileSync(join(shop, 'labels/hose-tag.json'), JSON.stringify(tag));
    writeFileSync(join(shop, 'labels/our-tag.json'), JSON.stringify({ ...tag, id: 'our-tag', name: 'Our second tag' }));
    writeFileSync(join(shop, 'labels/assembly-2x3.json'), '{ "id": "assembly-2x3", ');
    // A datasheet layout of its own that is broken; no travelers, fonts or images of its own.
    mkdirSync(join(shop, 'documents'));
    writeFileSync(join(shop, 'documents/workorder-datasheet.json'), JSON.stringify({ kind: 'workorder-datasheet', version: 1 }));
    station = await demoStation(dir, (c) => {
      c.station.templatesDir = shop;
      c.printers = [{ id: 'bench', name: 'Bench folder', driver: 'folder', uri: `file://${out}`, dpmm: 8, options: { formats: ['zpl', 'pdf'], create: true } }];
    });
    await station.sync.syncOnce();
    kiosk = await asKiosk(station.app);
  }, 30_000);
  afterAll(async () => {
    await station?.stop();
  });

  const printed = (body: object) => printedToFolder(station, out, { workOrder: 'WO-24005' })(body);

  it("prints the shop's tags with the shipped fonts, and the shipped template where the shop's copy is broken", async () => {
    expect((await printed({ kind: 'labels', line: 10, template: 'hose-tag', quantity: 1 })).toString()).toContain('OURS-MARK');
    expect((await printed({ kind: 'labels', line: 10, template: 'our-tag', quantity: 1 })).toString()).toContain('OURS-MARK');
    expect((await printed({ kind: 'labels', line: 10, template: 'assembly-2x3', quantity: 1 })).toString()).not.toContain('OURS-MARK');
    const list = (await (await kiosk('/api/v1/templates')).json()) as { items: Array<{ id: string; name: string }>; problems: Array<{ file: string; problem: string }> };
    expect(list.items.find((t) => t.id === 'hose-tag')?.name).toBe('Our hose tag');
    // The shipped ones the shop has no copy of are there too.
    expect(list.items.map((t) => t.id)).toEqual(expect.arrayContaining(['our-tag', 'assembly-2x3', 'assembly-4x6', 'kit-label', 'designer-tag']));
    expect(list.problems).toEqual(
      expect.arrayContaining([
        { file: join(shop, 'labels/assembly-2x3.json'), problem: expect.stringMatching(/^not valid JSON/) },
        { file: join(shop, 'documents/workorder-datasheet.json'), problem: expect.stringMatching(/\S/) },
      ]),
    );
  });

  it('prints the datasheet with the shipped layout where the shop has a broken one, and an assembly datasheet it has no layout of', async () => {
    const text = pdfText(await printed({ kind: 'document', document: 'datasheet' }));
    expect(text).toContain('WO-24005');
    expect(text).toMatch(/printed \d{4}-\d\d-\d\d \d\d:\d\d/);
    const assembly = pdfText(await printed({ kind: 'document', document: 'assembly-datasheet', line: 10 }));
    expect(assembly).toContain('HA-1060');
  });

  it("takes an image of the shop's over the shipped one of the same name", async () => {
    const images = async (body: object) => {
      const file = join(dir, 'sheet.pdf');
      writeFileSync(file, await printed({ kind: 'document', document: 'datasheet', force: true, ...body }));
      // pdfimages -list: a table of the images in the PDF, their width and height in the 4th and 5th columns.
      return execFileSync('pdfimages', ['-list', file], { encoding: 'utf8' })
        .split('\n')
        .slice(2)
        .filter(Boolean)
        .map((row) => row.trim().split(/\s+/).slice(3, 5).join('x'));
    };
    expect(await images({})).toContain('240x72'); // the shipped logo
    // The shop's logo, a PNG of another size, is read from its folder once it is there.
    mkdirSync(join(shop, 'images'), { recursive: true });
    const png = new PNG({ width: 90, height: 30 });
    png.data.fill(0);
    for (let i = 3; i < png.data.length; i += 4) png.data[i] = 255;
    writeFileSync(join(shop, 'images/logo.png'), PNG.sync.write(png));
    const ours = await images({});
    expect(ours).toContain('90x30');
    expect(ours).not.toContain('240x72');
  });
});
