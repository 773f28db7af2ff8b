// Benchmark: benches sharing one shop ledger on PostgreSQL, 20 HTTP clients each, against one bench alone in the same
// run: submit to first label at the printer, how long events take to reach the ledger, and what a serial costs. Two
// shops: one bench on the ledger with two neighbours shipping a copy of its traffic from their own process (in a shop,
// each bench is its own PC: this is the ledger shared), and three stations on this machine (the cores shared too).
// Needs PostgreSQL (scripts/setup-tests.sh starts one; BENCH_PG names another); without it, says so and skips.
import { fork } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Ledger } from '../src/shop/ledger.js';
import { createPool } from '../src/shop/pg.js';
import { migrateLedger } from '../src/shop/schema.js';
import { askForLabel, clients, closeClients, loopbackPrinters, pause, processCpuMs, stationProcess } from './load.js';
import { fmt, percentile, report, summary } from './report.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CLIENTS = 20;
const PRINTERS = 3;
const REQUESTS = 300; // per bench and run
const ADMIN = process.env.BENCH_PG ?? process.env.BENCHPRINT_TEST_PG ?? 'postgres://benchprint_test:benchprint_test@127.0.0.1:5432/postgres';

const admin = new pg.Client({ connectionString: ADMIN });
try {
  await admin.connect();
} catch (err) {
  console.log(`shop benchmark skipped: no PostgreSQL at ${ADMIN.replace(/:[^:@/]+@/, ':***@')} (${(err as Error).message}). Run scripts/setup-tests.sh, or set BENCH_PG.`);
  process.exit(0);
}
const dbName = `bp_bench_${process.pid}`;
await admin.query(`CREATE DATABASE ${dbName}`);
const url = new URL(ADMIN);
url.pathname = `/${dbName}`;
const databaseUrl = url.toString();

const dir = mkdtempSync(join(tmpdir(), 'bp-bench-shop-'));
const devices = await loopbackPrinters(PRINTERS * 4);
const printersFor = (bench: number) => devices.uris.slice(bench * PRINTERS, bench * PRINTERS + PRINTERS).map((uri, i) => ({ id: `p${i}`, driver: 'zpl', uri, options: {} }));

const SHIP_BATCH = 20; // about what a busy station puts in each batch

/**
 * CPU per job event shipped, in this process (the bench's side of Ledger.ship) and in its PostgreSQL server process:
 * the first bench's real events of this run, shipped again under new ids and serials, as JSON text as the outbox keeps
 * them.
 */
async function shippingCost(ledger: Ledger, pool: ReturnType<typeof createPool>): Promise<{ benchUs: number; ledgerUs: number }> {
  const backend = Number((await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
  const rows = (await pool.query<{ at: Date; payload: Record<string, unknown> }>("SELECT at, payload FROM events WHERE bench_id = 'bench-1' AND kind = 'job' ORDER BY seq")).rows;
  // At least 4,000 events: PostgreSQL's CPU is read in hundredths of a second.
  const events = Array.from({ length: Math.max(4000, rows.length) }, (_, i) => {
    const r = rows[i % rows.length]!;
    const payload = JSON.stringify({ ...r.payload, id: `cost-${i}`, serials: (r.payload.serials as string[]).map((s) => `C${i}-${s}`) });
    return { eventId: `bench-cost:${i}`, seq: i + 1, kind: 'job' as const, at: r.at.toISOString(), payload };
  });
  const cpu = process.cpuUsage();
  const ledgerMs = processCpuMs(backend);
  for (let i = 0; i < events.length; i += SHIP_BATCH) await ledger.ship('bench-cost', events.slice(i, i + SHIP_BATCH));
  const used = process.cpuUsage(cpu);
  return { benchUs: (used.user + used.system) / events.length, ledgerUs: ((processCpuMs(backend) - ledgerMs) * 1000) / events.length };
}

/** p99 submit-to-first-label per run, with `benches` stations each loaded by CLIENTS clients at once, burst then sustained. */
async function latency(urls: URL[]): Promise<{ burst: number[]; sustained: number[] }> {
  const all = (each: (u: URL, c: number) => Promise<void>) => Promise.all(urls.map((u) => clients(CLIENTS, (c) => each(u, c))));
  for (let i = 0; i < 3; i++) await all((u, c) => askForLabel(u, c, PRINTERS, [], []));
  await pause(500);
  const burst: number[] = [];
  const sustained: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    let lat: number[] = [];
    for (let round = 0; round < REQUESTS / CLIENTS; round++) {
      await all((u, c) => askForLabel(u, c, PRINTERS, lat, []));
      await pause(50);
    }
    burst.push(percentile(lat, 99));
    lat = [];
    await all(async (u, c) => {
      for (let i = 0; i < REQUESTS / CLIENTS; i++) await askForLabel(u, c, PRINTERS, lat, []);
    });
    sustained.push(percentile(lat, 99));
    await pause(200);
  }
  return { burst, sustained };
}

/** Two neighbour benches copying `live`'s events to the ledger (bench/neighbour-benches.ts) until stopped. */
async function neighbours(live: string): Promise<{ stop(): Promise<void>; cpuMs(): number }> {
  const child = fork(new URL('./neighbour-benches.ts', import.meta.url).pathname, [databaseUrl, live, '2'], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`the neighbour benches exited (${code})`)));
  });
  return {
    cpuMs: () => processCpuMs(child.pid!),
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.disconnect();
      await exited;
    },
  };
}

