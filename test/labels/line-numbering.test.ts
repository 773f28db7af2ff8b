// A line's tags printed in parts are numbered within the line: the rest of a 24-hose line after 6 reads "7 of 24" to
// "24 of 24", on the tag, in its serial's record and in a reprint, never "1 of 18".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import { asKiosk, demoStation } from '../helpers/station.js';
import type { CachedWorkOrder, LineView } from '../../src/domain/work-order.js';
import { decodeBarcodes, renderZpl } from '../helpers/barcodes.js';
import { demoWorkOrders, labelEngine } from '../helpers/labels.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
let wo: CachedWorkOrder;
let line: LineView;
const { engine, serials } = labelEngine(dir);

beforeAll(async () => {
  const all = await demoWorkOrders(dir);
  wo = all.find((w) => w.lines.some((l) => l.assembly && l.quantity >= 8))!;
  line = wo.lines.find((l) => l.assembly && l.quantity >= 8)!;
});

const tags = (o: { quantity?: number; from?: number }) => engine.lineLabels({ workOrder: wo, lineNumber: line.lineNumber, templateId: 'hose-tag', format: 'zpl', dpmm: 8, ...o });

describe('tags numbered within their line', () => {
  it('prints the rest of a line from where its first tags stopped, each numbered of the whole line', async () => {
    const n = line.quantity;
    const first = await tags({ quantity: 3 });
    expect(first.labels.map((l) => l.of)).toEqual(['1 of 3', '2 of 3', '3 of 3']); // a set of its own, as before
    const rest = await tags({ from: 4 });
    expect(rest.labels.map((l) => l.of)).toEqual(Array.from({ length: n - 3 }, (_, i) => `${i + 4} of ${n}`));
    // On the tag itself, as the printer draws it.
    const zpl = new TextDecoder().decode(rest.document.bytes);
    const [png] = await renderZpl(zpl.slice(0, zpl.indexOf('^XZ') + 3), 76, 25, 8);
    const codes = (await decodeBarcodes(png!)).map((d) => d.text);
    expect(codes).toContain(rest.serials[0]!.serial);
    expect(zpl).toContain(`4 of ${n}`);
    // Its serial's record says the same; its place in the batch stays what a reprint of the batch counts by.
    expect(serials.find(rest.serials[0]!.serial)).toMatchObject({ number: 4, of: n, index: 1, count: n - 3 });
    const again = await engine.lineLabels({ workOrder: wo, lineNumber: line.lineNumber, templateId: 'hose-tag', format: 'zpl', dpmm: 8, reprint: { batchId: rest.serials[0]!.batchId, from: 2, to: 2 } });
    expect(again.labels.map((l) => [l.serial, l.of])).toEqual([[rest.serials[1]!.serial, `5 of ${n}`]]);
  });

  it('prints some of the rest, and refuses tags past the line, saying how many are left', async () => {
    const n = line.quantity;
    const some = await tags({ from: 2, quantity: 2 });
    expect(some.labels.map((l) => l.of)).toEqual([`2 of ${n}`, `3 of ${n}`]);
    await expect(tags({ from: n - 1, quantity: 3 })).rejects.toMatchObject({ code: 'TAGS_PAST_LINE', status: 422, hint: `Print at most 2, from tag ${n - 1}.` });
    await expect(tags({ from: n + 1 })).rejects.toMatchObject({ code: 'TAGS_PAST_LINE', hint: 'The line has all its tags.' });
  });
});

describe('the rest of a line asked for twice', () => {
  const home = tempDir();
  let station: RunningStation;
  beforeAll(async () => {
    station = await demoStation(home, (c) => {
      c.printers = [{ id: 'tags', name: 'Tags', driver: 'folder', uri: `file://${home}/out`, dpmm: 8, options: { formats: ['zpl'], create: true } }];
    });
    await station.sync.syncOnce();
  }, 30_000);
  afterAll(() => station?.stop());

  it('is refused when tags with those numbers are made already, saying where the rest starts; force prints them', async () => {
    const kiosk = await asKiosk(station.app);
    const wo = (await (await kiosk('/api/v1/workorders/WO-24002')).json()) as { lines: Array<{ lineNumber: number; quantity: number }> };
    const n = wo.lines.find((l) => l.lineNumber === 20)!.quantity;
    const ask = (body: object) => kiosk('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'labels', printer: 'tags', workOrder: 'WO-24002', line: 20, template: 'hose-tag', ...body }) });
    expect((await ask({ from: 1, quantity: 3 })).status).toBe(201);
    // A second kiosk that still shows the line without them asks for 1 to 5: numbers 1 to 3 are made.
    const twice = await ask({ from: 1, quantity: 5 });
    expect(twice.status).toBe(409);
    const { error } = (await twice.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('TAGS_ALREADY_MADE');
    expect(error.message).toBe(`Line 20 of WO-24002 has 3 tags made already; tags 1 to 5 of ${n} would repeat numbers with new serials. Ask for the rest from 4; a damaged tag is reprinted with its own serial by scanning it. Send "force": true to print them as a new set anyway.`);
    const rest = (await (await ask({ from: 4, quantity: 2 })).json()) as { serials: string[]; title: string };
    expect(rest.title).toContain(`tags 4 to 5 of ${n}`);
    const forced = await ask({ from: 2, quantity: 1, force: true });
    expect(forced.status).toBe(201);
    expect(((await forced.json()) as { title: string }).title).toContain(`tag 2 of ${n}`);
  });

  it('asked for by two kiosks in the same instant: one set is made, the other hears it is', async () => {
    const kiosk = await asKiosk(station.app);
    const ask = (quantity: number) => kiosk('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'labels', printer: 'tags', workOrder: 'WO-24002', line: 10, template: 'hose-tag', from: 1, quantity }) });
    // Different quantities, so neither is the other repeated: both ask for tags from "1 of 12".
    const answers = await Promise.all([ask(3), ask(4)]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    const made = station.jobs.list({ workOrder: 'WO-24002', limit: 50 }).filter((j) => j.lineNumber === 10 && j.kind === 'labels');
    expect(made).toHaveLength(1);
  });
});
