import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import { startTcpPrinter, type EscPosDouble, type TcpPrinterDouble } from '../doubles/tcp-printer.js';
import { asKiosk, demoStation, FROM_LAN } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
let station: RunningStation;
let zebra: TcpPrinterDouble;
let receipt: EscPosDouble;
beforeAll(async () => {
  zebra = await startTcpPrinter('zpl');
  receipt = await startTcpPrinter('escpos');
  station = await demoStation(dir, (c) => {
    c.printers = [
      { id: 'tags', name: 'Zebra at the crimper', driver: 'zpl', uri: zebra.uri, dpmm: 8, media: { widthMm: 76, heightMm: 25 }, options: {} },
      { id: 'receipt', driver: 'escpos', uri: receipt.uri, dpmm: 8, options: {} },
      { id: 'broken', driver: 'zpl', uri: 'not a uri', dpmm: 8, options: {} },
    ];
  });
});
afterAll(async () => {
  await station.stop();
  await zebra.close();
  await receipt.close();
});

describe('printer routes', () => {
  it('lists every printer with its state and when it was last seen; a broken one says why', async () => {
    const kiosk = await asKiosk(station.app);
    const body = (await (await kiosk('/api/v1/printers')).json()) as { items: Array<{ id: string; state: string; lastSeenAt?: string; problem?: string }> };
    const byId = Object.fromEntries(body.items.map((p) => [p.id, p]));
    expect(byId.tags).toMatchObject({ state: 'ready' });
    expect(Date.parse(byId.tags!.lastSeenAt!)).toBeGreaterThan(Date.now() - 10_000);
    expect(byId.receipt).toMatchObject({ state: 'ready' });
    expect(byId.broken).toMatchObject({ state: 'error' });
    expect(byId.broken!.problem).toMatch(/not a URI/);
    zebra.state = 'head-open';
    expect(await (await kiosk('/api/v1/printers/tags')).json()).toMatchObject({ state: 'head-open' });
    zebra.state = 'ready';
  });

  it('sends a test print in the printer\'s own language', async () => {
    const kiosk = await asKiosk(station.app);
    const res = await kiosk('/api/v1/printers/tags/test-print', { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ printer: 'tags', format: 'zpl', job: { state: 'done', partsSent: 1, requestedBy: 'kiosk' } });
    const zpl = zebra.received().toString('utf8');
    expect(zpl).toMatch(/^\^XA/);
    expect(zpl).toContain('benchprint test print');
    const r = await kiosk('/api/v1/printers/receipt/test-print', { method: 'POST' });
    expect(await r.json()).toMatchObject({ format: 'escpos' });
    expect(receipt.received().toString('latin1')).toContain('printer receipt');
    expect((await station.app.request('/api/v1/printers/tags/test-print', { method: 'POST' }, FROM_LAN)).status).toBe(401);
    expect((await kiosk('/api/v1/printers/broken/test-print', { method: 'POST' })).status).toBe(409);
    const tests = await (await kiosk('/api/v1/jobs?printer=tags')).json();
    expect(tests).toMatchObject({ count: 1, items: [{ kind: 'test', state: 'done' }] });
  });
});
