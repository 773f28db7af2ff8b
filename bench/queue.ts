// Benchmark: jobs per second through the queue to loopback printers, and submit-to-first-byte latency with 20
// concurrent HTTP clients against the station in its own process. Three processes, as on a shop floor: the clients
// (here), the station, and the printers (bench/loopback-printers.ts). Several runs of each; prints figures.
//
// Latency is measured two ways, because they answer different questions:
// - burst: the 20 clients each ask for a label at the same moment, wait until all 20 reached a printer, pause, and
//   again (a shop where everyone prints at once). The last of 20 jobs on 3 printers waits for ~6 ahead of it.
// - sustained: each client asks again as soon as its label reached the printer, so the station never rests (a load
//   test). Here latency is the number of jobs in flight over the throughput (Little's law): 20 / (jobs per second).
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { silentLogger } from '../src/logger.js';
import type { RenderedDocument } from '../src/printing/types.js';
import { startStation } from '../src/station.js';
import { fmt, percentile, report, summary } from './report.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PRINTERS = 3;
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 20);
const REQUESTS = 500; // per latency run

/** Someone waiting for a tagged job to reach a printer. */
const arrivals = new Map<string, () => void>();
/** When each job's first byte reached its printer (ms on the machine's monotonic clock). */
const firstByte = new Map<string, number>();
const now = () => Number(process.hrtime.bigint()) / 1e6;

/** The loopback printers, in their own process (bench/loopback-printers.ts). */
async function printers(count: number) {
  const child = fork(new URL('./loopback-printers.ts', import.meta.url).pathname, [String(count)], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const ports = await new Promise<number[]>((resolve, reject) => {
    child.on('message', (m: { ports?: number[]; tag?: string; at?: number }) => {
      if (m.ports) resolve(m.ports);
      else if (m.tag) {
        firstByte.set(m.tag, m.at!);
        arrivals.get(m.tag)?.();
      }
    });
    child.once('exit', (code) => reject(new Error(`the loopback printers exited (${code})`)));
  });
  return { uris: ports.map((p) => `tcp://127.0.0.1:${p}`), close: () => child.disconnect() };
}

const TOKEN = 'bench-client-token-0123456789abcdef';

const doc = (n: number): RenderedDocument => {
  const text = `^XA^FO20,20^A0N,30,30^FDJOB${n}^FS^XZ\n`;
  return { format: 'zpl', bytes: Buffer.from(text), meta: { name: 'b.zpl', contentType: 'x', partEnds: [Buffer.byteLength(text)] } };
};

/** The station in its own process, as on a bench PC; BENCH_NODE_ARGS passes flags to its node (e.g. --cpu-prof). */
async function stationProcess(dir: string, uris: string[]) {
  const config = join(dir, 'latency.json');
  writeFileSync(
    config,
    JSON.stringify({
      station: { dataDir: join(dir, 'latency') },
      server: { host: '127.0.0.1', port: 0 },
      goldleaf: { sandbox: true },
      // The clients are programs on the LAN: a token, as an ERP would have.
      auth: { tokens: [{ name: 'bench', token: TOKEN, scopes: ['read', 'print'] }], rateLimitPerMinute: 100_000 },
      printers: uris.map((uri, i) => ({ id: `p${i}`, driver: 'zpl', uri, options: {} })),
    }),
  );
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, new URL('../dist/src/index.js', import.meta.url).pathname], { env: { ...process.env, BENCHPRINT_CONFIG: config }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<URL>((resolve, reject) => {
    let out = '';
    const find = (c: Buffer) => {
      out += c.toString();
      const m = /"kiosk":\["(http:\/\/[^"]+)\/kiosk"/.exec(out);
      if (!m) return;
      // From here on only drain the log: a full pipe would block the station's logging.
      child.stdout!.off('data', find);
      child.stdout!.on('data', () => undefined);
      resolve(new URL(m[1]!));
    };
    child.stdout!.on('data', find);
    child.on('exit', (code) => reject(new Error(`station exited (${code}); run npm run build first`)));
  });
  const stop = async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  };
  return { url, stop };
}

// A light client (node:http, kept-alive connections, like wrk): the load generator shares the machine's two cores
// with the station, and fetch spent as much CPU per request as the station did.
const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });

function post(url: URL, body: unknown): Promise<number> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: '/api/v1/jobs', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), authorization: `Bearer ${TOKEN}` } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

let nextTag = JOBS * RUNS;
/** One label for the client, timed from request to first byte at the printer; the HTTP answer time too. */
async function askForLabel(url: URL, client: number, latencies: number[], answers: number[]): Promise<void> {
  const n = String(nextTag++);
  const arrived = new Promise<void>((resolve) => arrivals.set(n, resolve));
  const t = now();
  const status = await post(url, { kind: 'template', printer: `p${(client + Number(n)) % PRINTERS}`, template: 'work-order-label', labels: [{ workOrder: { number: `JOB${n}` } }] });
  answers.push(now() - t);
  if (status !== 201) throw new Error(`job request answered ${status}`);
  await arrived;
  latencies.push(firstByte.get(n)! - t);
  arrivals.delete(n);
}