/** CPU time (ms) used so far by this machine's PostgreSQL server processes; 0 when the ledger is on another machine. */
function postgresCpuMs(): number {
  let ms = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'latin1').trim() === 'postgres') ms += processCpuMs(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return ms;
}

/**
 * Where the two cores went while `measure` ran, each as a share of one core: the station, its 20 clients (this
 * process), the loopback printers, PostgreSQL and the neighbours.
 */
async function cores<T>(station: () => number, neighbour: (() => number) | undefined, measure: () => Promise<T>): Promise<{ result: T; shares: Record<string, number>; stationPerLabelMs: number }> {
  const started = performance.now();
  const before = { station: station(), pg: postgresCpuMs(), neighbour: neighbour?.() ?? 0, printers: processCpuMs(devices.pid), load: process.cpuUsage() };
  const result = await measure();
  const wall = performance.now() - started;
  const load = process.cpuUsage(before.load);
  const stationMs = station() - before.station;
  const labels = 3 * CLIENTS + RUNS * 2 * REQUESTS; // the warm-up rounds' too: their CPU is in stationMs
  return {
    result,
    stationPerLabelMs: stationMs / labels,
    shares: { station: stationMs / wall, postgres: (postgresCpuMs() - before.pg) / wall, neighbours: ((neighbour?.() ?? 0) - before.neighbour) / wall, clients: (load.user + load.system) / 1000 / wall, printers: (processCpuMs(devices.pid) - before.printers) / wall },
  };
}

const shareText = (s: Record<string, number>) => Object.entries(s).map(([k, v]) => `${k} ${fmt(v * 100)}%`).join(', ');

