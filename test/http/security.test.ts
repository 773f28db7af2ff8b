// Trust at the bench: a web page on the bench PC cannot print, a hostile DNS name reaches nothing, the admin PIN cannot
// be guessed, LAN reads need a token, and the same request twice makes one job and one serial batch.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import { captureLogger } from '../helpers/logs.js';
import { asKiosk, asToken, demoStation, FROM_LAN, FROM_LOOPBACK } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
const ERP = 'erp-token-0123456789abcdefghij';
const PIN = '4711';
const KIOSK_PI = '192.168.1.40';
let station: RunningStation;
const log = captureLogger('info');

beforeAll(async () => {
  station = await demoStation(
    dir,
    (c) => {
      c.auth.tokens = [{ name: 'erp', token: ERP, scopes: ['read', 'print'] }];
      c.auth.adminPin = PIN;
      c.auth.kioskAddresses = [KIOSK_PI];
      c.server.allowedHosts = ['bench2.hoseshop.lan'];
    },
    log.logger,
  );
  await station.sync.syncOnce();
});
afterAll(() => station.stop());

const labels = { kind: 'labels', printer: 'tags', workOrder: 'WO-24005', line: 10, template: 'hose-tag', quantity: 2 };
const jobCount = () => station.jobs.list({ limit: 10_000 }).length;
const from = (address: string) => ({ incoming: { socket: { remoteAddress: address } } });

