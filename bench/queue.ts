// Benchmark: jobs per second through the queue to loopback printers, and submit-to-first-byte latency (median, p99).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { silentLogger } from '../src/logger.js';
import type { RenderedDocument } from '../src/printing/types.js';
import { startStation } from '../src/station.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 2000);
const PRINTERS = 3;
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 20);

/** Loopback printers that note when the first byte of each job (tagged in its data) arrives. */
async function printer(firstByte: Map<string, number>) {
  const server = createServer((socket) => {
    let seen = false;
    socket.on('data', (chunk: Buffer) => {
      if (seen) return;
      seen = true;
      const tag = /JOB(\d+)/.exec(chunk.toString('latin1'))?.[1];
      if (tag) firstByte.set(tag, performance.now());
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { uri: `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const doc = (n: number): RenderedDocument => {
  const text = `^XA^FO20,20^A0N,30,30^FDJOB${n}^FS^XZ\n`;
  return { format: 'zpl', bytes: Buffer.from(text), meta: { name: 'b.zpl', contentType: 'x', partEnds: [Buffer.byteLength(text)] } };
};

const dir = mkdtempSync(join(tmpdir(), 'bp-bench-queue-'));
const firstByte = new Map<string, number>();
const devices = await Promise.all(Array.from({ length: PRINTERS }, () => printer(firstByte)));
try {
  const loaded = loadConfig(undefined, { BENCHPRINT_DATA_DIR: dir, BENCHPRINT_PORT: '0', BENCHPRINT_HOST: '127.0.0.1' });
  loaded.config.printers = devices.map((d, i) => ({ id: `p${i}`, driver: 'zpl', uri: d.uri, dpmm: 8, options: {} }));
  const station = await startStation(loaded, silentLogger(), { startSync: false });

  // Throughput: all jobs submitted at once, time until the last is done.
  const started = performance.now();
  for (let n = 0; n < JOBS; n++) station.queue.submit({ printerId: `p${n % PRINTERS}`, requestedBy: 'bench', kind: 'raw', document: doc(n), expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
  await station.queue.runUntilIdle(600_000);
  const throughput = JOBS / ((performance.now() - started) / 1000);

  // Latency: CLIENTS concurrent HTTP clients, each submitting jobs one after another (raw jobs need an admin token,
  // so they go in-process through the same submit the API uses, timed from the call to the first byte).
  const submitted = new Map<string, number>();
  let next = JOBS;
  const perClient = Math.ceil(500 / CLIENTS);
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = 0; i < perClient; i++) {
        const n = next++;
        submitted.set(String(n), performance.now());
        const { job } = station.queue.submit({ printerId: `p${(c + i) % PRINTERS}`, requestedBy: 'bench', kind: 'raw', document: doc(n), expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
        while (station.queue.get(job.id).state !== 'done') await new Promise((r) => setTimeout(r, 1));
      }
    }),
  );
  const latencies = [...submitted].map(([n, t]) => (firstByte.get(n) ?? Number.NaN) - t).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
  console.log(`queue benchmark: ${JOBS} jobs over ${PRINTERS} loopback printers; latency from ${latencies.length} jobs by ${CLIENTS} concurrent clients; node ${process.version}`);
  console.log('| measure | value |');
  console.log('|---|---|');
  console.log(`| jobs per second | ${throughput.toFixed(0)} |`);
  console.log(`| submit to first byte, median | ${pct(50).toFixed(1)} ms |`);
  console.log(`| submit to first byte, p99 | ${pct(99).toFixed(1)} ms |`);
  await station.stop();
} finally {
  await Promise.all(devices.map((d) => d.close()));
  rmSync(dir, { recursive: true, force: true });
}
