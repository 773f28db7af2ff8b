import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Operation } from '../../src/http/operations.js';
import { OPERATIONS } from '../../src/routes/index.js';
import type { RunningStation } from '../../src/station.js';
import { startTcpPrinter, type TcpPrinterDouble } from '../doubles/tcp-printer.js';
import { demoStation, FROM_LAN } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
const TOKENS = { read: 'read-token-0123456789abcdefghijkl', print: 'print-token-0123456789abcdefghijk', admin: 'admin-token-0123456789abcdefghijk', slow: 'slow-token-0123456789abcdefghijkl' };
let station: RunningStation;
let zebra: TcpPrinterDouble;

beforeAll(async () => {
  zebra = await startTcpPrinter('zpl');
  station = await demoStation(dir, (c) => {
    c.auth.anonymousRead = false;
    c.auth.tokens = [
      { name: 'viewer', token: TOKENS.read, scopes: ['read'] },
      { name: 'erp', token: TOKENS.print, scopes: ['read', 'print'] },
      { name: 'office', token: TOKENS.admin, scopes: ['read', 'print', 'admin'] },
    ];
    c.server.bodyLimitBytes = 64 * 1024;
    c.printers = [
      { id: 'tags', driver: 'zpl', uri: zebra.uri, dpmm: 8, options: {} },
      { id: 'b', driver: 'zpl', uri: zebra.uri, dpmm: 8, options: {} },
    ];
  });
  await station.sync.syncOnce();
});
afterAll(async () => {
  await station.stop();
  await zebra.close();
});

