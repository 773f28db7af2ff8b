// The GoldLeaf sandbox: the same paths as the real API on a loopback port, with demo data, tokens that expire, and faults.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve, type HttpBindings, type ServerType } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { sleep } from '../lib/backoff.js';
import { buildSandboxData, makeHostile, type Doc, type SandboxData } from './data.js';
import { FaultPlan, type Fault } from './faults.js';
import { labelPageSize, markenFile, ptsFile, simplePdf } from './files.js';

export const SANDBOX_KEY = { apiKey: 'sandbox-demo-key-0000000000', keyName: 'benchprint-sandbox' } as const;

export interface SandboxOptions {
  /** Token lifetime in seconds (GoldLeaf's is one hour). */
  tokenTtlSec?: number;
  /** Which of the two documented token answers to give. */
  tokenShape?: 'flat' | 'data';
  /** Largest page the list endpoints return, whatever the client asks. */
  maxPageSize?: number;
  data?: SandboxData;
}

export interface SandboxState {
  data: SandboxData;
  faults: FaultPlan;
  tokens: Map<string, number>;
  /** Makes every issued token invalid at once, as if they had all expired. */
  expireTokens(): void;
  setStatus(workOrderId: string, status: string): void;
  /** How far the server's clock (its Date header) is from this machine's, in seconds: a station whose clock is off the other way. */
  clockOffsetSec: number;
}

type Env = { Bindings: HttpBindings };

