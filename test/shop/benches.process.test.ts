// Many benches, one shop: real station processes on a real PostgreSQL, each printing to its own loopback Zebra.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { startZebraPrinter, type ZebraDouble } from '../doubles/zebra-printer.js';
import { freshDatabase, PG_ADMIN, privatePostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp.js';
import { boot, json, labelsBySerial, post, settle, stop, writeConfig, type Running } from '../resilience/harness.js';

const root = tempDir('bp-shop-');
let n = 0;
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
});

interface Bench {
  r: Running;
  zebra: ZebraDouble;
  config: string;
}

async function bench(databaseUrl: string, benchId: string, shop: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<Bench> {
  const zebra = await startZebraPrinter();
  cleanup.push(() => zebra.close());
  const dir = join(root, String(++n));
  mkdirSync(dir, { recursive: true });
  const config = writeConfig(dir, [{ id: 'tags', driver: 'zpl', uri: zebra.uri, options: { connectTimeoutMs: 500 } }], {
    station: { dataDir: join(dir, 'data'), name: benchId },
    shop: { databaseUrl, benchId, serialBlock: 200, serialReserve: 400, connectTimeoutMs: 1000, ...shop },
    ...extra,
  });
  const r = await boot(config);
  cleanup.push(() => stop(r));
  return { r, zebra, config };
}

const status = async (r: Running) => (await json<{ state: string; behindBy: number; serialsLeft: number; lastError?: string }>(`${r.url}/api/v1/shop/status`)).body;
const tags = (quantity: number, line = 10) => ({ kind: 'labels', printer: 'tags', workOrder: 'WO-24005', line, template: 'hose-tag', quantity });

async function ledgerCounts(url: string): Promise<{ tags: number; jobs: number; distinctTags: number }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ tags: string; jobs: string; distinct: string }>('SELECT (SELECT count(*) FROM tags) AS tags, (SELECT count(*) FROM jobs) AS jobs, (SELECT count(DISTINCT serial) FROM tags) AS distinct');
    return { tags: Number(r.rows[0]!.tags), jobs: Number(r.rows[0]!.jobs), distinctTags: Number(r.rows[0]!.distinct) };
  } finally {
    await c.end();
  }
}

async function shipped(r: Running): Promise<void> {
  await expect.poll(async () => (await status(r)).state, { timeout: 30_000, interval: 200 }).toBe('connected');
  await expect.poll(async () => (await status(r)).behindBy, { timeout: 30_000, interval: 200 }).toBe(0);
}

describe('three benches, one ledger', () => {
  it('print 1,000 tags each at once: every serial distinct across the shop, and the ledger holds exactly 3,000', async () => {
    const db = await freshDatabase();
    cleanup.push(() => db.drop());
    const benches = await Promise.all(['bench-1', 'bench-2', 'bench-3'].map((id) => bench(db.url, id)));
    for (const b of benches) await expect.poll(async () => (await status(b.r)).state, { timeout: 20_000 }).toBe('connected');
    const asked = await Promise.all(benches.flatMap((b) => Array.from({ length: 10 }, () => post(`${b.r.url}/api/v1/jobs`, { ...tags(100), force: true }))));
    expect(asked.filter((a) => a.status !== 201).map((a) => JSON.stringify(a.body).slice(0, 300)), JSON.stringify(benches.flatMap((b) => b.r.child.lines.filter((l) => Number(l.level) >= 40)))).toEqual([]);
    for (const b of benches) {
      const jobs = await settle(b.r, 60_000);
      expect(jobs.map((j) => `${j.state} ${j.error ?? ''}`).filter((s) => !s.startsWith('done'))).toEqual([]);
      expect(jobs).toHaveLength(10);
      await expect.poll(() => b.zebra.labels(), { timeout: 30_000 }).toBe(1000);
    }
    const serials = benches.flatMap((b) => [...labelsBySerial(b.zebra.printed).keys()]);
    expect(serials).toHaveLength(3000);
    expect(new Set(serials).size).toBe(3000);
    for (const b of benches) await shipped(b.r);
    expect(await ledgerCounts(db.url)).toEqual({ tags: 3000, jobs: 30, distinctTags: 3000 });
    // The whole shop is searchable from any bench, and a tag of one bench reprints on another with its serial.
    const other = (await json<{ items: Array<{ benchId: string; id: string; serials: string[] }> }>(`${benches[0]!.r.url}/api/v1/shop/jobs?bench=bench-3&limit=1`)).body.items[0]!;
    expect(other.benchId).toBe('bench-3');
    const found = (await json<{ items: Array<{ id: string }> }>(`${benches[0]!.r.url}/api/v1/shop/jobs?serial=${other.serials[6]}`)).body.items;
    expect(found.map((j) => j.id)).toEqual([other.id]);
    const before = benches[0]!.zebra.labels();
    const reprint = await post(`${benches[0]!.r.url}/api/v1/shop/reprint`, { bench: 'bench-3', job: other.id, from: 7, to: 7, printer: 'tags' });
    expect(reprint.status).toBe(201);
    await expect.poll(() => benches[0]!.zebra.labels()).toBe(before + 1);
    expect(benches[0]!.zebra.printed.at(-1)).toContain(other.serials[6]);
    expect(benches[0]!.zebra.printed.at(-1)).toContain('7 of 100');
  }, 120_000);
});

