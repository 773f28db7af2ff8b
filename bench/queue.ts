// Benchmark: jobs per second through the queue to loopback printers, and submit-to-first-byte latency with 20
// concurrent HTTP clients against the station in its own process. Three processes, as on a shop floor: the clients
// (here), the station, and the printers (bench/loopback-printers.ts). Several runs of each; prints figures.
//
// Latency is measured two ways, because they answer different questions:
// - burst: the 20 clients each ask for a label at the same moment, wait until all 20 reached a printer, pause, and
//   again (a shop where everyone prints at once). The last of 20 jobs on 3 printers waits for ~6 ahead of it.
// - sustained: each client asks again as soon as its label reached the printer, so the station never rests (a load
//   test). Here latency is the number of jobs in flight over the throughput (Little's law): 20 / (jobs per second).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { silentLogger } from '../src/logger.js';
import type { RenderedDocument } from '../src/printing/types.js';
import { startStation } from '../src/station.js';
import { askForLabel, clients, closeClients, loopbackPrinters, pause, stationProcess } from './load.js';
import { fmt, percentile, report, summary } from './report.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PRINTERS = 3;
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 20);
const REQUESTS = 500; // per latency run

const doc = (n: number): RenderedDocument => {
  const text = `^XA^FO20,20^A0N,30,30^FDJOB${n}^FS^XZ\n`;
  return { format: 'zpl', bytes: Buffer.from(text), meta: { name: 'b.zpl', contentType: 'x', partEnds: [Buffer.byteLength(text)] } };
};

const ask = (url: URL, c: number, latencies: number[], answers: number[], byPrinter?: number[][]) => askForLabel(url, c, PRINTERS, latencies, answers, byPrinter);

const dir = mkdtempSync(join(tmpdir(), 'bp-bench-queue-'));
const devices = await loopbackPrinters(PRINTERS);
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

  const { url, stop, cpuMs } = await stationProcess(dir, 'latency', {
    station: { dataDir: join(dir, 'latency') },
    printers: devices.uris.map((uri, i) => ({ id: `p${i}`, driver: 'zpl', uri, options: {} })),
  });
  const burst = { p50: [] as number[], p99: [] as number[], answers: [] as number[] };
  const sustained = { p50: [] as number[], p99: [] as number[], answers: [] as number[], rate: [] as number[] };
  /** The station's CPU time per label over HTTP (its process, all threads), each run. */
  const cpuPerLabel: number[] = [];
  // Per run, each printer's mean wait without pause: the printer whose queue grows longest is where the p99 comes from.
  const perPrinter: string[] = [];
  try {
    // Warm-up, not measured: loads the fonts and barcode code (loaded on first use), compiles the render path and
    // opens the clients' connections. Measured without it, these first requests took 150-250 ms each.
    for (let i = 0; i < 3; i++) await clients(CLIENTS, (c) => ask(url, c, [], []));
    await pause(500);
    for (let run = 0; run < RUNS; run++) {
      const cpuBefore = cpuMs();
      let latencies: number[] = [];
      for (let round = 0; round < REQUESTS / CLIENTS; round++) {
        await clients(CLIENTS, (c) => ask(url, c, latencies, burst.answers));
        await pause(50);
      }
      burst.p50.push(percentile(latencies, 50));
      burst.p99.push(percentile(latencies, 99));

      latencies = [];
      const byPrinter = Array.from({ length: PRINTERS }, () => [] as number[]);
      const started = performance.now();
      await clients(CLIENTS, async (c) => {
        for (let i = 0; i < REQUESTS / CLIENTS; i++) await ask(url, c, latencies, sustained.answers, byPrinter);
      });
      perPrinter.push(byPrinter.map((w) => fmt(w.reduce((a, b) => a + b, 0) / Math.max(1, w.length))).join(' / '));
      sustained.rate.push(REQUESTS / ((performance.now() - started) / 1000));
      sustained.p50.push(percentile(latencies, 50));
      sustained.p99.push(percentile(latencies, 99));
      cpuPerLabel.push((cpuMs() - cpuBefore) / (2 * REQUESTS));
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
    { name: "the station's CPU time per label over HTTP (all its threads; burst and sustained)", unit: 'ms', runs: cpuPerLabel },
  ];
  for (const r of rows) {
    const s = summary(r.runs);
    console.log(`| ${r.name} | ${fmt(s.median)} ${r.unit} | ${fmt(s.min)} | ${fmt(s.max)} |`);
    report(r);
  }
  const all = [...burst.answers, ...sustained.answers];
  console.log(`HTTP answer (label rendered and queued), all requests: median ${fmt(percentile(all, 50))} ms, p99 ${fmt(percentile(all, 99))} ms`);
  console.log(`submit to first byte without pause, mean per printer (ms), each run: ${perPrinter.join('; ')}`);
} finally {
  closeClients();
  devices.close();
  rmSync(dir, { recursive: true, force: true });
}