export function createSandboxApp(options: SandboxOptions = {}): { app: Hono<Env>; state: SandboxState } {
  const data = options.data ?? buildSandboxData();
  const faults = new FaultPlan();
  const tokens = new Map<string, number>();
  const ttl = options.tokenTtlSec ?? 3600;
  const maxPage = options.maxPageSize ?? 50;
  const state: SandboxState = {
    data,
    faults,
    tokens,
    expireTokens: () => tokens.clear(),
    setStatus(id, status) {
      const wo = data.workOrders.get(id);
      if (!wo) throw new Error(`no work order ${id}`);
      wo.status = status;
      wo.lastModified = new Date().toISOString();
    },
    clockOffsetSec: 0,
  };
  const app = new Hono<Env>();

  // A real server's Date header is its own clock: offset, it tells the station its clock is off.
  app.use('*', async function sandboxClock(c, next) {
    await next();
    if (state.clockOffsetSec) c.res.headers.set('Date', new Date(Date.now() + state.clockOffsetSec * 1000).toUTCString());
  });
  app.use('*', async function sandboxFaults(c, next) {
    if (c.req.path.startsWith('/__sandbox')) return next();
    const fault = faults.take(c.req.path);
    faults.seen.push({ method: c.req.method, path: c.req.path, query: decodeURIComponent(new URL(c.req.url).search) });
    if (fault) {
      const applied = await applyFault(c, fault);
      if (applied) return applied;
    }
    await next();
    faults.seen.at(-1)!.status = c.res.status;
  });

  app.post('/security/v1/token', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as Record<string, unknown>;
    if (body.grantType !== 'client_credentials') return c.json({ message: 'grantType must be client_credentials' }, 400);
    if (body.apiKey !== SANDBOX_KEY.apiKey || body.name !== SANDBOX_KEY.keyName) return c.json({ message: 'Invalid API key' }, 401);
    const token = randomBytes(24).toString('base64url');
    const expires = Date.now() + ttl * 1000;
    tokens.set(token, expires);
    const iso = new Date(expires).toISOString();
    return c.json(options.tokenShape === 'data' ? { data: { securityToken: token } } : { securityToken: token, expires: iso });
  });

  const api = new Hono<Env>();
  api.use('*', async function sandboxAuth(c, next) {
    const token = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    const expires = token ? tokens.get(token) : undefined;
    if (!expires) return c.json({ message: 'Unauthorized' }, 401);
    if (expires < Date.now()) {
      tokens.delete(token!);
      return c.json({ message: 'Security token expired' }, 401);
    }
    await next();
  });

  const one = (map: Map<string, Doc>, what: string) => (c: Context<Env>) => {
    const doc = map.get(c.req.param('id') ?? '');
    return doc ? c.json(strip(doc)) : c.json({ message: `${what} not found` }, 404);
  };
  const list = (c: Context<Env>, rows: unknown[]) => {
    const page = Math.max(1, Number(c.req.query('page') ?? 1) || 1);
    const limit = Math.min(maxPage, Math.max(1, Number(c.req.query('limit') ?? 20) || 20));
    return c.json({ items: rows.slice((page - 1) * limit, page * limit), total: rows.length, page });
  };

  api.get('/workorders', (c) => {
    const url = new URL(c.req.url);
    const statuses = [...url.searchParams.entries()]
      .filter(([k]) => k === 'status' || /^status\[\d*\]$/.test(k))
      .flatMap(([, v]) => v.split(','))
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
    const number = c.req.query('number');
    const partial = c.req.query('search.number')?.toLowerCase();
    const rows = [...data.workOrders.values()]
      .filter((w) => statuses.length === 0 || statuses.includes(String(w.status).toLowerCase()))
      .filter((w) => !number || w.number === number)
      .filter((w) => !partial || String(w.number).toLowerCase().includes(partial))
      .map(({ items: _items, ...summary }) => summary); // list rows are summaries; the lines come with the single call
    return list(c, rows);
  });
  api.get('/workorder/:id', one(data.workOrders, 'Work order'));
  api.get('/workorder/:id/items', (c) => {
    const wo = data.workOrders.get(c.req.param('id'));
    return wo ? list(c, wo.items as unknown[]) : c.json({ message: 'Work order not found' }, 404);
  });
  api.get('/hoseassemblies', (c) => list(c, [...data.assemblies.values()]));
  api.get('/hoseassembly/:id', one(data.assemblies, 'Hose assembly'));
  api.get('/hosekits', (c) => list(c, [...data.kits.values()]));
  api.get('/hosekit/:id', one(data.kits, 'Hose kit'));
  api.get('/hosekit/:id/allitems', (c) => {
    const kit = data.kits.get(c.req.param('id'));
    return kit ? list(c, (kit.hoseAssemblies as Array<Record<string, unknown>>).map((l) => ({ ...l, itemType: 'hoseAssembly' }))) : c.json({ message: 'Hose kit not found' }, 404);
  });
  api.get('/hose/:id', one(data.hoses, 'Hose'));
  api.get('/hose/:id/crimpspecs', (c) => {
    const specs = data.crimpSpecs.get(c.req.param('id'));
    return specs ? list(c, specs) : c.json({ message: 'Hose not found' }, 404);
  });
  api.get('/crimpfitting/:id', one(data.fittings, 'Crimp fitting'));
  api.get('/ferrule/:id', one(data.ferrules, 'Ferrule'));
  api.get('/customer/:id', one(data.customers, 'Customer'));

  // File endpoints, per owner kind.
  const owners = { workorder: data.workOrders, hoseassembly: data.assemblies, hosekit: data.kits } as const;
  for (const [owner, map] of Object.entries(owners)) {
    api.post(`/${owner}/:id/:action`, async (c) => {
      const doc = map.get(c.req.param('id'));
      if (!doc) return c.json({ message: `${owner} not found` }, 404);
      const action = c.req.param('action');
      const body = (await c.req.json().catch(() => ({}))) as { params?: Record<string, unknown> };
      const name = String(doc.number ?? doc.partNumber);
      const rows = assembliesOf(data, owner, doc);
      if (['labels', 'label', 'datasheet', 'getWorkOrderDataSheet', 'getHoseKitDataSheet'].includes(action)) {
        const labels = action.startsWith('label');
        const [w, h] = labels ? labelPageSize(body.params?.labelSize) : [612, 792];
        const pdf = simplePdf([`GoldLeaf sandbox ${labels ? 'labels' : 'datasheet'}`, name, ...rows.map((r) => `${r.partNumber} x${r.quantity}`)], w, h);
        return fileResponse(c, pdf, 'application/pdf', `${name}_${labels ? 'labels' : 'datasheet'}.pdf`);
      }
      if (action === 'getmarkenfile') {
        const text = markenFile(rows.map((r) => ({ partNumber: r.partNumber, printText: r.printText, quantity: r.quantity })));
        return fileResponse(c, new TextEncoder().encode(text), 'text/csv', `${name}_marken.csv`);
      }
      if (action === 'getparkerptsfile') {
        return fileResponse(c, new TextEncoder().encode(ptsFile(rows)), 'application/octet-stream', `${name}.pts`);
      }
      return c.json({ message: `Unknown action ${action}` }, 404);
    });
  }
  app.route('/api/v1', api);

  // Control surface for demos and manual tests (the sandbox only listens on loopback).
  app.post('/__sandbox/faults', async (c) => {
    faults.add((await c.req.json()) as Fault);
    return c.json({ ok: true });
  });
  app.delete('/__sandbox/faults', (c) => {
    faults.clear();
    return c.json({ ok: true });
  });
  app.post('/__sandbox/expire-tokens', (c) => {
    state.expireTokens();
    return c.json({ ok: true });
  });
  app.post('/__sandbox/clock', async (c) => {
    const { offsetSec } = (await c.req.json()) as { offsetSec?: number };
    state.clockOffsetSec = Number.isFinite(offsetSec) ? Number(offsetSec) : 0;
    return c.json({ ok: true, offsetSec: state.clockOffsetSec });
  });
  app.post('/__sandbox/hostile', (c) => {
    makeHostile(data);
    return c.json({ ok: true });
  });
  app.post('/__sandbox/workorders/:id/status', async (c) => {
    const { status } = (await c.req.json()) as { status: string };
    state.setStatus(c.req.param('id'), status);
    return c.json({ ok: true });
  });
  app.notFound((c) => c.json({ message: 'Not found' }, 404));
  return { app, state };
}

