// The whole shop from a bench's kiosk: other benches' jobs in the history, a tag of another bench scanned, reprinted here.
import { gzipSync } from 'node:zlib';
import { decodeLabelData } from '../../src/queue/label-data-codec.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import { startZebraPrinter, type ZebraDouble } from '../doubles/zebra-printer.js';
import { freshDatabase } from '../helpers/postgres.js';
import { shippedJob } from '../helpers/ledger.js';
import { ShopClock } from '../../src/lib/shop-clock.js';
import { asKiosk, demoStation } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
let station: RunningStation;
let zebra: ZebraDouble;
let kiosk: Awaited<ReturnType<typeof asKiosk>>;

const dir = tempDir();
beforeAll(async () => {
  db = await freshDatabase();
  zebra = await startZebraPrinter();
  station = await demoStation(dir, (c) => {
    c.shop = { databaseUrl: db.url, benchId: 'bench-1', serialBlock: 100, serialReserve: 200, connectTimeoutMs: 2000, routing: { rules: [] } };
    c.printers = [
      { id: 'tags', name: 'Zebra tags', driver: 'zpl', uri: zebra.uri, dpmm: 8, media: { widthMm: 76, heightMm: 25 }, options: {} },
      { id: 'big', name: 'Labels 4x6', driver: 'folder', uri: `file://${dir}/big`, dpmm: 8, media: { widthMm: 101.6, heightMm: 152.4 }, options: { formats: ['pdf'], create: true } },
    ];
  });
  await station.sync.syncOnce();
  kiosk = await asKiosk(station.app);
  for (let i = 0; i < 150 && station.shop!.status().state !== 'connected'; i++) await new Promise((r) => setTimeout(r, 100));
});
afterAll(async () => {
  await station?.stop();
  await zebra?.close();
  await db?.drop();
});

