import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import { closedPort, startTcpPrinter, type TcpPrinterDouble } from '../doubles/tcp-printer.js';
import { soon, zplLabels } from '../helpers/queue.js';
import { asKiosk, demoStation, FROM_LAN } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
const ADMIN = 'admin-token-0123456789abcdefghij';
let station: RunningStation;
let a: TcpPrinterDouble;
let b: TcpPrinterDouble;
let latePort: number;

beforeAll(async () => {
  a = await startTcpPrinter('zpl');
  b = await startTcpPrinter('zpl');
  latePort = await closedPort();
  station = await demoStation(dir, (c) => {
    c.auth.tokens = [{ name: 'office', token: ADMIN, scopes: ['read', 'print', 'admin'] }];
    c.queue.retryBaseMs = 100;
    c.queue.retryMaxMs = 300;
    c.printers = [
      { id: 'a', driver: 'zpl', uri: a.uri, dpmm: 8, options: { writeTimeoutMs: 1000 } },
      { id: 'b', driver: 'zpl', uri: b.uri, dpmm: 8, options: { writeTimeoutMs: 1000, confirmEvery: 5 } },
      { id: 'late', driver: 'zpl', uri: `tcp://127.0.0.1:${latePort}`, dpmm: 8, options: { connectTimeoutMs: 300 } },
      { id: 'sheets', driver: 'folder', uri: `file://${dir}/sheets`, dpmm: 8, options: { formats: ['pdf'], create: true } },
    ];
  });
  await station.sync.syncOnce();
});
afterAll(async () => {
  await station.stop();
  await a.close();
  await b.close();
});

let kiosk: Awaited<ReturnType<typeof asKiosk>>;
beforeAll(async () => {
  kiosk = await asKiosk(station.app);
});
/** As the kiosk on the bench PC, or (env FROM_LAN) from another PC. */
const post = (path: string, body: unknown, headers: Record<string, string> = {}, env?: object) => {
  const init = { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } };
  return env ? station.app.request(path, init, env) : kiosk(path, init);
};
const get = async (path: string) => (await kiosk(path)).json() as Promise<any>;

