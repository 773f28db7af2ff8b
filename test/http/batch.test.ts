// Several print requests in one call (POST /api/v1/jobs/batch), as the kiosk's "Print everything" sends them: each
// answers as it would alone, one refused stops none of the others, a retry with the same key makes nothing twice, and
// the station makes every one even when the caller is gone before the answer.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import { startTcpPrinter, type TcpPrinterDouble } from '../doubles/tcp-printer.js';
import { demoStation, FROM_LAN } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
const TOKEN = 'erp-token-0123456789abcdefghijklmn';
let station: RunningStation;
let zebra: TcpPrinterDouble;

beforeAll(async () => {
  zebra = await startTcpPrinter('zpl');
  station = await demoStation(dir, (c) => {
    c.auth.tokens = [{ name: 'erp', token: TOKEN, scopes: ['read', 'print'] }];
    c.printers = [
      { id: 'tags', name: 'Zebra tags', driver: 'zpl', uri: zebra.uri, dpmm: 8, options: {} },
      { id: 'office', name: 'Office PDF', driver: 'folder', uri: `file://${dir}/office`, dpmm: 8, options: { formats: ['pdf', 'file'], create: true } },
    ];
  });
  await station.sync.syncOnce();
});
afterAll(async () => {
  await station.stop();
  await zebra.close();
});

interface Item {
  status: number;
  job?: { id: string; title: string; duplicate?: unknown };
  error?: { code: string; message: string };
}

const batch = (requests: object[], key?: string) =>
  station.app.request(
    '/api/v1/jobs/batch',
    { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) }, body: JSON.stringify({ requests }) },
    FROM_LAN,
  );
const jobsOf = (wo: string) => station.jobs.list({ workOrder: wo, limit: 100 });

describe('a batch of print requests', () => {
  it('makes each in order, answers each as alone, and one refused stops none of the others', async () => {
    const res = await batch(
      [
        { kind: 'labels', printer: 'tags', workOrder: 'WO-24010', line: 10, template: 'hose-tag' },
        { kind: 'raw', printer: 'tags', zpl: '^XA^XZ' }, // raw ZPL needs an admin token
        { kind: 'document', printer: 'tags', workOrder: 'WO-24010', document: 'datasheet' }, // a page on 76 x 25 mm tags
        { kind: 'document', printer: 'office', workOrder: 'WO-24010', document: 'datasheet' },
      ],
      'press-1',
    );
    expect(res.status).toBe(201);
    const { items } = (await res.json()) as { items: Item[] };
    expect(items.map((i) => i.status)).toEqual([201, 403, 422, 201]);
    expect(items[1]!.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/admin token/) });
    expect(items[2]!.error!.code).toMatch(/DOCUMENT|PRINTER|FORMAT/);
    expect(items[0]!.job!.title).toMatch(/tags for WO-24010 line 10/);
    expect(items[3]!.job!.title).toMatch(/Datasheet WO-24010/);
    expect(jobsOf('WO-24010').map((j) => j.id).sort()).toEqual([items[0]!.job!.id, items[3]!.job!.id].sort());
    await station.queue.runUntilIdle();
    expect(zebra.labels()).toBe(6); // line 10's six hoses

    // The same call again (a retry after a lost answer): the same jobs, nothing made twice.
    const again = await batch([{ kind: 'labels', printer: 'tags', workOrder: 'WO-24010', line: 10, template: 'hose-tag' }, { kind: 'raw', printer: 'tags', zpl: '^XA^XZ' }, { kind: 'document', printer: 'tags', workOrder: 'WO-24010', document: 'datasheet' }, { kind: 'document', printer: 'office', workOrder: 'WO-24010', document: 'datasheet' }], 'press-1');
    expect(again.status).toBe(200);
    const retried = ((await again.json()) as { items: Item[] }).items;
    expect(retried.map((i) => i.status)).toEqual([200, 403, 422, 200]);
    expect([retried[0]!.job!.id, retried[3]!.job!.id]).toEqual([items[0]!.job!.id, items[3]!.job!.id]);
    expect(jobsOf('WO-24010')).toHaveLength(2);
  });

  it('says a malformed batch is malformed, item by item, and makes nothing', async () => {
    const res = await batch([{ kind: 'labels', printer: 'tags', workOrder: 'WO-24013' }, { kind: 'nothing' }]);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/requests\[0\]\.template.*requests\[1\]\.kind|requests\[1\]\.kind.*requests\[0\]\.template/s);
    expect(jobsOf('WO-24013')).toHaveLength(0);
    expect((await batch([])).status).toBe(422);
  });

  it('makes every job of a call whose caller went away before the answer (a page left mid-press)', async () => {
    const body = JSON.stringify({
      requests: [10, 20, 30, 40, 50].map((line) => ({ kind: 'labels', printer: 'tags', workOrder: 'WO-24013', line, template: 'hose-tag' })).concat([{ kind: 'document', printer: 'office', workOrder: 'WO-24013', document: 'datasheet' }] as never[]),
    });
    const url = new URL(station.url);
    const socket = connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.end(`POST /api/v1/jobs/batch HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    socket.destroy(); // gone before any answer
    await expect.poll(() => jobsOf('WO-24013').length, { timeout: 15_000 }).toBe(6);
    expect(jobsOf('WO-24013').filter((j) => j.kind === 'labels').map((j) => j.lineNumber).sort()).toEqual([10, 20, 30, 40, 50]);
  });
});
