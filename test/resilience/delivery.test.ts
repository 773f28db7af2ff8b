// Issue #14 end to end: the real station process against a Zebra-like printer double and the GoldLeaf sandbox. Each
// case ends with the right state, the right count at the printer, and no label printed twice when the operator
// follows the station's advice.
import { describe, expect, it } from 'vitest';
import { expectSound, json, labelsBySerial, post, settle, zebraBenches, type JobView, type Running } from './harness.js';

const bench = zebraBenches('bp-delivery-', { queue: { retryBaseMs: 200, retryMaxMs: 1000, holdPollMs: 300 } });

const tags = (quantity: number, line = 10) => ({ kind: 'labels', printer: 'tags', workOrder: 'WO-24005', line, template: 'hose-tag', quantity });
const job = async (r: Running, id: string) => (await json<JobView & { waitingReason?: string; partsConfirmed: number; resume?: Array<{ from: number }> }>(`${r.url}/api/v1/jobs/${id}`)).body;

describe('done means the printer confirmed it', () => {
  it.each([
    ['paper-out', 'no-media', 'Tag printer: out of labels'],
    ['head-open', 'head-open', 'Tag printer: print head is open'],
  ] as const)('a printer answering %s gets nothing: the job waits, saying why, and prints once when the printer is ready', async (state, mapped, reason) => {
    const { r, zebra } = await bench();
    zebra.state = state;
    await expect.poll(async () => (await json<{ state: string }>(`${r.url}/api/v1/printers/tags`)).body.state, { timeout: 10_000 }).toBe(mapped);
    const { id } = (await post(`${r.url}/api/v1/jobs`, tags(3))).body as { id: string };
    await expect.poll(async () => (await job(r, id)).waitingReason, { timeout: 10_000 }).toBe(reason);
    await new Promise((res) => setTimeout(res, 1000));
    expect((await job(r, id)).state).toBe('queued');
    expect(zebra.labels() + zebra.buffered()).toBe(0);
    zebra.state = 'ready';
    await expect.poll(async () => (await job(r, id)).state, { timeout: 10_000 }).toBe('done');
    await expect.poll(() => zebra.labels()).toBe(3);
    await expectSound(r, await settle(r), labelsBySerial(zebra.printed));
  });

  it('a printer that does not answer ~HS gets nothing and the job says so; it prints once the printer answers', async () => {
    const { r, zebra } = await bench();
    zebra.mode = 'silent';
    const { id } = (await post(`${r.url}/api/v1/jobs`, tags(3))).body as { id: string };
    await expect.poll(async () => (await job(r, id)).waitingReason ?? '', { timeout: 10_000 }).toMatch(/^Tag printer: no answer to ~HS within 500 ms/);
    expect(zebra.labels() + zebra.buffered()).toBe(0);
    zebra.mode = 'normal';
    await expect.poll(async () => (await job(r, id)).state, { timeout: 10_000 }).toBe('done');
    await expect.poll(() => zebra.labels()).toBe(3);
  });

  it('labels running out mid-job: the printer keeps what it confirmed, the rest waits, nothing is printed twice', async () => {
    const { r, zebra } = await bench({ maxAhead: 6 });
    zebra.msPerLabel = 10;
    zebra.paperLeft = 7;
    const { id } = (await post(`${r.url}/api/v1/jobs`, tags(40))).body as { id: string };
    await expect.poll(async () => (await job(r, id)).waitingReason ?? '', { timeout: 10_000 }).toMatch(/^Tag printer: out of labels/);
    const waiting = await job(r, id);
    expect(waiting.state).toBe('queued');
    expect(zebra.labels()).toBe(7);
    expect(zebra.labels() + zebra.buffered()).toBe(waiting.partsConfirmed);
    zebra.state = 'ready';
    await expect.poll(async () => (await job(r, id)).state, { timeout: 15_000 }).toBe('done');
    await expect.poll(() => zebra.labels()).toBe(40);
    const jobs = await settle(r);
    const received = labelsBySerial(zebra.printed);
    expect(received.size).toBe(40);
    await expectSound(r, jobs, received);
  });

  it('labels running out after the printer confirmed them all: the job says they wait in it, and is done once out', async () => {
    // Two labels a confirmation: the last label's answer comes after the printer ran out on label 4.
    const { r, zebra } = await bench({ confirmEvery: 2 });
    zebra.msPerLabel = 0;
    zebra.paperLeft = 3;
    const { id } = (await post(`${r.url}/api/v1/jobs`, tags(5))).body as { id: string };
    await expect.poll(async () => (await job(r, id)).waitingReason ?? '', { timeout: 10_000 }).toMatch(/^Tag printer: out of labels/);
    const waiting = await job(r, id);
    expect(waiting).toMatchObject({ state: 'printing', partsConfirmed: 5 });
    expect(zebra.labels()).toBe(3);
    zebra.state = 'ready';
    await expect.poll(async () => (await job(r, id)).state, { timeout: 10_000 }).toBe('done');
    expect((await job(r, id)).waitingReason).toBeUndefined();
    await expect.poll(() => zebra.labels()).toBe(5);
    await expectSound(r, await settle(r), labelsBySerial(zebra.printed));
  });

  it('a cut after 3 of 8 labels is not "done": the operator is told what arrived and resumes after the last tag', async () => {
    // Confirmed in groups of five.
    const { r, zebra } = await bench({ confirmEvery: 5 });
    zebra.mode = 'cut';
    zebra.cutAfterFormats = 3;
    const { id, serials } = (await post(`${r.url}/api/v1/jobs`, tags(8))).body as { id: string; serials: string[] };
    await expect.poll(async () => (await job(r, id)).state, { timeout: 10_000 }).toBe('needs-attention');
    const cut = await job(r, id);
    expect(cut.attention).toMatch(/The printer confirmed no label of this job\. Labels 1 to 5 .* may have printed\. Labels 6 to 8 .* were not received\./);
    expect(cut.resume!.map((c) => c.from)).toEqual([1, 6]);
    await expect.poll(() => zebra.labels()).toBe(3);
    zebra.mode = 'normal';
    // The operator does what the note says first: scan the last tag that came out.
    const last = [...labelsBySerial(zebra.printed).keys()].at(-1)!;
    expect(last).toBe(serials[2]);
    expect((await post(`${r.url}/api/v1/jobs/${id}/resume`, { afterSerial: last })).status).toBe(201);
    const jobs = await settle(r);
    await expect.poll(() => zebra.labels()).toBe(8);
    const received = labelsBySerial(zebra.printed);
    expect([...received.keys()]).toEqual(serials);
    await expectSound(r, jobs, received);
  });

  it('a cut while the printer still holds labels: printing them again is refused until they are out, then doubles nothing', async () => {
    const { r, zebra } = await bench();
    zebra.msPerLabel = 250;
    zebra.mode = 'cut';
    zebra.cutAfterFormats = 12;
    const { id, serials } = (await post(`${r.url}/api/v1/jobs`, tags(20))).body as { id: string; serials: string[] };
    await expect.poll(async () => (await job(r, id)).state, { timeout: 10_000 }).toBe('needs-attention');
    zebra.mode = 'normal';
    const cut = await job(r, id);
    // A Zebra prints what it received after the connection is gone: the labels in doubt are still coming out.
    expect(zebra.buffered()).toBeGreaterThan(3);
    const early = await post(`${r.url}/api/v1/jobs/${id}/reprint`, { from: cut.partsConfirmed + 1 });
    expect(early.status).toBe(409);
    expect((early.body as { error: { message: string } }).error.message).toMatch(/^Tag printer still holds \d+ labels it has not printed, which may be this job's/);
    expect((await job(r, id)).state).toBe('needs-attention');
    // Another job goes to the printer meanwhile: its labels come out after the ones the printer held.
    const other = (await post(`${r.url}/api/v1/jobs`, tags(8, 20))).body as { id: string; serials: string[] };
    await expect.poll(async () => (await job(r, other.id)).state, { timeout: 10_000 }).toBe('done');
    expect((await post(`${r.url}/api/v1/jobs/${id}/reprint`, { from: cut.partsConfirmed + 1 })).status).toBe(409);
    // Once what it holds is only the other job's labels, none of this job's can come out any more: it may go on.
    await expect.poll(() => labelsBySerial(zebra.printed).has(serials[11]!), { timeout: 10_000 }).toBe(true);
    expect(zebra.buffered()).toBeGreaterThan(0);
    const last = [...labelsBySerial(zebra.printed).keys()].filter((s) => serials.includes(s)).at(-1)!;
    expect(last).toBe(serials[11]);
    expect((await post(`${r.url}/api/v1/jobs/${id}/resume`, { afterSerial: last })).status).toBe(201);
    const jobs = await settle(r);
    await expect.poll(() => zebra.labels(), { timeout: 15_000 }).toBe(28);
    const received = labelsBySerial(zebra.printed);
    expect([...received.keys()].filter((s) => serials.includes(s))).toEqual(serials);
    expect(received.size).toBe(28);
    await expectSound(r, jobs, received);
  });

  it('a cut after 50 of 2,000: at most one group in doubt, and resuming as advised loses and doubles nothing', async () => {
    // Confirmed in groups of five.
    const { r, zebra } = await bench({ confirmEvery: 5 });
    zebra.mode = 'cut';
    zebra.cutAfterFormats = 50;
    const { id, serials } = (await post(`${r.url}/api/v1/jobs`, tags(2000))).body as { id: string; serials: string[] };
    await expect.poll(async () => (await job(r, id)).state, { timeout: 20_000 }).toBe('needs-attention');
    const cut = await job(r, id);
    expect(cut).toMatchObject({ partsConfirmed: 45, partsSent: 50 });
    expect(cut.attention).toContain('Labels 1 to 45');
    expect(cut.attention).toContain('Labels 46 to 50');
    expect(cut.attention).toContain('Labels 51 to 2000');
    expect(cut.resume!.map((c) => c.from)).toEqual([46, 51]);
    await expect.poll(() => zebra.labels()).toBe(50);
    zebra.mode = 'normal';
    // Label 50 came out, so the note says: resume from 51.
    expect((await post(`${r.url}/api/v1/jobs/${id}/reprint`, { from: 51 })).status).toBe(201);
    const jobs = await settle(r, 60_000);
    await expect.poll(() => zebra.labels(), { timeout: 30_000 }).toBe(2000);
    const received = labelsBySerial(zebra.printed);
    expect([...received.keys()]).toEqual(serials);
    await expectSound(r, jobs, received);
  }, 90_000);
});

describe('text the printer font cannot draw', () => {
  it('prints "Müller 日本 🚀" as a graphic of that line, and a 2,000-character value with its start kept', async () => {
    const { r, zebra } = await bench();
    const labels = [{ workOrder: { number: 'WO-1', customer: { name: 'Müller 日本 🚀' }, description: `CPN ${'X1'.repeat(1000)}` } }];
    expect((await post(`${r.url}/api/v1/jobs`, { kind: 'template', printer: 'tags', template: 'work-order-label', labels })).status).toBe(201);
    await settle(r);
    await expect.poll(() => zebra.labels()).toBe(1);
    const label = zebra.printed[0]!;
    expect(label.match(/\^GFA,/g)).toHaveLength(1);
    expect(label).not.toContain('日本');
    expect(label).toMatch(/\^FDCPN (X1){10,}X?\.\.\.\^FS/);
  });
});

describe('one bad record stops nothing else', () => {
  it('a work order GoldLeaf answers with invalid JSON is skipped and named; the others sync; its copy is kept', async () => {
    const { r } = await bench();
    const list = (await json<{ items: Array<{ id: string; number: string }> }>(`${r.url}/api/v1/workorders`)).body.items;
    const bad = list[2]!;
    await post(`${r.sandbox}/__sandbox/faults`, { kind: 'malformed', pathIncludes: `/workorder/${bad.id}` });
    // The sandbox bumps nothing on its own: ask for a full pass by touching every work order.
    for (const w of list) await post(`${r.sandbox}/__sandbox/workorders/${w.id}/status`, { status: 'Released' });
    const sync = await post(`${r.url}/api/v1/sync`, {});
    expect(sync.status).toBe(200);
    const report = sync.body as { resolved: number; problems: string[] };
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatch(new RegExp(`^${bad.number}: GoldLeaf's answer to GET /workorder/.* is not JSON`));
    expect(report.resolved).toBe(list.length - 1);
    const ready = (await json<{ goldleaf: { state: string; problems: string[] } }>(`${r.url}/readyz`)).body;
    expect(ready.goldleaf.state).toBe('reachable');
    expect(ready.goldleaf.problems).toEqual(report.problems);
    const kept = (await json<{ stale?: { reason: string } }>(`${r.url}/api/v1/workorders/${bad.number}`)).body;
    expect(kept.stale?.reason).toMatch(/not JSON/);
    // The bench still prints, from the fresh copies and from the kept one.
    expect((await post(`${r.url}/api/v1/jobs`, tags(2))).status).toBe(201);
    expect((await post(`${r.url}/api/v1/jobs`, { kind: 'document', printer: 'tags', workOrder: bad.number, document: 'traveler' })).status).toBeLessThan(500);
  });
});