describe('print queue', () => {
  it('prints a line\'s tags once, in order, and records who asked, the template version, serials and each state', async () => {
    const before = a.labels();
    const res = await post('/api/v1/jobs', { kind: 'labels', printer: 'a', workOrder: 'WO-24005', line: 10, template: 'hose-tag', quantity: 6 });
    expect(res.status).toBe(201);
    const job = (await res.json()) as { id: string; serials: string[] };
    await station.queue.runUntilIdle();
    expect(a.labels() - before).toBe(6);
    const done = await get(`/api/v1/jobs/${job.id}`);
    expect(done).toMatchObject({ state: 'done', requestedBy: 'kiosk', printerId: 'a', workOrderNumber: 'WO-24005', lineNumber: 10, templateId: 'hose-tag', templateVersion: 1, partsTotal: 6, partsSent: 6 });
    expect(done.serials).toHaveLength(6);
    expect(done.history.map((h: { state: string }) => h.state)).toEqual(['queued', 'printing', 'done']);
    const text = a.received().toString('utf8');
    for (const s of done.serials) expect(text).toContain(s);
  });

  it('makes one job of the same request sent twice at once with one Idempotency-Key', async () => {
    const before = a.labels();
    const body = { kind: 'labels', printer: 'a', workOrder: 'WO-24001', line: 10, template: 'hose-tag', quantity: 3 };
    const [r1, r2] = await Promise.all([post('/api/v1/jobs', body, { 'idempotency-key': 'tap-123' }), post('/api/v1/jobs', body, { 'idempotency-key': 'tap-123' })]);
    const [j1, j2] = [(await r1.json()) as { id: string }, (await r2.json()) as { id: string }];
    expect(j1.id).toBe(j2.id);
    expect([r1.status, r2.status].sort()).toEqual([200, 201]);
    const again = await post('/api/v1/jobs', body, { 'idempotency-key': 'tap-123' });
    expect(((await again.json()) as { id: string }).id).toBe(j1.id);
    await station.queue.runUntilIdle();
    expect(a.labels() - before).toBe(3);
  });

  it('waits for a printer that is offline for a while, then prints once', async () => {
    const { job } = station.queue.submit({ printerId: 'late', requestedBy: 'test', kind: 'raw', document: zplLabels(4, 'late'), expiresAt: soon(60_000) });
    // Tried once, it waits with the reason; then the printer is asked whether it is back, and the job is not taken
    // again meanwhile (taken, it would show "printing" through each connection attempt while the printer is off).
    await expect.poll(() => station.queue.get(job.id).error, { interval: 20 }).toMatch(/refused the connection/);
    const seen = new Set<string>();
    const watch = setInterval(() => seen.add(station.queue.get(job.id).state), 2);
    await new Promise((r) => setTimeout(r, 1000)); // retries every 100 to 300 ms
    clearInterval(watch);
    expect([...seen]).toEqual(['queued']);
    expect(station.queue.get(job.id)).toMatchObject({ attempts: 1, waitingReason: expect.stringMatching(/refused the connection/) });
    const late = await startTcpPrinter('zpl', latePort);
    try {
      await expect.poll(() => station.queue.get(job.id).state, { timeout: 5000 }).toBe('done');
      expect(late.labels()).toBe(4);
      await new Promise((r) => setTimeout(r, 400));
      expect(late.labels()).toBe(4);
    } finally {
      await late.close();
    }
  });

  it('lets a job expire rather than print long after it was wanted', async () => {
    const { job } = station.queue.submit({ printerId: 'late', requestedBy: 'test', kind: 'raw', document: zplLabels(1, 'stale'), expiresAt: soon(400) });
    await expect.poll(() => station.queue.get(job.id).state, { timeout: 5000 }).toBe('expired');
  });

  it('never resends a job cut mid-way: it says what the printer confirmed, what is in doubt, and resumes after the scanned tag', async () => {
    const res = await post('/api/v1/jobs', { kind: 'labels', printer: 'b', workOrder: 'WO-24005', line: 10, template: 'hose-tag', quantity: 40 });
    const job = (await res.json()) as { id: string; serials: string[] };
    b.mode = 'cut';
    b.cutAfterFormats = 17;
    const before = b.labels();
    await station.queue.runUntilIdle();
    const cut = (await get(`/api/v1/jobs/${job.id}`)) as { state: string; attention: string; partsConfirmed: number; partsSent: number; resume: Array<{ from: number; when: string }> };
    expect(cut.state).toBe('needs-attention');
    // Confirmed in groups of five: 15 proven, 16 to 20 handed over (17 arrived), 21 to 40 never sent.
    expect(cut).toMatchObject({ partsConfirmed: 15, partsSent: 20 });
    expect(cut.attention).toContain(`Labels 1 to 15 (serials ${job.serials[0]} to ${job.serials[14]}) were confirmed by the printer.`);
    expect(cut.attention).toContain(`Labels 16 to 20 (serials ${job.serials[15]} to ${job.serials[19]}) may have printed.`);
    expect(cut.attention).toContain(`Labels 21 to 40 (serials ${job.serials[20]} to ${job.serials[39]}) were not received.`);
    expect(cut.attention).toMatch(/The printer goes on printing the labels it received: wait until it has stopped, then scan the last tag that came out/);
    expect(cut.resume.map((r) => r.from)).toEqual([16, 21]);
    await expect.poll(() => b.labels() - before).toBe(17);
    await new Promise((r) => setTimeout(r, 300));
    expect(b.labels() - before).toBe(17); // nothing resent on its own
    // The operator scans the last tag that came out of the printer: the job goes on right after it.
    b.mode = 'normal';
    const last = /\^FD(BP\d+)\^FS/.exec(b.printed.at(-1)!)![1]!;
    expect(last).toBe(job.serials[16]);
    const resumed = await post(`/api/v1/jobs/${job.id}/resume`, { afterSerial: last });
    expect(resumed.status).toBe(201);
    const next = (await resumed.json()) as { id: string; serials: string[]; isReprint: boolean; reprintOf: string; firstPart: number };
    expect(next).toMatchObject({ isReprint: true, reprintOf: job.id, firstPart: 18 });
    expect(next.serials).toEqual(job.serials.slice(17));
    await station.queue.runUntilIdle();
    await expect.poll(() => b.labels() - before).toBe(40);
    const serials = b.printed.slice(-40).map((f) => /\^FD(BP\d+)\^FS/.exec(f)![1]);
    expect(serials).toEqual(job.serials);
    expect(station.queue.get(job.id).state).toBe('failed');
    expect(station.jobs.events(job.id).at(-1)!.detail).toMatch(new RegExp(`labels 18 to 40 again as job ${next.id}`));
    // A tag that is not this job's is refused with what to scan instead.
    const wrong = await post(`/api/v1/jobs/${next.id}/resume`, { afterSerial: 'XX1' });
    expect(wrong.status).toBe(422);
  });

  it('holds jobs while the printer is out of labels, says why, and prints each label once when it is reloaded', async () => {
    b.state = 'paper-out';
    const before = b.labels();
    const j1 = (await (await post('/api/v1/jobs', { kind: 'labels', printer: 'b', workOrder: 'WO-24005', line: 10, template: 'hose-tag', quantity: 3 })).json()) as { id: string };
    const j2 = station.queue.submit({ printerId: 'b', requestedBy: 'test', kind: 'raw', document: zplLabels(2, 'second'), expiresAt: soon(60_000) }).job;
    await expect.poll(() => station.queue.get(j1.id).waitingReason, { timeout: 5000 }).toBe('b: out of labels');
    expect(station.queue.get(j1.id).state).toBe('queued');
    expect(station.queue.get(j2.id).state).toBe('queued');
    expect((await get('/api/v1/printers/b')).state).toBe('no-media');
    await new Promise((r) => setTimeout(r, 500));
    expect(b.labels() + b.buffered() - before).toBe(0);
    b.state = 'ready';
    await expect.poll(() => station.queue.get(j2.id).state, { timeout: 10_000 }).toBe('done');
    expect(station.queue.get(j1.id)).toMatchObject({ state: 'done', partsConfirmed: 3 });
    await expect.poll(() => b.labels() - before).toBe(5);
    // The first job's labels came first, then the second's.
    expect(b.printed.slice(-2).every((f) => f.includes('second'))).toBe(true);
  });

  it('cancels a waiting job, pauses and resumes a printer\'s queue, and moves waiting jobs to another printer', async () => {
    const admin = { authorization: `Bearer ${ADMIN}` };
    expect((await post('/api/v1/printers/a/pause', {}, {}, FROM_LAN)).status).toBe(401);
    expect((await post('/api/v1/printers/a/pause', {}, admin, FROM_LAN)).status).toBe(200);
    const before = { a: a.labels(), b: b.labels() };
    const j1 = station.queue.submit({ printerId: 'a', requestedBy: 'kiosk', kind: 'raw', document: zplLabels(2, 'cancel me'), expiresAt: soon(60_000) }).job;
    const j2 = station.queue.submit({ printerId: 'a', requestedBy: 'test', kind: 'raw', document: zplLabels(3, 'move me'), expiresAt: soon(60_000) }).job;
    const j3 = station.queue.submit({ printerId: 'a', requestedBy: 'kiosk', kind: 'raw', document: zplLabels(5, 'stay'), expiresAt: soon(60_000) }).job;
    await new Promise((r) => setTimeout(r, 200));
    expect(a.labels()).toBe(before.a);
    expect((await post(`/api/v1/jobs/${j2.id}/cancel`, {})).status).toBe(403); // someone else's job needs an admin
    expect((await post(`/api/v1/jobs/${j1.id}/cancel`, {})).status).toBe(200);
    expect((await post('/api/v1/jobs/move', { jobs: [j2.id], to: 'sheets' }, admin, FROM_LAN)).status).toBe(422); // a folder of PDFs takes no ZPL
    const moved = await post('/api/v1/jobs/move', { jobs: [j2.id], to: 'b' }, admin, FROM_LAN);
    expect(moved.status).toBe(200);
    await station.queue.runUntilIdle();
    expect(b.labels() - before.b).toBe(3);
    expect(station.queue.get(j3.id).state).toBe('queued');
    await post('/api/v1/printers/a/resume', {}, admin, FROM_LAN);
    await station.queue.runUntilIdle();
    expect(a.labels() - before.a).toBe(5);
    expect(station.queue.get(j1.id).state).toBe('cancelled');
    expect((await post(`/api/v1/jobs/${j3.id}/cancel`, {})).status).toBe(409);
  });

  it('finds jobs by work order, serial, printer and date, and exports the history as CSV', async () => {
    const byWo = await get('/api/v1/jobs?workOrder=wo-24005');
    expect(byWo.items.length).toBeGreaterThanOrEqual(2);
    const serial = byWo.items.find((j: { serials: string[] }) => j.serials.length)!.serials[2];
    const bySerial = await get(`/api/v1/jobs?serial=${serial}`);
    expect(bySerial.items.every((j: { serials: string[] }) => j.serials.includes(serial))).toBe(true);
    expect(bySerial.items.length).toBeGreaterThanOrEqual(1);
    expect((await get('/api/v1/jobs?printer=late&state=expired')).count).toBe(1);
    expect((await get(`/api/v1/jobs?from=${encodeURIComponent(soon(60_000))}`)).count).toBe(0);
    const csv = await (await kiosk('/api/v1/history.csv?workOrder=WO-24005')).text();
    const rows = csv.trim().split('\r\n');
    expect(rows[0]).toBe('job,created,started,finished,state,requested_by,printer,kind,work_order,line,template,document,origin,labels,labels_sent,first_serial,last_serial,reprint_of,attempts,error');
    expect(rows.length - 1).toBe(byWo.count);
    expect(rows.some((r) => r.includes(',needs-attention,') || r.includes(',failed,'))).toBe(true);
  });
});