try {
  // One bench alone, no ledger: the baseline of this run.
  const alone = await stationProcess(dir, 'alone', { station: { dataDir: join(dir, 'alone') }, printers: printersFor(3) });
  let single;
  let aloneCores;
  try {
    await pause(2000); // as long after its start as the benches on the ledger below: its first sync is done
    aloneCores = await cores(alone.cpuMs, undefined, () => latency([alone.url]));
    single = aloneCores.result;
  } finally {
    await alone.stop();
  }

  // One bench on the ledger, two neighbours shipping as much beside it: the ledger shared, the cores not.
  const onLedger = await stationProcess(dir, 'on-ledger', { station: { dataDir: join(dir, 'on-ledger'), name: 'On the ledger' }, shop: { databaseUrl, benchId: 'on-ledger' }, printers: printersFor(3) });
  let shared;
  let sharedCores;
  try {
    await pause(2000); // connected (the ledger migrated) and reserve leased
    const beside = await neighbours('on-ledger');
    try {
      sharedCores = await cores(onLedger.cpuMs, beside.cpuMs, () => latency([onLedger.url]));
      shared = sharedCores.result;
      await pause(500); // the last events copied
    } finally {
      await beside.stop();
    }
  } finally {
    await onLedger.stop();
  }

  // Three benches on one ledger, each with its own printers and its own 20 clients.
  const shop = await Promise.all(
    [0, 1, 2].map((b) =>
      stationProcess(dir, `bench-${b + 1}`, {
        station: { dataDir: join(dir, `bench-${b + 1}`), name: `Bench ${b + 1}` },
        shop: { databaseUrl, benchId: `bench-${b + 1}` },
        printers: printersFor(b),
      }),
    ),
  );
  let three;
  try {
    await pause(2000); // connected and reserve leased
    three = await latency(shop.map((s) => s.url));
    await pause(3000); // the last events shipped
  } finally {
    await Promise.all(shop.map((s) => s.stop()));
  }
  // How long events took from the bench's commit to the ledger (both clocks are this machine's).
  const lagRows = await (async () => {
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    try {
      // Each shipped batch is one ledger transaction: its events share their received_at (now() of the transaction).
      const batches = (await c.query<{ events: string; commits: string }>("SELECT count(*) AS events, count(DISTINCT (bench_id, received_at)) AS commits FROM events WHERE bench_id LIKE 'bench-_'")).rows[0]!;
      console.log(`ledger transactions of the three benches: ${batches.commits} for ${batches.events} events`);
      return (await c.query<{ ms: number }>("SELECT extract(epoch FROM received_at - at) * 1000 AS ms FROM events WHERE kind = 'job' AND bench_id LIKE 'bench-_'")).rows.map((r) => Number(r.ms));
    } finally {
      await c.end();
    }
  })();

  // What a serial costs: a block of 1,000 leased in one ledger transaction, timed here. One connection, so that its
  // server process is the one whose CPU is read.
  const pool = createPool(databaseUrl, { connectTimeoutMs: 3000, queryTimeoutMs: 10_000, max: 1 });
  const ledger = new Ledger(pool, databaseUrl);
  await migrateLedger(pool);
  const leaseMs: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    await ledger.leaseSerials('BENCH', 'bench-x', 1000, 1);
    leaseMs.push(performance.now() - t);
  }
  const shipCost = await shippingCost(ledger, pool);
  await pool.end();

  console.log(`shop benchmark: ${RUNS} runs of ${REQUESTS} requests per bench by ${CLIENTS} clients each, ${PRINTERS} loopback printers per bench; node ${process.version}`);
  const rows = [
    { name: `one bench alone, ${CLIENTS} clients at once: submit to first label p99`, unit: 'ms', runs: single.burst },
    { name: `one bench alone, ${CLIENTS} clients without pause: submit to first label p99`, unit: 'ms', runs: single.sustained },
    { name: `one bench on a ledger two more benches ship as much to, ${CLIENTS} clients at once: submit to first label p99`, unit: 'ms', runs: shared.burst, target: { kind: 'at most' as const, value: summary(single.burst).median * 1.2, basis: 'one bench alone + 20%' } },
    { name: `one bench on a ledger two more benches ship as much to, ${CLIENTS} clients without pause: submit to first label p99`, unit: 'ms', runs: shared.sustained, target: { kind: 'at most' as const, value: summary(single.sustained).median * 1.2, basis: 'one bench alone + 20%' } },
    { name: `three benches on one ledger, ${CLIENTS} clients each at once: submit to first label p99`, unit: 'ms', runs: three.burst, target: { kind: 'at most' as const, value: summary(single.burst).median * 1.2, basis: 'one bench alone + 20%' } },
    { name: `three benches on one ledger, ${CLIENTS} clients each without pause: submit to first label p99`, unit: 'ms', runs: three.sustained, target: { kind: 'at most' as const, value: summary(single.sustained).median * 1.2, basis: 'one bench alone + 20%' } },
    { name: 'ledger lag p99: a job event from the bench commit to the ledger', unit: 'ms', runs: [percentile(lagRows, 99)], target: { kind: 'at most' as const, value: 1000 } },
    { name: 'serial lease cost per tag (blocks of 1,000, one ledger transaction each)', unit: 'µs', runs: [(percentile(leaseMs, 50) * 1000) / 1000] },
  ];
  console.log('| measure | median | min | max |\n|---|---|---|---|');
  for (const r of rows) {
    const s = summary(r.runs);
    console.log(`| ${r.name} | ${fmt(s.median)} ${r.unit} | ${fmt(s.min)} | ${fmt(s.max)} |`);
    report(r);
  }
  // On two cores, what the ledger's side took from the measured bench: its PostgreSQL and the neighbours' shipping are
  // on this machine here, on the office server and the other PCs in a shop.
  console.log(`cores (share of one core) alone: ${shareText(aloneCores.shares)}; station CPU per label ${fmt(aloneCores.stationPerLabelMs)} ms`);
  console.log(`cores (share of one core) on the shared ledger: ${shareText(sharedCores.shares)}; station CPU per label ${fmt(sharedCores.stationPerLabelMs)} ms`);
  console.log(`shipping a job event (the run's own, again under new ids, ${SHIP_BATCH} to a batch as a station ships them): CPU ${fmt(shipCost.benchUs)} µs in the bench, ${fmt(shipCost.ledgerUs)} µs in PostgreSQL`);
  console.log(`ledger events: ${lagRows.length}, lag median ${fmt(percentile(lagRows, 50))} ms; lease of 1,000 serials: median ${fmt(percentile(leaseMs, 50))} ms`);
} finally {
  closeClients();
  devices.close();
  rmSync(dir, { recursive: true, force: true });
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
  await admin.end();
}