describe('auto-print on release, once per shop', () => {
  it('gives each released work order to one bench: by rule, else to whoever claims it first', async () => {
    const db = await freshDatabase();
    cleanup.push(() => db.drop());
    const autoPrint = { enabled: true, rules: [{ printer: 'tags', document: 'labels', template: 'hose-tag' }] };
    const routing = { rules: [{ field: 'customer.name', matches: 'müller', bench: 'bench-2' }] };
    // Benches 1 and 3 start first and claim what no rule gives to anyone; bench 2 starts once they have, and still
    // gets the work orders its rule names (they were never claimable by the others). Started all at once, which bench
    // claims the rest first is a race that one bench may win every time.
    const [one, three] = await Promise.all(['bench-1', 'bench-3'].map((id) => bench(db.url, id, { routing }, { autoPrint })));
    const released = (await json<{ items: Array<{ number: string; customer?: string }> }>(`${one!.r.url}/api/v1/workorders`)).body.items;
    const routed = released.filter((w) => /müller/i.test(w.customer ?? ''));
    expect(routed.length).toBeGreaterThan(0);
    expect(routed.length).toBeLessThan(released.length);
    const printedBy = new Map<string, string[]>();
    const follow = async (benches: Array<[string, Bench]>) => {
      printedBy.clear();
      for (const [id, b] of benches) {
        for (const j of await settle(b.r)) if (j.requestedBy === 'auto-print' && j.workOrderNumber) printedBy.set(j.workOrderNumber, [...new Set([...(printedBy.get(j.workOrderNumber) ?? []), id])]);
      }
      return printedBy.size;
    };
    await expect.poll(() => follow([['bench-1', one!], ['bench-3', three!]]), { timeout: 60_000, interval: 500 }).toBe(released.length - routed.length);
    const two = await bench(db.url, 'bench-2', { routing }, { autoPrint });
    await expect.poll(() => follow([['bench-1', one!], ['bench-2', two], ['bench-3', three!]]), { timeout: 60_000, interval: 1000 }).toBe(released.length);
    for (const w of released) {
      expect(printedBy.get(w.number), w.number).toHaveLength(1);
      if (routed.includes(w)) expect(printedBy.get(w.number)).toEqual(['bench-2']);
      else expect(['bench-1', 'bench-3']).toContain(printedBy.get(w.number)![0]);
    }
  }, 120_000);
});