async function applyFault(c: Context<Env>, fault: Fault): Promise<Response | undefined> {
  if (fault.delayMs) await sleep(fault.delayMs);
  switch (fault.kind) {
    case 'slow':
      return undefined;
    case 'status': {
      const status = (fault.status ?? 500) as 429 | 500;
      if (fault.retryAfterSec !== undefined) c.header('Retry-After', String(fault.retryAfterSec));
      return c.json(status === 429 ? { message: 'Too many requests' } : { message: 'Internal server error' }, status);
    }
    case 'drop':
      c.env.incoming.socket.destroy();
      return new Response(null, { status: 500 });
    case 'malformed':
      return new Response('{"items": [{"_id": "', { status: 200, headers: { 'content-type': 'application/json' } });
    case 'bad-shape':
      return c.json({ _id: 42, number: ['not', 'a', 'string'], items: 'none' });
  }
}

function fileResponse(c: Context<Env>, bytes: Uint8Array, type: string, name: string): Response {
  return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
    'content-type': type,
    'content-disposition': `attachment; filename="${name.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
  });
}

function assembliesOf(data: SandboxData, owner: string, doc: Doc) {
  const lines: Array<{ id: string; quantity: number }> =
    owner === 'hoseassembly'
      ? [{ id: doc._id, quantity: 1 }]
      : owner === 'hosekit'
        ? (doc.hoseAssemblies as Array<{ item: string; quantity: number }>).map((l) => ({ id: l.item, quantity: l.quantity }))
        : (doc.items as Array<{ item: string; quantity: number; deleted?: boolean }>).filter((l) => !l.deleted).map((l) => ({ id: l.item, quantity: l.quantity }));
  return lines.flatMap((l) => {
    const a = data.assemblies.get(l.id);
    return a
      ? [{ partNumber: String(a.partNumber), printText: String(a.printText ?? ''), hose: String(a.hosePartNumber), length: `${a.length} ${a.lengthUnit}`, quantity: l.quantity }]
      : [];
  });
}

/** Answers share the stored objects; copies keep a client from changing the sandbox by accident. */
function strip(doc: Doc): Doc {
  return structuredClone(doc);
}

export interface RunningSandbox {
  url: string;
  baseUrl: string;
  tokenUrl: string;
  state: SandboxState;
  close(): Promise<void>;
}

/** Starts the sandbox on a loopback port (0 picks a free one). */
export async function startSandbox(options: SandboxOptions & { port?: number } = {}): Promise<RunningSandbox> {
  const { app, state } = createSandboxApp(options);
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    baseUrl: `${url}/api/v1`,
    tokenUrl: `${url}/security/v1/token`,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