describe('live events', () => {
  it('streams job changes as Server-Sent Events', async () => {
    const res = await fetch(`${station.url}/api/v1/events`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const { job } = station.queue.submit({ printerId: 'a', requestedBy: 'test', kind: 'raw', document: zplLabels(2, 'sse'), expiresAt: soon(60_000) });
    let text = '';
    const deadline = Date.now() + 5000;
    while (!text.includes(`"id":"${job.id}","printerId":"a","state":"done"`) && Date.now() < deadline) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const states = [...text.matchAll(/event: job\.changed\ndata: (.*)\n/g)].map((m) => JSON.parse(m[1]!) as { job: { id: string; state: string } }).filter((e) => e.job.id === job.id).map((e) => e.job.state);
    expect(states).toEqual(['queued', 'printing', 'done']);
  });
});

describe('labels from explicit data', () => {
  it('prints a template filled with data from the request, escaped like any other', async () => {
    const before = a.labels();
    const res = await post('/api/v1/jobs', {
      kind: 'template',
      printer: 'a',
      template: 'work-order-label',
      labels: [{ workOrder: { number: 'ERP-1^XZ', customer: { name: 'Ölhydraulik Nord' } }, po: 'PO-9' }, { workOrder: { number: 'ERP-2' } }],
    });
    expect(res.status).toBe(201);
    await station.queue.runUntilIdle();
    expect(a.labels() - before).toBe(2);
    const text = a.received().toString('utf8');
    expect(text).toContain('ERP-1_5EXZ');
    expect(text).toContain('Ölhydraulik Nord');
  });
});