/** An HTTP request with the Host header a browser would send for another name (fetch does not let one set it). */
function rawRequest(url: string, o: { method?: string; headers?: Record<string, string>; body?: string; host: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: o.method ?? 'GET', headers: { ...o.headers, host: o.host } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

describe('a web page open on the bench PC', () => {
  it('cannot print with a cross-site "simple" request (text/plain, foreign Origin), even when the browser holds the kiosk session', async () => {
    const kiosk = await asKiosk(station.app);
    const before = jobCount();
    for (const headers of [
      { origin: 'http://evil.example', 'content-type': 'text/plain' },
      { origin: 'http://evil.example', 'content-type': 'application/json' },
      { origin: 'null', 'content-type': 'text/plain' },
      { origin: 'http://localhost', 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' },
      { origin: 'http://localhost:3000', 'content-type': 'application/json' }, // another app on this PC
    ] as Array<Record<string, string>>) {
      const res = await kiosk('/api/v1/jobs', { method: 'POST', headers, body: JSON.stringify(labels) });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('CROSS_SITE_REFUSED');
    }
    // The same page without the session gets nothing either.
    const bare = await station.app.request('/api/v1/jobs', { method: 'POST', headers: { origin: 'http://evil.example', 'content-type': 'text/plain' }, body: JSON.stringify(labels) }, FROM_LOOPBACK);
    expect([401, 403]).toContain(bare.status);
    expect(jobCount()).toBe(before);
  });

  it('cannot print through a real socket either', async () => {
    const before = jobCount();
    const res = await fetch(`${station.url}/api/v1/jobs`, { method: 'POST', headers: { origin: 'http://evil.example', 'content-type': 'text/plain' }, body: JSON.stringify(labels) });
    expect([401, 403]).toContain(res.status);
    expect(jobCount()).toBe(before);
  });

  it('reaches nothing through a hostile DNS name that points here (DNS rebinding)', async () => {
    const before = jobCount();
    for (const [path, init] of [
      ['/kiosk', {}],
      ['/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(labels) }],
      ['/api/v1/history.csv', {}],
    ] as const) {
      const res = await rawRequest(`${station.url}${path}`, { ...init, host: 'evil.example:8080' });
      expect(res.status, path).toBe(403);
      expect((JSON.parse(res.body) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'HOST_NOT_ALLOWED', message: expect.stringMatching(/server\.allowedHosts/) });
    }
    expect(jobCount()).toBe(before);
    expect((await rawRequest(`${station.url}/healthz`, { host: 'evil.example' })).status).toBe(200);
    expect((await fetch(`${station.url.replace('127.0.0.1', 'localhost')}/api/v1/openapi.json`)).status).toBe(200);
    // A name the shop gave the station is its own.
    expect((await station.app.request('http://bench2.hoseshop.lan:8080/api/v1/openapi.json', {}, FROM_LAN)).status).toBe(200);
  });

  it('needs JSON for every change, whatever the token', async () => {
    const res = await asToken(station.app, ERP)('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(labels) });
    expect(res.status).toBe(415);
  });
});

describe('the kiosk session', () => {
  it('is given to a bench device opening the kiosk, bound to its address, HttpOnly and SameSite=Strict', async () => {
    const opened = await station.app.request('/kiosk', {}, FROM_LOOPBACK);
    const cookie = opened.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const session = cookie.split(';')[0]!;
    const post = (env: object, extra: Record<string, string> = {}) =>
      station.app.request('/api/v1/jobs', { method: 'POST', headers: { cookie: session, 'content-type': 'application/json', ...extra }, body: JSON.stringify({ kind: 'test', printer: 'tags' }) }, env);
    expect((await post(FROM_LOOPBACK)).status).toBe(201);
    // The same cookie from the kiosk Pi, or from any other PC, is worth nothing.
    expect((await post(from(KIOSK_PI))).status).toBe(401);
    expect((await post(FROM_LAN)).status).toBe(401);
    // The Pi gets its own.
    const pi = await station.app.request('/kiosk', {}, from(KIOSK_PI));
    expect(pi.status).toBe(200);
    expect(pi.headers.get('set-cookie')).toMatch(/benchprint_kiosk=/);
  });

  it('is not given for an address alone: loopback without a session is nobody, and another PC sees a page that says why', async () => {
    const res = await station.app.request('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'test', printer: 'tags' }) }, FROM_LOOPBACK);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/Open the kiosk page/);
    const lan = await station.app.request('/kiosk', {}, FROM_LAN);
    expect(lan.status).toBe(401);
    expect(lan.headers.get('content-type')).toMatch(/text\/html/);
    expect(await lan.text()).toContain('This kiosk opens on the bench');
    expect(lan.headers.get('set-cookie')).toBeNull();
  });

  it('is not given to requests that came through a proxy the station does not trust', async () => {
    const res = await station.app.request('/kiosk', { headers: { 'x-forwarded-for': '203.0.113.9' } }, FROM_LOOPBACK);
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});

describe('behind a reverse proxy (server.trustProxy)', () => {
  let proxied: RunningStation;
  beforeAll(async () => {
    proxied = await demoStation(tempDir(), (c) => {
      c.server.trustProxy = true;
      c.auth.kioskAddresses = [KIOSK_PI];
    });
  });
  afterAll(() => proxied.stop());

  it('takes the client from X-Forwarded-For, so a LAN PC through a local proxy is not the bench', async () => {
    const lan = await proxied.app.request('/kiosk', { headers: { 'x-forwarded-for': '192.168.1.77' } }, FROM_LOOPBACK);
    expect(lan.status).toBe(401);
    // Only the address the proxy appended counts: a client cannot claim to be the Pi by sending its own header first.
    const forged = await proxied.app.request('/kiosk', { headers: { 'x-forwarded-for': `${KIOSK_PI}, 192.168.1.77` } }, FROM_LOOPBACK);
    expect(forged.status).toBe(401);
    const pi = await proxied.app.request('/kiosk', { headers: { 'x-forwarded-for': KIOSK_PI, 'x-forwarded-proto': 'https' } }, FROM_LOOPBACK);
    expect(pi.status).toBe(200);
    // The browser reached the proxy over https: the session is for https only, and changes come from the https origin.
    expect(pi.headers.get('set-cookie')).toMatch(/; Secure/i);
    const cookie = pi.headers.get('set-cookie')!.split(';')[0]!;
    const ok = await proxied.app.request(
      '/api/v1/jobs',
      { method: 'POST', headers: { cookie, origin: 'https://localhost', 'x-forwarded-for': KIOSK_PI, 'x-forwarded-proto': 'https', 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'test', printer: 'tags' }) },
      FROM_LOOPBACK,
    );
    expect(ok.status).toBe(201);
  });
});

describe('the admin PIN', () => {
  it('locks a device out after 5 wrong PINs, growing; 100 tries get nowhere, each logged', async () => {
    const kiosk = await asKiosk(station.app);
    const pause = (pin: string) => kiosk('/api/v1/printers/tags/pause', { method: 'POST', headers: { 'x-admin-pin': pin } });
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push((await pause(String(1000 + i))).status);
    expect(statuses.slice(0, 4)).toEqual([403, 403, 403, 403]);
    expect(statuses[4]).toBe(403); // the fifth wrong one earns the lockout
    expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
    // Locked: the right PIN is refused too, and says when to come back.
    const right = await pause(PIN);
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await right.json()) as { error: { code: string } }).error.code).toBe('ADMIN_PIN_LOCKED');
    expect(log.lines().filter((l) => l.msg === 'wrong admin PIN' || l.msg === 'wrong admin PIN: locked out')).toHaveLength(5);
    // Ids (requests, jobs) are random hex: one may hold the PIN's digits by chance (one did: "...1eb47117"): left out.
    expect(log.text().replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')).not.toContain(PIN);
    // Another device is not locked out by this one.
    const pi = await station.app.request('/kiosk', {}, from(KIOSK_PI));
    const cookie = pi.headers.get('set-cookie')!.split(';')[0]!;
    const res = await station.app.request('/api/v1/printers/tags/resume', { method: 'POST', headers: { cookie, origin: 'http://localhost', 'x-admin-pin': PIN } }, from(KIOSK_PI));
    expect(res.status).toBe(200);
  });
});

describe('reads from the LAN', () => {
  it('are closed by default: anonymous clients get health, readiness and the API document only', async () => {
    const anon = (path: string) => station.app.request(path, {}, FROM_LAN);
    expect((await anon('/healthz')).status).toBe(200);
    expect([200, 503]).toContain((await anon('/readyz')).status);
    expect((await anon('/api/v1/openapi.json')).status).toBe(200);
    expect((await anon('/api/v1/docs')).status).toBe(200);
    for (const path of ['/api/v1/history.csv', '/api/v1/workorders', '/api/v1/jobs', '/api/v1/status', '/api/v1/events', '/kiosk', '/kiosk/history']) {
      expect((await anon(path)).status, path).toBe(401);
    }
    expect((await asToken(station.app, ERP)('/api/v1/history.csv')).status).toBe(200);
  });
});

describe('one request, one job', () => {
  it('the same request twice at once (one key) makes one job and allocates one serial batch', async () => {
    const kiosk = await asKiosk(station.app);
    const body = JSON.stringify({ ...labels, quantity: 7 });
    const batchesBefore = new Set(station.jobs.list({ limit: 10_000 }).map((j) => j.batchId)).size;
    const replies = await Promise.all([1, 2, 3].map(() => kiosk('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'tap-42' }, body })));
    const ids = new Set(await Promise.all(replies.map(async (r) => ((await r.json()) as { id: string }).id)));
    expect(ids.size).toBe(1);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    expect(new Set(station.jobs.list({ limit: 10_000 }).map((j) => j.batchId)).size).toBe(batchesBefore + 1);
    // No serial numbers were allocated and thrown away: the next batch starts right after this one.
    const job = station.jobs.get([...ids][0]!)!;
    const next = (await (await kiosk('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...labels, quantity: 1 }) })).json()) as { serials: string[] };
    expect(Number(next.serials[0]!.slice(-7))).toBe(Number(job.serials.at(-1)!.slice(-7)) + 1);
  });

  it('the same request again within moments, without a key, gets the job it made; force prints it again', async () => {
    const erp = asToken(station.app, ERP);
    const send = (extra: object = {}) => erp('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...labels, quantity: 3, ...extra }) });
    const first = await send();
    expect(first.status).toBe(201);
    const a = (await first.json()) as { id: string };
    const second = await send();
    expect(second.status).toBe(200);
    expect(second.headers.get('x-duplicate-of')).toBe(a.id);
    expect(await second.json()).toMatchObject({ id: a.id, duplicate: { of: a.id, message: expect.stringMatching(/"force": true/) } });
    const forced = await send({ force: true });
    expect(forced.status).toBe(201);
    const f = (await forced.json()) as { id: string };
    expect(f.id).not.toBe(a.id);
    // Jobs made while this PC's clock was a day ahead (set back since) were not made moments ago.
    for (const id of [a.id, f.id]) station.store.db.prepare('UPDATE jobs SET created_at = ? WHERE id = ?').run(new Date(Date.now() + 86_400_000).toISOString(), id);
    expect((await send()).status).toBe(201);
    // Another caller asking for the same is not a duplicate of the first.
    const kiosk = await asKiosk(station.app);
    expect((await kiosk('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...labels, quantity: 3 }) })).status).toBe(201);
  });
});
