// A line's tags printed in parts are numbered within the line: the rest of a 24-hose line after 6 reads "7 of 24" to
// "24 of 24", on the tag, in its serial's record and in a reprint, never "1 of 18".
import { beforeAll, describe, expect, it } from 'vitest';
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