describe('the whole shop in the kiosk', () => {
  it('lists every bench, finds a tag printed on another bench, and prints it again here with its serial', async () => {
    // A job of this bench, shipped; then the same labels as if another bench had printed them (its own job there).
    const made = (await (await kiosk('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'labels', printer: 'tags', workOrder: 'WO-24005', line: 10, template: 'hose-tag', quantity: 3 }) })).json()) as { id: string; serials: string[] };
    await station.queue.runUntilIdle();
    await expect.poll(() => station.shop!.status().behindBy, { timeout: 10_000 }).toBe(0);
    const mine = (await station.shop!.ledger.job('bench-1', made.id))!;
    const serials = ['BP269990001', 'BP269990002', 'BP269990003'];
    // What bench 9's labels said: this bench's, with bench 9's serials.
    const labels = (decodeLabelData(mine.labelData!) as Array<Record<string, unknown>>).map((l, i) => ({ ...l, serial: serials[i] }));
    await station.shop!.ledger.ship('bench-9', [
      {
        eventId: 'bench-9:job:x:1',
        seq: 1,
        kind: 'job',
        at: new Date().toISOString(),
        payload: { ...mine, id: 'other-job', serials, title: '3 tags for WO-24005 line 10, made on bench 9', labelData: gzipSync(JSON.stringify(labels)).toString('base64'), seq: 1 },
      },
    ]);

    const page = await (await kiosk('/kiosk/history?shop=1')).text();
    expect(page).toContain('bench-9');
    expect(page).toContain('bench-1');
    expect(page).toContain('made on bench 9');
    // A tag of bench 9 scanned here opens it in the whole shop's history.
    const resolved = (await (await kiosk(`/kiosk/resolve?code=${serials[1]}`)).json()) as { location: string };
    expect(resolved.location).toBe(`/kiosk/history?shop=1&q=${serials[1]}`);
    const found = await (await kiosk(resolved.location)).text();
    expect(found).toContain('data-action="shop-reprint" data-bench="bench-9" data-job="other-job"');
    expect(found).not.toContain(`data-job="${made.id}"`);
    // Each job's labels are offered again on the printer here whose stock takes them: bench 9's 4x6 labels on the 4x6
    // printer, not on the tag printer's 76x25 mm tags.
    await station.shop!.ledger.ship('bench-9', [
      { eventId: 'bench-9:job:big:1', seq: 5, kind: 'job', at: new Date().toISOString(), payload: { ...mine, id: 'big-one', workOrderNumber: 'WO-99001', templateId: 'assembly-4x6', serials: ['BP269990021'], partsTotal: 1, title: '4x6 label of bench 9', labelData: gzipSync(JSON.stringify(labels.slice(0, 1))).toString('base64'), seq: 5 } },
    ]);
    const both = await (await kiosk('/kiosk/history?shop=1')).text();
    expect(both).toMatch(/data-job="other-job" data-to="3" data-printer="tags"/);
    expect(both).toMatch(/data-job="big-one" data-to="1" data-printer="big"/);

    const before = zebra.labels();
    const reprint = await kiosk('/api/v1/shop/reprint', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ bench: 'bench-9', job: 'other-job', from: 2, to: 2, printer: 'tags' }) });
    expect(reprint.status).toBe(201);
    expect(await reprint.json()).toMatchObject({ isReprint: true, reprintOf: 'bench-9/other-job', serials: [serials[1]], firstPart: 2, title: expect.stringMatching(/label 2 again \(printed on bench-9\)$/) });
    await station.queue.runUntilIdle();
    await expect.poll(() => zebra.labels()).toBe(before + 1);
    expect(zebra.printed.at(-1)).toContain(serials[1]);
    expect(zebra.printed.at(-1)).toContain('2 of 3');

    // What another bench's labels said, damaged on the way or kept in part: said so, nothing printed.
    const broken = { ...mine, serials, title: 'tags of bench 9, damaged', seq: 2 };
    await station.shop!.ledger.ship('bench-9', [
      { eventId: 'bench-9:job:damaged:1', seq: 2, kind: 'job', at: new Date().toISOString(), payload: { ...broken, id: 'damaged', labelData: Buffer.from('not gzip at all').toString('base64') } },
      { eventId: 'bench-9:job:short:1', seq: 3, kind: 'job', at: new Date().toISOString(), payload: { ...broken, id: 'short', serials: ['BP269990011', 'BP269990012', 'BP269990013'], labelData: gzipSync(JSON.stringify(labels.slice(0, 1))).toString('base64') } },
    ]);
    const printedBefore = zebra.labels();
    for (const [job, said] of [
      ['damaged', /What the labels of "tags of bench 9, damaged" said cannot be read back from the shop ledger/],
      ['short', /The shop ledger holds what 1 of labels 1 to 3 of "tags of bench 9, damaged" said, not all of them/],
    ] as const) {
      const refused = await kiosk('/api/v1/shop/reprint', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ bench: 'bench-9', job, from: 1, printer: 'tags' }) });
      expect(refused.status).toBe(422);
      const { message } = ((await refused.json()) as { error: { message: string } }).error;
      expect(message).toMatch(said);
      expect(message).toMatch(/Print it again on bench-9\.$/);
    }
    await station.queue.runUntilIdle();
    expect(zebra.labels()).toBe(printedBefore);
  });

  it('shows on a line the tags another bench printed for it, and counts them before printing here', async () => {
    await station.shop!.ledger.ship('bench-9', [
      {
        eventId: 'bench-9:job:line20:1',
        seq: 10,
        kind: 'job',
        at: new Date().toISOString(),
        payload: { ...shippedJob('line20', { seq: 10, workOrderNumber: 'WO-24005', lineNumber: 20, serials: ['BP269990101', 'BP269990102', 'BP269990103', 'BP269990104'], partsTotal: 4, partsConfirmed: 4, createdAt: '2026-12-03T06:00:00.000Z', finishedAt: '2026-12-03T06:00:05.000Z' }) },
      },
      // Its reprint of one tag, and a job that printed nothing: neither is the line's tags.
      { eventId: 'bench-9:job:again:1', seq: 11, kind: 'job', at: new Date().toISOString(), payload: { ...shippedJob('again', { seq: 11, workOrderNumber: 'WO-24005', lineNumber: 20, isReprint: true, reprintOf: 'line20', serials: ['BP269990102'], partsTotal: 1 }) } },
      { eventId: 'bench-9:job:refused:1', seq: 12, kind: 'job', at: new Date().toISOString(), payload: { ...shippedJob('refused', { seq: 12, workOrderNumber: 'WO-24005', lineNumber: 30, state: 'failed', partsSent: 0 }) } },
    ]);
    const page = await (await kiosk('/kiosk/wo/WO-24005')).text();
    expect(page).toMatch(new RegExp(`data-line-tags="20">Tags: 4 printed · ${new ShopClock().dayAndMinute('2026-12-03T06:00:05.000Z')} on bench-9</p>`));
    expect(page).toContain('data-line-tags="30" hidden');
    // Line 10 has this bench's 3 tags and bench 9's three jobs of 3 (from the first test): 12, in 4 jobs, once the
    // station's next look at the Zebra has found its own 3 out of the printer's memory.
    const line10 = async () => /data-line-tags="10">[^<]*/.exec(await (await kiosk('/kiosk/wo/WO-24005')).text())?.[0];
    await expect.poll(line10, { timeout: 5000 }).toMatch(/data-line-tags="10">Tags: 12 printed · 4 jobs, the last/);
    expect(page).toMatch(/data-line="20" data-hoses="4" data-has-tags="4 printed · [^"]+ on bench-9"/);
    expect(page).toMatch(/data-skipped="10, 20"/);
    const api = (await (await kiosk('/api/v1/workorders/WO-24005')).json()) as { lineTags: Array<{ lineNumber: number; printed: number; last: { bench?: string } }> };
    expect(api.lineTags.filter((t) => t.lineNumber === 20)).toEqual([expect.objectContaining({ printed: 4, last: expect.objectContaining({ bench: 'bench-9' }) })]);
  });

  it("says what has changed on a line since another bench's tags for it were made, as for this bench's own", async () => {
    // This bench's tags ship what they were made from.
    const made = (await (await kiosk('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'labels', printer: 'tags', workOrder: 'WO-24005', line: 20, template: 'hose-tag', quantity: 1, force: true }) })).json()) as { id: string };
    await station.queue.runUntilIdle();
    await expect.poll(() => station.shop!.status().behindBy, { timeout: 10_000 }).toBe(0);
    const shipped = (await station.shop!.ledger.printedWith([{ benchId: 'bench-1', id: made.id }])).get(`bench-1/${made.id}`)!;
    const order = (await (await kiosk('/api/v1/workorders/WO-24005')).json()) as { lines: Array<{ lineNumber: number; assembly?: { partNumber: string } }> };
    expect(shipped.line?.assembly?.partNumber).toBe(order.lines.find((l) => l.lineNumber === 20)!.assembly!.partNumber);
    // Bench 9 tagged line 20 later, from the line as it was before the office cut it 10 mm shorter.
    const cut = shipped.line!.assembly!.cutLength!;
    const before = { ...shipped, line: { ...shipped.line!, assembly: { ...shipped.line!.assembly!, cutLength: { ...cut, value: cut.value + 10 } } } };
    await station.shop!.ledger.ship('bench-9', [
      {
        eventId: 'bench-9:job:older-line:1',
        seq: 30,
        kind: 'job',
        at: new Date().toISOString(),
        payload: { ...shippedJob('older-line', { seq: 30, workOrderNumber: 'WO-24005', lineNumber: 20, serials: ['BP269990301'], partsTotal: 1, partsConfirmed: 1, createdAt: new Date(Date.now() + 60_000).toISOString(), finishedAt: new Date(Date.now() + 61_000).toISOString(), printedWith: JSON.stringify(before) }) },
      },
    ]);
    const page = await (await kiosk('/kiosk/wo/WO-24005')).text();
    expect(page).toMatch(/data-line-tags="20">Tags: [^<]* on bench-9 · the line has changed since: cut length [\d.]+ \w+ → [\d.]+ \w+<\/p>/);
    expect(page).toContain('class="tags t-changed" data-line-tags="20"');
    const api = (await (await kiosk('/api/v1/workorders/WO-24005')).json()) as { lineTags: Array<{ lineNumber: number; changedSince: string[]; last: Record<string, unknown> }> };
    const line20 = api.lineTags.find((t) => t.lineNumber === 20)!;
    expect(line20.changedSince).toEqual([expect.stringMatching(/^cut length /)]);
    expect(line20.last).not.toHaveProperty('printedWith');
  });

  it("refuses tags numbered from 1 on a page opened before another bench printed part of the line, and numbers the rest after bench 9's", async () => {
    const wo = 'WO-24003';
    const order = (await (await kiosk(`/api/v1/workorders/${wo}`)).json()) as { lines: Array<{ lineNumber: number; quantity: number; assembly?: unknown }> };
    const line = order.lines.find((l) => l.assembly && l.quantity >= 3)!;
    // The page a crimper opened on this bench offers the whole line, from 1, and "Print everything" sends it so too.
    const page = await (await kiosk(`/kiosk/wo/${wo}`)).text();
    expect(page).toContain(`data-line="${line.lineNumber}" data-hoses="${line.quantity}" data-from="1" data-left="${line.quantity}"`);
    expect(page).toMatch(new RegExp(`data-lines="[^"]*\\b${line.lineNumber}:1:${line.quantity}\\b`));
    // Meanwhile bench 9 prints the first two of the line's tags.
    await station.shop!.ledger.ship('bench-9', [
      {
        eventId: 'bench-9:job:split:1',
        seq: 20,
        kind: 'job',
        at: new Date().toISOString(),
        payload: { ...shippedJob('split', { seq: 20, workOrderNumber: wo, lineNumber: line.lineNumber, serials: ['BP269990201', 'BP269990202'], partsTotal: 2, partsConfirmed: 2 }) },
      },
    ]);
    const before = zebra.labels();
    const ask = (from: number, quantity: number) =>
      kiosk('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'labels', printer: 'tags', workOrder: wo, line: line.lineNumber, template: 'hose-tag', from, quantity }) });
    // The tap on the old page: tags "1 of N" again, with new serials, for hoses bench 9 has tagged.
    const refused = await ask(1, line.quantity);
    expect(refused.status).toBe(409);
    const { error } = (await refused.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('TAGS_ALREADY_MADE');
    expect(error.message).toMatch(`Line ${line.lineNumber} of ${wo} has 2 tags made already (2 on bench-9); tags 1 to ${line.quantity} of ${line.quantity} would repeat numbers with new serials. Ask for the rest from 3;`);
    // The rest, numbered on after bench 9's.
    const rest = await ask(3, line.quantity - 2);
    expect(rest.status).toBe(201);
    await station.queue.runUntilIdle();
    await expect.poll(() => zebra.labels() - before).toBe(line.quantity - 2);
    expect(zebra.printed.at(-1)).toContain(`${line.quantity} of ${line.quantity}`);
    expect(zebra.printed.some((p) => p.includes(`1 of ${line.quantity}`))).toBe(false);
  });

  it("counts other benches' tagged lines in the list of work orders, each line once", async () => {
    // WO-24010: bench 9 alone has tagged line 10 of it.
    await station.shop!.ledger.ship('bench-9', [
      { eventId: 'bench-9:job:list:1', seq: 30, kind: 'job', at: new Date().toISOString(), payload: { ...shippedJob('list', { seq: 30, workOrderNumber: 'WO-24010', lineNumber: 10, serials: ['BP269990301'], partsTotal: 1 }) } },
    ]);
    const home = await (await kiosk('/kiosk')).text();
    // The row's last cell: "Printed".
    const badge = (wo: string) => new RegExp(`>${wo}</a></td>(?:<td>.*?</td>){3}<td>(?:<span class="badge [^"]*">([^<]*)</span>)?`).exec(home)?.[1];
    expect(badge('WO-24010')).toMatch(/^tags: 1 of \d+ lines$/);
    // WO-24003's one line: bench 9's 2 tags and this bench's rest, one line.
    expect(badge('WO-24003')).toBe('tags printed');
    // WO-24005: line 10 (both benches) and line 20 (bench 9): two lines.
    expect(badge('WO-24005')).toMatch(/^tags: 2 of 14 lines$/);
    expect(home).not.toContain('not known now');
  });

  it('says the ledger state in the status strip and in /readyz, without making the bench unready', async () => {
    const home = await (await kiosk('/kiosk')).text();
    expect(home).toMatch(/id="ledger"[^>]*>.*Shop ledger.*connected/s);
    const ready = (await (await station.app.request('/readyz')).json()) as { status: string; shop: { state: string; serialsLeft: number } };
    expect(ready).toMatchObject({ status: 'ready', shop: { state: 'connected' } });
    expect(ready.shop.serialsLeft).toBeGreaterThanOrEqual(200);
  });
});
