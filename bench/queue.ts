// Benchmark: jobs per second through the queue to loopback printers, and submit-to-first-byte latency (median, p99).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

/** Someone waiting for a tagged job to reach a printer. */
const arrivals = new Map<string, () => void>();

/** Loopback printers that note when the first byte of each job (tagged in its data) arrives. */
async function printer(firstByte: Map<string, number>) {
  const server = createServer((socket) => {
    let seen = false;
    socket.on('data', (chunk: Buffer) => {
      if (seen) return;
      seen = true;
      const tag = /JOB(\d+)/.exec(chunk.toString('latin1'))?.[1];
      if (tag) {
        firstByte.set(tag, performance.now());
        arrivals.get(tag)?.();
      }
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

  await station.stop();

  // Latency: the station in its own process (as on a bench PC), CLIENTS concurrent HTTP clients here, each asking for
  // a label one after another (explicit data, so each job carries its own tag), timed from request to first byte.
  const config = join(dir, 'latency.json');
  writeFileSync(
    config,
    JSON.stringify({
      station: { dataDir: join(dir, 'latency') },
      server: { host: '127.0.0.1', port: 0 },
      goldleaf: { sandbox: true },
      printers: devices.map((d, i) => ({ id: `p${i}`, driver: 'zpl', uri: d.uri, options: {} })),
    }),
  );
  // BENCH_NODE_ARGS passes flags to the station's node, e.g. --cpu-prof to see where a job's time goes.
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, new URL('../dist/src/index.js', import.meta.url).pathname], { env: { ...process.env, BENCHPRINT_CONFIG: config }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const find = (c: Buffer) => {
      out += c.toString();
      const m = /"kiosk":\["(http:\/\/[^"]+)\/kiosk"/.exec(out);
      if (!m) return;
      // From here on only drain the log: a full pipe would block the station's logging.
      child.stdout!.off('data', find);
      child.stdout!.on('data', () => undefined);
      resolve(m[1]!);
    };
    child.stdout!.on('data', find);
    child.on('exit', (code) => reject(new Error(`station exited (${code}); run npm run build first`)));
  });
  const submitted = new Map<string, number>();
  const answered: number[] = [];
  let next = JOBS;
  const perClient = Math.ceil(500 / CLIENTS);
  try {
    // Warm-up, not measured: one concurrent round loads the fonts and the barcode encoder (both loaded on first
    // use), compiles the render path and opens the clients' connections. Measured without it, these first 20
    // requests were the whole tail (150-250 ms each; none after them passed 100 ms).
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        const res = await fetch(`${url}/api/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'template', printer: `p${c % PRINTERS}`, template: 'work-order-label', labels: [{ workOrder: { number: `WARM${c}` } }] }) });
        await res.arrayBuffer();
      }),
    );
    await new Promise((r) => setTimeout(r, 500));
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        for (let i = 0; i < perClient; i++) {
          const n = next++;
          const arrived = new Promise<void>((resolve) => arrivals.set(String(n), resolve));
          submitted.set(String(n), performance.now());
          const res = await fetch(`${url}/api/v1/jobs`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ kind: 'template', printer: `p${(c + i) % PRINTERS}`, template: 'work-order-label', labels: [{ workOrder: { number: `JOB${n}` } }] }),
          });
          answered.push(performance.now() - submitted.get(String(n))!);
          if (res.status !== 201) throw new Error(`job request answered ${res.status}`);
          await res.arrayBuffer();
          await arrived; // a closed loop: each client waits for its label to reach the printer before the next
        }
      }),
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  const latencies = [...submitted].map(([n, t]) => (firstByte.get(n) ?? Number.NaN) - t).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
  console.log(`queue benchmark: ${JOBS} jobs over ${PRINTERS} loopback printers; latency from ${latencies.length} HTTP requests by ${CLIENTS} concurrent clients; node ${process.version}`);
  console.log('| measure | value |');
  console.log('|---|---|');
  console.log(`| jobs per second | ${throughput.toFixed(0)} |`);
  console.log(`| submit to first byte, median | ${pct(50).toFixed(1)} ms |`);
  console.log(`| submit to first byte, p99 | ${pct(99).toFixed(1)} ms |`);
  answered.sort((a, b) => a - b);
  console.log(`| HTTP answer (job rendered and queued), median / p99 | ${answered[Math.floor(answered.length / 2)]!.toFixed(1)} ms / ${answered[Math.floor(answered.length * 0.99)]!.toFixed(1)} ms |`);
} finally {
  await Promise.all(devices.map((d) => d.close()));
  rmSync(dir, { recursive: true, force: true });
}
