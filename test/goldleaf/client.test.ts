import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StationError } from '../../src/errors.js';
import { startSandbox, SANDBOX_KEY, type RunningSandbox } from '../../src/sandbox/server.js';
import { captureLogger } from '../helpers/logs.js';
import { sandboxClient } from '../helpers/goldleaf.js';

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
afterEach(() => {
  sandbox.state.faults.clear();
  sandbox.state.faults.seen.length = 0;
});

const released = () => [...sandbox.state.data.workOrders.values()].filter((w) => w.status === 'Released').length;
const failure = async (p: Promise<unknown>): Promise<StationError> => {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(StationError);
  return err as StationError;
};

describe('GoldLeaf client against the sandbox', () => {
  it('pages through every released work order, even when the server caps the page below the asked limit', async () => {
    const small = sandboxClient(sandbox, { pageSize: 7 });
    expect(await small.client.listReleasedWorkOrders()).toHaveLength(released());
    const big = sandboxClient(sandbox, { pageSize: 500 }); // the sandbox returns at most 50 a page
    expect(await big.client.listReleasedWorkOrders()).toHaveLength(released());
  });

  it.each([
    ['repeat', 'status=Released&status=Draft'],
    ['brackets', 'status[]=Released&status[]=Draft'],
    ['indexed', 'status[0]=Released&status[1]=Draft'],
    ['comma', 'status=Released,Draft'],
  ] as const)('sends the status array with %s encoding', async (encoding, expected) => {
    const { client } = sandboxClient(sandbox, { statusQueryEncoding: encoding, releasedStatuses: ['Released', 'Draft'] });
    const rows = (await client.listReleasedWorkOrders()) as Array<{ status: string }>;
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['Released', 'Draft']));
    const query = sandbox.state.faults.seen.find((s) => s.path === '/api/v1/workorders')!.query;
    expect(query).toBe(`?${expected}&page=1&limit=100`);
  });

  it('accepts both documented token answers', async () => {
    const other = await startSandbox({ tokenShape: 'data' });
    try {
      const { client } = sandboxClient(other);
      expect((await client.getWorkOrder([...other.state.data.workOrders.keys()][0]!)).number).toMatch(/^WO-/);
    } finally {
      await other.close();
    }
  });

  it('gets a new token once after a 401 and carries on', async () => {
    const { client } = sandboxClient(sandbox);
    const id = [...sandbox.state.data.workOrders.keys()][0]!;
    await client.getWorkOrder(id);
    sandbox.state.expireTokens();
    await client.getWorkOrder(id);
    const calls = sandbox.state.faults.seen.map((s) => `${s.path} ${s.status}`);
    expect(calls.filter((c) => c.startsWith('/security/v1/token'))).toHaveLength(2);
    expect(calls.filter((c) => c.endsWith(' 401'))).toHaveLength(1);
  });

  it('renews the token before it expires, without a 401', async () => {
    const short = await startSandbox({ tokenTtlSec: 2 });
    try {
      const { client } = sandboxClient(short, { tokenRefreshMarginSec: 1 });
      const id = [...short.state.data.workOrders.keys()][0]!;
      await client.getWorkOrder(id);
      await new Promise((r) => setTimeout(r, 1200));
      await client.getWorkOrder(id);
      const seen = short.state.faults.seen;
      expect(seen.filter((s) => s.path === '/security/v1/token')).toHaveLength(2);
      expect(seen.some((s) => s.status === 401)).toBe(false);
    } finally {
      await short.close();
    }
  });

  it('says the key was refused, with what to check, and does not retry it', async () => {
    const { client } = sandboxClient(sandbox, { apiKey: 'wrong-key-000000000000000' });
    const err = await failure(client.listReleasedWorkOrders());
    expect(err.code).toBe('GOLDLEAF_AUTH');
    expect(err.advice).toMatch(/trusted IPs/);
    expect(sandbox.state.faults.seen.filter((s) => s.path === '/security/v1/token')).toHaveLength(1);
  });

  it('honours Retry-After on 429 and then succeeds', async () => {
    sandbox.state.faults.add({ kind: 'status', status: 429, retryAfterSec: 1, times: 2, pathIncludes: '/workorders' });
    const { client } = sandboxClient(sandbox);
    const started = Date.now();
    expect(await client.listReleasedWorkOrders()).toHaveLength(released());
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  });

  it('hands a Retry-After longer than it may wait back to the caller as retryable', async () => {
    sandbox.state.faults.add({ kind: 'status', status: 429, retryAfterSec: 120, times: 1, pathIncludes: '/workorders' });
    const { client } = sandboxClient(sandbox, { retryMaxMs: 5000 });
    const err = await failure(client.listReleasedWorkOrders());
    expect(err.code).toBe('GOLDLEAF_RATE_LIMITED');
    expect(err.retryable).toBe(true);
    expect(err.details).toEqual({ retryAfterMs: 120_000 });
  });

  it('retries a 500 storm with back-off, then gives up with a retryable error', async () => {
    sandbox.state.faults.add({ kind: 'status', status: 500, pathIncludes: '/workorder/' });
    const { client } = sandboxClient(sandbox, { maxRetries: 3 });
    const err = await failure(client.getWorkOrder([...sandbox.state.data.workOrders.keys()][0]!));
    expect(err.code).toBe('GOLDLEAF_SERVER_ERROR');
    expect(err.retryable).toBe(true);
    expect(sandbox.state.faults.seen.filter((s) => s.path.startsWith('/api/v1/workorder/'))).toHaveLength(4);
  });

  it('retries a dropped connection', async () => {
    sandbox.state.faults.add({ kind: 'drop', times: 2, pathIncludes: '/hose/' });
    const { client } = sandboxClient(sandbox);
    const hose = await client.getHose([...sandbox.state.data.hoses.keys()][0]!);
    expect(hose.partNumber).toBeTruthy();
  });

  it('times out a request that does not answer', async () => {
    sandbox.state.faults.add({ kind: 'slow', delayMs: 1500, pathIncludes: '/hose/' });
    const { client } = sandboxClient(sandbox, { requestTimeoutMs: 200, maxRetries: 1 });
    const err = await failure(client.getHose([...sandbox.state.data.hoses.keys()][0]!));
    expect(err.code).toBe('GOLDLEAF_TIMEOUT');
  });

  it('names the endpoint of a malformed answer', async () => {
    sandbox.state.faults.add({ kind: 'malformed', times: 10, pathIncludes: '/workorders' });
    const { client } = sandboxClient(sandbox, { maxRetries: 1 });
    const err = await failure(client.listReleasedWorkOrders());
    expect(err.code).toBe('GOLDLEAF_BAD_RESPONSE');
    expect(err.message).toContain('GET /workorders');
  });

  it('names the endpoint and the field when an object breaks the schema, and keeps unknown fields', async () => {
    const [id, wo] = [...sandbox.state.data.workOrders.entries()][0]!;
    const { client } = sandboxClient(sandbox);
    const ok = await client.getWorkOrder(id);
    expect((ok as Record<string, unknown>).created).toBe(wo.created); // not in our schema, still there
    const saved = wo.number;
    wo.number = { weird: true } as unknown as string;
    try {
      const err = await failure(client.getWorkOrder(id));
      expect(err.message).toContain(`GET /workorder/${id}`);
      expect(err.message).toMatch(/number: /);
    } finally {
      wo.number = saved;
    }
  });

  it('keeps no more requests in flight than the cap', async () => {
    let inFlight = 0;
    let peak = 0;
    const counting: typeof fetch = async (input, init) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      try {
        return await fetch(input, init);
      } finally {
        inFlight--;
      }
    };
    sandbox.state.faults.add({ kind: 'slow', delayMs: 30, pathIncludes: '/hose/' });
    const { client } = sandboxClient(sandbox, { maxConcurrent: 2 }, undefined, counting);
    const ids = [...sandbox.state.data.hoses.keys()].slice(0, 8);
    await Promise.all(ids.map((id) => client.getHose(id)));
    expect(peak).toBeLessThanOrEqual(2);
    expect(peak).toBe(2);
  });

  it('downloads Marken, PTS, label and datasheet files byte for byte with the server name and type', async () => {
    const [id, wo] = [...sandbox.state.data.workOrders.entries()][0]!;
    const { client } = sandboxClient(sandbox);
    const marken = await client.getFile('workorder', id, 'marken');
    expect(marken.fileName).toBe(`${wo.number}_marken.csv`);
    expect(marken.contentType).toBe('text/csv');
    const direct = await fetch(`${sandbox.baseUrl}/workorder/${id}/getmarkenfile`, {
      method: 'POST',
      headers: { authorization: `Bearer ${[...sandbox.state.tokens.keys()].at(-1)}` },
    });
    expect(Buffer.from(marken.bytes).equals(Buffer.from(await direct.arrayBuffer()))).toBe(true);
    const pts = await client.getFile('workorder', id, 'pts');
    expect(pts.fileName).toBe(`${wo.number}.pts`);
    expect(new TextDecoder().decode(pts.bytes)).toMatch(/^\[ASSEMBLY 1\]/);
    const kitId = [...sandbox.state.data.kits.keys()][0]!;
    const labels = await client.getFile('hosekit', kitId, 'labels', { labelSize: '4x6', numCopies: 1 });
    expect(labels.contentType).toBe('application/pdf');
    expect(new TextDecoder().decode(labels.bytes.subarray(0, 5))).toBe('%PDF-');
    expect(new TextDecoder().decode(labels.bytes)).toContain('/MediaBox [0 0 288 432]');
  });

  it('never writes the API key or a token to the log, even when things fail', async () => {
    const { logger, text } = captureLogger('trace');
    sandbox.state.faults.add({ kind: 'status', status: 503, times: 2 });
    const { client } = sandboxClient(sandbox, {}, logger);
    await client.listReleasedWorkOrders();
    sandbox.state.expireTokens();
    await client.listReleasedWorkOrders();
    expect(text()).toContain('retrying');
    expect(text()).not.toContain(SANDBOX_KEY.apiKey);
    const tokens = [...sandbox.state.tokens.keys()];
    expect(tokens.length).toBeGreaterThan(0);
    for (const token of tokens) expect(text()).not.toContain(token);
  });
});

describe('GoldLeaf behind a certificate outside its dates by this PC', () => {
  // Test-only certificates for 127.0.0.1 (test/doubles/certs): valid from 2099, and expired in 2002.
  it.each([
    ['future', 'is not valid yet'],
    ['expired', 'has expired'],
  ] as const)('names the PC clock, not the network (%s)', async (kind, words) => {
    const certs = new URL('../doubles/certs/', import.meta.url);
    const server = createServer({ key: readFileSync(new URL(`${kind}.key`, certs)), cert: readFileSync(new URL(`${kind}.pem`, certs)) }, (_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { client } = sandboxClient(sandbox, { baseUrl: `${base}/api/v1`, tokenUrl: `${base}/security/v1/token`, maxRetries: 0 });
      const err = await failure(client.getWorkOrder('x'));
      expect(err.code).toBe('GOLDLEAF_CERTIFICATE_DATE');
      expect(err.retryable).toBe(true);
      expect(err.message).toMatch(new RegExp(`^GoldLeaf's certificate ${words} by this PC's clock, which reads \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC`));
      expect(err.hint).toMatch(/set this PC's clock/);
    } finally {
      server.close();
    }
  });
});