const PATH_VALUES: Record<string, string> = { id: 'tags', ref: 'WO-24005', line: '10', kind: 'datasheet', serial: 'BP260000001', bench: 'bench-1' };
const concrete = (op: Operation) => op.path.replace(/\{(\w+)\}/g, (_, name: string) => (op.path.startsWith('/api/v1/jobs/') && name === 'id' ? '00000000-0000-0000-0000-000000000000' : PATH_VALUES[name]!));
const call = (op: Operation, token?: string, body?: string) =>
  station.app.request(
    concrete(op) + (op.path.endsWith('/preview') ? '?workOrder=WO-24005&line=10' : ''),
    { method: op.method.toUpperCase(), headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' }, ...(op.method === 'post' ? { body: body ?? '{}' } : {}) },
    FROM_LAN,
  );

describe('the LAN API', () => {
  it('publishes a valid OpenAPI 3.1 document that lists exactly the routes the station serves', async () => {
    const doc = (await (await station.app.request('/api/v1/openapi.json', {}, FROM_LAN)).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const served = new Set(
      station.app.routes
        .filter((r) => r.path.startsWith('/api/v1') && (r.method === 'GET' || r.method === 'POST') && r.path !== '/api/v1/docs')
        .map((r) => `${r.method} ${r.path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}')}`),
    );
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)));
    expect([...documented].sort()).toEqual([...served].sort());
    expect((await station.app.request('/api/v1/docs', {}, FROM_LAN)).status).toBe(200);
  });

  it.each(OPERATIONS.filter((op) => op.scope !== 'public' && op.path !== '/api/v1/events'))('$method $path: tokens with each scope get what they may, and no more', async (op) => {
    const grants: Record<string, string[]> = { read: ['read'], print: ['read', 'print'], admin: ['read', 'print', 'admin'] };
    const allowed = (scope: string) => grants[scope]!.includes(op.scope);
    expect((await call(op)).status).toBe(401);
    expect((await call(op, 'wrong-token-0123456789abcdefghijk')).status).toBe(401);
    for (const scope of ['read', 'print', 'admin'] as const) {
      const res = await call(op, TOKENS[scope]);
      if (allowed(scope)) expect([401, 403], `${scope} on ${op.method} ${op.path}`).not.toContain(res.status);
      else expect(res.status, `${scope} on ${op.method} ${op.path}`).toBe(403);
      expect(res.status).toBeLessThan(500);
    }
  });

  it.each(OPERATIONS.filter((op) => op.method === 'post'))('$method $path: malformed, oversized and hostile bodies never give a 5xx', async (op) => {
    const hostile = [
      '',
      '{',
      'null',
      '[]',
      '"text"',
      '{"kind": "labels", "printer": "tags", "workOrder": "WO-24005", "line": 10, "template": "hose-tag", "quantity": "many"}',
      '{"kind": "labels", "printer": "tags", "workOrder": "^XA^FDx^FS^XZ\\u0000", "line": -1, "template": "../../etc/passwd"}',
      JSON.stringify({ from: 1e308, to: -0, jobs: [{}], kind: 'raw', printer: 'tags', zpl: 1 }),
      JSON.stringify({ a: 'x'.repeat(70 * 1024) }),
      '['.repeat(5000) + ']'.repeat(5000),
      JSON.stringify({ __proto__: { admin: true }, constructor: { prototype: { x: 1 } } }),
    ];
    for (const body of hostile) {
      const res = await call(op, TOKENS.admin, body);
      expect(res.status, `${op.path} with ${body.slice(0, 60)}`).toBeLessThan(500);
      const json = (await res.json().catch(() => undefined)) as { error?: { code: string; message: string } } | undefined;
      if (res.status >= 400) expect(json?.error?.message, `${op.path} with ${body.slice(0, 60)}`).toBeTruthy();
    }
  });

  it.each(OPERATIONS.filter((op) => op.path !== '/api/v1/events'))('$method $path answers over a real socket without a 5xx', async (op) => {
    const url = `${station.url}${concrete(op)}${op.path.endsWith('/preview') ? '?workOrder=WO-24005&line=10' : ''}`;
    const res = await fetch(url, { method: op.method.toUpperCase(), headers: { authorization: `Bearer ${TOKENS.admin}`, 'content-type': 'application/json' }, ...(op.method === 'post' ? { body: '{}' } : {}) });
    expect(res.status).toBeLessThan(500);
    expect([401, 403]).not.toContain(res.status);
    await res.arrayBuffer();
  });

  it('answers over a real socket too, with the same JSON errors', async () => {
    const ok = await fetch(`${station.url}/api/v1/workorders`, { headers: { authorization: `Bearer ${TOKENS.read}` } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { total: number }).total).toBe(22);
    // From this test the socket is loopback, but an address earns nothing: without a token or the kiosk's session it is nobody.
    const nobody = await fetch(`${station.url}/api/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'test', printer: 'tags' }) });
    expect(nobody.status).toBe(401);
    const print = { authorization: `Bearer ${TOKENS.print}`, 'content-type': 'application/json' };
    const job = await fetch(`${station.url}/api/v1/jobs`, { method: 'POST', headers: { ...print, 'idempotency-key': 'socket-1' }, body: JSON.stringify({ kind: 'test', printer: 'tags' }) });
    expect(job.status).toBe(201);
    const bad = await fetch(`${station.url}/api/v1/jobs`, { method: 'POST', headers: print, body: '{"kind":"labels"}' });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { details: { fields: Array<{ field: string }> } } }).error.details.fields.map((f) => f.field).sort()).toEqual(['printer', 'template', 'workOrder']);
  });

  it('limits each token to its rate and says when to come back', async () => {
    const limited = await demoStation(tempDir(), (c) => {
      c.auth.tokens = [{ name: 'busy', token: TOKENS.slow, scopes: ['read'] }];
      c.auth.rateLimitPerMinute = 10;
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await limited.app.request('/api/v1/status', { headers: { authorization: `Bearer ${TOKENS.slow}` } }, FROM_LAN)).status);
      expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
      const last = await limited.app.request('/api/v1/status', { headers: { authorization: `Bearer ${TOKENS.slow}` } }, FROM_LAN);
      expect(last.status).toBe(429);
      expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await last.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    } finally {
      await limited.stop();
    }
  });
});

describe('the kiosk with reads closed to the LAN', () => {
  it('serves the bench itself but not an anonymous LAN browser', async () => {
    expect((await station.app.request('/kiosk', {}, FROM_LAN)).status).toBe(401);
    expect((await station.app.request('/kiosk', { headers: { authorization: `Bearer ${TOKENS.read}` } }, FROM_LAN)).status).toBe(200);
    expect((await fetch(`${station.url}/kiosk`)).status).toBe(200); // loopback: the bench PC
  });
});