describe('a ledger that goes away', () => {
  it('the bench prints from its reserve while PostgreSQL is down, then the ledger catches up with nothing lost or doubled; also after a SIGKILL mid-shipment', async () => {
    const server = await privatePostgres();
    cleanup.push(() => server.close());
    const b = await bench(server.url, 'bench-1', { serialBlock: 50, serialReserve: 100 });
    await expect.poll(async () => (await status(b.r)).state, { timeout: 20_000 }).toBe('connected');
    for (let i = 0; i < 3; i++) expect((await post(`${b.r.url}/api/v1/jobs`, { ...tags(20), force: true })).status).toBe(201);
    await settle(b.r);
    await shipped(b.r);
    await expect.poll(async () => (await status(b.r)).serialsLeft, { timeout: 10_000 }).toBeGreaterThanOrEqual(100);

    await server.stop();
    for (let i = 0; i < 4; i++) expect((await post(`${b.r.url}/api/v1/jobs`, { ...tags(20), force: true })).status).toBe(201);
    const jobs = await settle(b.r);
    expect(jobs.every((j) => j.state === 'done')).toBe(true);
    await expect.poll(async () => (await status(b.r)).state, { timeout: 20_000 }).toBe('unreachable');
    expect((await status(b.r)).behindBy).toBeGreaterThanOrEqual(4);
    expect((await json(`${b.r.url}/readyz`)).status).toBe(200); // the ledger never makes a bench unready

    await server.start();
    await shipped(b.r);
    expect(await ledgerCounts(server.url)).toEqual({ tags: 140, jobs: 7, distinctTags: 140 });

    // Down again, more printed, back, and the bench killed while it ships: after a restart, everything, once.
    await server.stop();
    for (let i = 0; i < 10; i++) expect((await post(`${b.r.url}/api/v1/jobs`, { ...tags(5), force: true })).status).toBe(201);
    await settle(b.r);
    await server.start();
    await new Promise((r) => setTimeout(r, 150));
    b.r.child.proc.kill('SIGKILL');
    await b.r.child.exit();
    const again = await boot(b.config);
    cleanup.push(() => stop(again));
    await shipped(again);
    expect(await ledgerCounts(server.url)).toEqual({ tags: 190, jobs: 17, distinctTags: 190 });
    const printed = [...labelsBySerial(b.zebra.printed).values()];
    expect(printed).toHaveLength(190);
    expect(printed.every((count) => count === 1)).toBe(true);
  }, 120_000);
});

describe('a wrong shop configuration', () => {
  it('says what to fix, and the bench still prints', async () => {
    const wrong = new URL(PG_ADMIN);
    wrong.password = 'wrong-password-here';
    const b = await bench(wrong.toString(), 'bench-1');
    await expect.poll(async () => (await status(b.r)).state, { timeout: 20_000 }).toBe('unreachable');
    const s = await status(b.r);
    expect(s.lastError).toMatch(/refused the login .* Check the user and password in shop\.databaseUrl/);
    expect(s.lastError).not.toContain('wrong-password-here');
    expect(JSON.stringify(b.r.child.lines)).not.toContain('wrong-password-here');
    // Without a ledger there are no leased serials: tags cannot be numbered, and it says so; documents still print.
    const refused = await post(`${b.r.url}/api/v1/jobs`, tags(3));
    expect(refused.status).toBe(503);
    expect((refused.body as { error: { code: string } }).error.code).toBe('SERIALS_EXHAUSTED');
    const missing = new URL(PG_ADMIN);
    missing.pathname = '/no_such_ledger';
    const c = await bench(missing.toString(), 'bench-2');
    await expect.poll(async () => (await status(c.r)).lastError ?? '', { timeout: 20_000 }).toMatch(/database does not exist .*createdb/);
    expect(() => loadConfig(undefined, { BENCHPRINT_DATA_DIR: root })).not.toThrow();
  }, 60_000);

  it('refuses a file whose shop section has no ledger URL or a malformed one, saying what it should look like', () => {
    const problems = (shop: unknown) => {
      try {
        loadConfig(writeConfig(join(root, `cfg-${++n}`), [], { shop }), {});
        return '';
      } catch (err) {
        return (err as ConfigError).advice;
      }
    };
    mkdirSync(join(root, `cfg-${n + 1}`), { recursive: true });
    expect(problems({ benchId: 'bench-1' })).toMatch(/shop\.databaseUrl: missing\. Set BENCHPRINT_SHOP_DATABASE_URL/);
    mkdirSync(join(root, `cfg-${n + 1}`), { recursive: true });
    expect(problems({ benchId: 'bench-1', databaseUrl: 'mysql://x' })).toMatch(/shop\.databaseUrl: .*postgres:\/\/user:password@host:5432\/database/);
  });
});
