import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import { captureLogger } from '../helpers/logs.js';
import { asKiosk, asToken, demoStation, FROM_LAN } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
const ERP = 'erp-token-0123456789abcdefghij';
const VIEWER = 'viewer-token-0123456789abcdefg';
let station: RunningStation;
const log = captureLogger('info');

beforeAll(async () => {
  station = await demoStation(
    dir,
    (c) => {
      c.auth.tokens = [
        { name: 'erp', token: ERP, scopes: ['read', 'print'] },
        { name: 'viewer', token: VIEWER, scopes: ['read'] },
      ];
      c.server.bodyLimitBytes = 4096;
      c.goldleaf.maxRetries = 1;
      c.goldleaf.retryBaseMs = 20;
    },
    log.logger,
  );
});
afterAll(() => station.stop());

const req = (path: string, init: RequestInit = {}, env: object = FROM_LAN) => station.app.request(path, init, env);
const read = (path: string) => asToken(station.app, VIEWER)(path);

describe('station HTTP basics', () => {
  it('is alive at once and ready only once work orders are there', async () => {
    expect((await req('/healthz')).status).toBe(200);
    const before = await req('/readyz');
    expect(before.status).toBe(503);
    expect(await before.json()).toMatchObject({ status: 'not-ready', store: { ok: true }, goldleaf: { state: 'starting' } });
    await station.sync.syncOnce();
    const after = await req('/readyz');
    expect(after.status).toBe(200);
    const body = (await after.json()) as { goldleaf: { state: string; releasedWorkOrders: number }; printers: { total: number; byState: Record<string, number> } };
    expect(body.goldleaf).toMatchObject({ state: 'reachable', releasedWorkOrders: 22 });
    expect(body.printers).toMatchObject({ total: 5, byState: { ready: 5 } });
  });

  it('stays ready on cached data while GoldLeaf is down, and says so', async () => {
    station.sandbox!.state.faults.add({ kind: 'status', status: 503 });
    await station.sync.syncOnce().catch(() => undefined);
    const res = await req('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ goldleaf: { state: 'cache', releasedWorkOrders: 22 } });
    const list = (await (await read('/api/v1/workorders')).json()) as { total: number; source: { state: string; ageSeconds: number } };
    expect(list.total).toBe(22);
    expect(list.source.state).toBe('cache');
    // A page at a time, as an ERP reads it: the same work orders, in the same order, each once.
    type Page = { items: Array<{ number: string }>; total: number; offset: number; limit: number };
    const all = ((await (await read('/api/v1/workorders')).json()) as Page).items.map((w) => w.number);
    const pages: string[] = [];
    for (let offset = 0; offset < 22; offset += 10) {
      const page = (await (await read(`/api/v1/workorders?limit=10&offset=${offset}`)).json()) as Page;
      expect(page).toMatchObject({ total: 22, offset, limit: 10 });
      pages.push(...page.items.map((w) => w.number));
    }
    expect(pages).toEqual(all);
    const bad = await read('/api/v1/workorders?limit=0');
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/limit/);
    station.sandbox!.state.faults.clear();
    await station.sync.syncOnce();
  });

  it('answers unknown routes with JSON 404, never HTML', async () => {
    const res = await req('/no/such/page');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('finds a work order by number, case-insensitively, and says clearly when it is unknown', async () => {
    const one = (await (await read('/api/v1/workorders/wo-24001')).json()) as { number: string; lines: unknown[] };
    expect(one.number).toBe('WO-24001');
    expect(one.lines.length).toBeGreaterThan(0);
    const missing = await read('/api/v1/workorders/WO-99999');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'WORK_ORDER_NOT_FOUND' } });
  });

  it('needs a print token for mutations from the LAN; the kiosk on the bench PC may', async () => {
    expect((await req('/api/v1/sync', { method: 'POST' })).status).toBe(401);
    const wrong = await req('/api/v1/sync', { method: 'POST', headers: { authorization: 'Bearer not-a-valid-token-at-all-xxxx' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    const viewer = await req('/api/v1/sync', { method: 'POST', headers: { authorization: `Bearer ${VIEWER}` } });
    expect(viewer.status).toBe(403);
    const erp = await req('/api/v1/sync', { method: 'POST', headers: { authorization: `Bearer ${ERP}` } });
    expect(erp.status).toBe(200);
    expect(await erp.json()).toMatchObject({ released: 22 });
    const kiosk = await asKiosk(station.app);
    expect((await kiosk('/api/v1/sync', { method: 'POST' })).status).toBe(200);
  });

  it('refuses an oversized body with JSON 413', async () => {
    const res = await req('/api/v1/sync', { method: 'POST', body: 'x'.repeat(10_000), headers: { authorization: `Bearer ${ERP}`, 'content-type': 'text/plain' } });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'BODY_TOO_LARGE' } });
  });

  it('refuses an oversized body sent without a length (chunked) once it passes the limit', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(1000));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 10) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await req('/api/v1/sync', { method: 'POST', body, duplex: 'half', headers: { authorization: `Bearer ${ERP}`, 'content-type': 'text/plain' } } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'BODY_TOO_LARGE' } });
  });

  it('logs one line per request and never the bearer token', async () => {
    const before = log.lines().filter((l) => l.msg === 'request').length;
    await req('/api/v1/status', { headers: { authorization: `Bearer ${ERP}` } });
    const lines = log.lines().filter((l) => l.msg === 'request');
    expect(lines.length).toBe(before + 1);
    expect(lines.at(-1)).toMatchObject({ method: 'GET', path: '/api/v1/status', status: 200 });
    expect(log.text()).not.toContain(ERP);
  });

  it('serves the kiosk: the list, a scan that opens a work order, and crimp diameters per end', async () => {
    const kiosk = await asKiosk(station.app);
    const home = await kiosk('/kiosk');
    const html = await home.text();
    expect(home.status).toBe(200);
    expect(html).toContain('WO-24001');
    expect(html).toContain('Hydraulik Müller GmbH');
    expect(html).toContain('Société d&#39;Équipements Lévêque');
    const scan = await kiosk('/kiosk/open?ref=wo-24005');
    expect(scan.status).toBe(302);
    expect(scan.headers.get('location')).toBe('/kiosk/wo/WO-24005');
    // Typed rather than scanned: part of one number opens it, part of several (or a customer's name) lists them, and
    // what matches nothing is said as before.
    expect((await kiosk('/kiosk/open?ref=24005')).headers.get('location')).toBe('/kiosk/wo/WO-24005');
    expect((await kiosk('/kiosk/open?ref=2400')).headers.get('location')).toBe('/kiosk?search=2400');
    expect((await kiosk('/kiosk/open?ref=M%C3%BCller')).headers.get('location')).toMatch(/^\/kiosk(\/wo\/WO-\d+|\?search=M%C3%BCller)$/);
    const none = await kiosk('/kiosk/open?ref=99999');
    expect(none.status).toBe(404);
    expect(await none.text()).toContain('Work order &quot;99999&quot; is not among the released work orders');
    const page = await (await kiosk('/kiosk/wo/wo-24005')).text();
    const wo = (await (await kiosk('/api/v1/workorders/WO-24005')).json()) as { lines: Array<{ assembly?: { end1: { crimp?: { diameter?: { value: number } } } } }> };
    const diameter = wo.lines.find((l) => l.assembly?.end1.crimp?.diameter)!.assembly!.end1.crimp!.diameter!.value;
    expect(page).toContain(`${diameter.toFixed(2)} +0.1/−0.2 mm`);
    expect((await kiosk('/kiosk/wo/NOPE')).status).toBe(404);
  });

  it('turns a failing store into a 503 readiness with the reason', async () => {
    const other = await demoStation(tempDir());
    await other.sync.syncOnce();
    other.store.close();
    const res = await other.app.request('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ store: { ok: false } });
    await other.stop();
  });
});
