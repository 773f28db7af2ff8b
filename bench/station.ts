// Benchmark: the built station as a process, as on a bench PC (demo mode: sandbox and virtual printers).
// Each run: cold start until "ready"; resident memory once idle; then a 1,000-label PDF job of hose tags asked for
// over HTTP until its file is written, twice, with the process's peak resident memory (VmHWM), how long each job took,
// and the longest /healthz answer meanwhile (is the station still answering while it renders?).
// Needs `npm run build` first (npm run bench does it).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, report, summary, type Result } from './report.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const LABELS = 1000;
const entry = new URL('../dist/src/index.js', import.meta.url).pathname;

const procStatus = (pid: number, field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

interface Job {
  ms: number;
  longestHealthMs: number;
}

interface Run {
  readyMs: number;
  idleRssMb: number;
  first: Job;
  later: Job;
  peakRssMb: number;
}

/** Asks for the labels over HTTP and waits until the job is done, asking /healthz every 20 ms meanwhile. */
async function pdfJob(url: string): Promise<Job> {
  let polling = true;
  let longestHealthMs = 0;
  const poller = (async () => {
    while (polling) {
      const t = performance.now();
      const res = await fetch(`${url}/healthz`).catch(() => undefined);
      if (!res) break; // the station is gone: the job's own error says why
      await res.arrayBuffer();
      longestHealthMs = Math.max(longestHealthMs, performance.now() - t);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  // As the kiosk in the bench PC's browser: the session cookie it gets opening /kiosk, and its own origin.
  const opened = await fetch(`${url}/kiosk`);
  await opened.arrayBuffer();
  const kiosk = { cookie: opened.headers.get('set-cookie')!.split(';')[0]!, origin: url };
  const t = performance.now();
  const res = await fetch(`${url}/api/v1/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...kiosk },
    body: JSON.stringify({ kind: 'labels', printer: 'labels', workOrder: 'WO-24005', line: 10, template: 'hose-tag', quantity: LABELS, force: true }),
  });
  const job = (await res.json()) as { id: string; state: string };
  if (res.status !== 201) throw new Error(`the job was refused: ${JSON.stringify(job)}`);
  for (let state = job.state; state !== 'done'; ) {
    if (['failed', 'needs-attention', 'expired', 'cancelled'].includes(state)) throw new Error(`the job ended ${state}`);
    await new Promise((r) => setTimeout(r, 10));
    state = ((await (await fetch(`${url}/api/v1/jobs/${job.id}`, { headers: kiosk })).json()) as { state: string }).state;
  }
  const ms = performance.now() - t;
  polling = false;
  await poller;
  return { ms, longestHealthMs };
}

async function once(): Promise<Run> {
  const data = mkdtempSync(join(tmpdir(), 'bp-station-'));
  const started = performance.now();
  const child = spawn(process.execPath, [...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), entry], { env: { ...process.env, BENCHPRINT_DATA_DIR: data, BENCHPRINT_PORT: '0', BENCHPRINT_HOST: '127.0.0.1', BENCHPRINT_CONFIG: '' }, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const { readyMs, url } = await new Promise<{ readyMs: number; url: string }>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /benchprint ready: open (http:\/\/\S+)\/kiosk/.exec(out);
        if (m) resolve({ readyMs: performance.now() - started, url: m[1]! });
      });
      child.on('exit', (code) => reject(new Error(`station exited with ${code}`)));
    });
    await new Promise((r) => setTimeout(r, 4000)); // first sync done, printers checked, then idle
    const idleRssMb = procStatus(child.pid!, 'VmRSS');

    // The first job also loads the PDF and barcode code (loaded on first use, as on a bench); the second does not.
    const first = await pdfJob(url);
    const later = await pdfJob(url);
    return { readyMs, idleRssMb, first, later, peakRssMb: procStatus(child.pid!, 'VmHWM') };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(data, { recursive: true, force: true });
  }
}

const runs: Run[] = [];
for (let i = 0; i < RUNS; i++) runs.push(await once());
const n = LABELS.toLocaleString('en-US');
const results: Result[] = [
  { name: 'cold start to ready', unit: 'ms', runs: runs.map((r) => r.readyMs), target: { kind: 'at most', value: 1500 } },
  { name: 'resident memory, idle', unit: 'MB', runs: runs.map((r) => r.idleRssMb), target: { kind: 'at most', value: 150 } },
  { name: `peak resident memory through two ${n}-label PDF jobs`, unit: 'MB', runs: runs.map((r) => r.peakRssMb), target: { kind: 'at most', value: 150 } },
  { name: `${n}-label PDF job, request to file written: first after start`, unit: 'ms', runs: runs.map((r) => r.first.ms) },
  { name: `${n}-label PDF job, request to file written: next`, unit: 'ms', runs: runs.map((r) => r.later.ms) },
  { name: 'longest /healthz answer during the first job', unit: 'ms', runs: runs.map((r) => r.first.longestHealthMs), target: { kind: 'at most', value: 50 } },
  { name: 'longest /healthz answer during the next job', unit: 'ms', runs: runs.map((r) => r.later.longestHealthMs), target: { kind: 'at most', value: 50 } },
];
console.log(`station benchmark: demo mode, ${RUNS} runs, node ${process.version}`);
console.log('| measure | median | min | max |');
console.log('|---|---|---|---|');
for (const r of results) {
  const s = summary(r.runs);
  console.log(`| ${r.name} | ${fmt(s.median)} ${r.unit} | ${fmt(s.min)} | ${fmt(s.max)} |`);
  report(r);
}