const clients = <T>(each: (c: number) => Promise<T>) => Promise.all(Array.from({ length: CLIENTS }, (_, c) => each(c)));
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dir = mkdtempSync(join(tmpdir(), 'bp-bench-queue-'));
const devices = await printers(PRINTERS);
try {
  // Throughput, in this process: all jobs submitted at once, time until the last is done (store writes included).
  const loaded = loadConfig(undefined, { BENCHPRINT_DATA_DIR: dir, BENCHPRINT_PORT: '0', BENCHPRINT_HOST: '127.0.0.1' });
  loaded.config.printers = devices.uris.map((uri, i) => ({ id: `p${i}`, driver: 'zpl', uri, dpmm: 8, options: {} }));
  const station = await startStation(loaded, silentLogger(), { startSync: false });
  const throughput: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    for (let i = 0; i < JOBS; i++) {
      const n = run * JOBS + i;
      station.queue.submit({ printerId: `p${n % PRINTERS}`, requestedBy: 'bench', kind: 'raw', document: doc(n), expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    }
    await station.queue.runUntilIdle(600_000);
    throughput.push(JOBS / ((performance.now() - started) / 1000));
  }
  await station.stop();

  const { url, stop } = await stationProcess(dir, devices.uris);
  const burst = { p50: [] as number[], p99: [] as number[], answers: [] as number[] };
  const sustained = { p50: [] as number[], p99: [] as number[], answers: [] as number[], rate: [] as number[] };
  try {
    // Warm-up, not measured: loads the fonts and barcode code (loaded on first use), compiles the render path and
    // opens the clients' connections. Measured without it, these first requests took 150-250 ms each.
    for (let i = 0; i < 3; i++) await clients((c) => askForLabel(url, c, [], []));
    await pause(500);
    for (let run = 0; run < RUNS; run++) {
      let latencies: number[] = [];
      for (let round = 0; round < REQUESTS / CLIENTS; round++) {
        await clients((c) => askForLabel(url, c, latencies, burst.answers));
        await pause(50);
      }
      burst.p50.push(percentile(latencies, 50));
      burst.p99.push(percentile(latencies, 99));

      latencies = [];
      const started = performance.now();
      await clients(async (c) => {
        for (let i = 0; i < REQUESTS / CLIENTS; i++) await askForLabel(url, c, latencies, sustained.answers);
      });
      sustained.rate.push(REQUESTS / ((performance.now() - started) / 1000));
      sustained.p50.push(percentile(latencies, 50));
      sustained.p99.push(percentile(latencies, 99));
      await pause(200);
    }
  } finally {
    await stop();
  }

  console.log(`queue benchmark: ${JOBS} jobs x ${RUNS} runs over ${PRINTERS} loopback printers; latency: ${RUNS} runs of ${REQUESTS} HTTP requests by ${CLIENTS} concurrent clients, burst then sustained; node ${process.version}`);
  console.log('| measure | median of runs | min | max |');
  console.log('|---|---|---|---|');
  const rows = [
    { name: `jobs per second through the queue (${JOBS} submitted at once, ${PRINTERS} printers)`, unit: '/s', runs: throughput, target: { kind: 'at least' as const, value: 500 } },
    { name: `submit to first byte, median: ${CLIENTS} clients at once (burst)`, unit: 'ms', runs: burst.p50 },
    { name: `submit to first byte, p99: ${CLIENTS} clients at once (burst)`, unit: 'ms', runs: burst.p99, target: { kind: 'at most' as const, value: 50 } },
    { name: `submit to first byte, median: ${CLIENTS} clients without pause (sustained)`, unit: 'ms', runs: sustained.p50 },
    { name: `submit to first byte, p99: ${CLIENTS} clients without pause (sustained)`, unit: 'ms', runs: sustained.p99, target: { kind: 'at most' as const, value: 50 } },
    { name: 'labels per second over HTTP, sustained (request, render, queue, print)', unit: '/s', runs: sustained.rate },
  ];
  for (const r of rows) {
    const s = summary(r.runs);
    console.log(`| ${r.name} | ${fmt(s.median)} ${r.unit} | ${fmt(s.min)} | ${fmt(s.max)} |`);
    report(r);
  }
  const all = [...burst.answers, ...sustained.answers];
  console.log(`HTTP answer (label rendered and queued), all requests: median ${fmt(percentile(all, 50))} ms, p99 ${fmt(percentile(all, 99))} ms`);
} finally {
  agent.destroy();
  devices.close();
  rmSync(dir, { recursive: true, force: true });
}
