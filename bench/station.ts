// Benchmark: the built station as a process, as on a bench PC (demo mode: sandbox and virtual printers).
// Each run: cold start until "ready"; resident memory once idle (4 s after ready); then a 1,000-label PDF job of hose
// tags asked for over HTTP until its file is written, twice, with the process's peak resident memory (VmHWM), how long
// each job took, and the longest /healthz answer meanwhile (is the station still answering while it renders?). Then
// 1,000 and 10,000 tags as ZPL and as PDF, each with the memory it adds at its peak (flat: long jobs are never held
// whole), and a second 10,000-tag job of each (does the process keep what the first added and use it again?); last,
// the resident memory a minute after the last of them, as on a bench between rush orders.
// Needs `npm run build` first (npm run bench does it).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, report, summary, type Result } from './report.js';
import { launch } from './launch.js';

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
  afterLongRssMb: number;
  first: Job;
  later: Job;
  peakRssMb: number;
  long: LongJobs;
}

/** A job's peak resident memory over what the process held just before it (the kernel's peak is reset first). */
async function peakOver(pid: number, job: () => Promise<Job>): Promise<{ mb: number; ms: number }> {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
  const before = procStatus(pid, 'VmRSS');
  const { ms } = await job();
  return { mb: procStatus(pid, 'VmHWM') - before, ms };
}

/** Extra resident memory at the peak of each long job (over the memory just before it), MB. */
interface LongJobs {
  zpl1k: number;
  zpl10k: number;
  pdf1k: number;
  pdf10k: number;
  /** A second 10,000-tag job of each kind, after the first of both. */
  zpl10kAgain: number;
  pdf10kAgain: number;
  zpl10kMs: number;
  pdf10kMs: number;
}

/** Asks for the labels over HTTP and waits until the job is done, asking /healthz every 20 ms meanwhile. */
async function pdfJob(url: string, printer = 'labels', labels = LABELS): Promise<Job> {
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
    body: JSON.stringify({ kind: 'labels', printer, workOrder: 'WO-24005', line: 10, template: 'hose-tag', quantity: labels, force: true }),
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
  const child = spawn(process.execPath, [...launch.flags, entry], { env: { ...process.env, BENCHPRINT_DATA_DIR: data, BENCHPRINT_PORT: '0', BENCHPRINT_HOST: '127.0.0.1', BENCHPRINT_CONFIG: '' }, stdio: ['ignore', 'pipe', 'inherit'] });
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
    // This process's own first request loads and compiles its HTTP client (30-80 ms here): done now, or it would be
    // counted below as the station's slowest answer during the first job. The station answers one request early, as
    // it does on a bench where the kiosk's browser opens it at start.
    await (await fetch(`${url}/healthz`)).arrayBuffer();
    await new Promise((r) => setTimeout(r, 4000)); // first sync done, printers checked, then idle
    const idleRssMb = procStatus(child.pid!, 'VmRSS');

    // The first job also loads the PDF and barcode code (loaded on first use, as on a bench); the second does not.
    const first = await pdfJob(url);
    const later = await pdfJob(url);
    const peakRssMb = procStatus(child.pid!, 'VmHWM');
    // Long jobs are written to the store and read back a segment at a time: 10,000 tags should cost about what 1,000 do.
    const pid = child.pid!;
    const zpl1k = await peakOver(pid, () => pdfJob(url, 'tags', 1000));
    const zpl10k = await peakOver(pid, () => pdfJob(url, 'tags', 10_000));
    const pdf1k = await peakOver(pid, () => pdfJob(url, 'labels', 1000));
    const pdf10k = await peakOver(pid, () => pdfJob(url, 'labels', 10_000));
    // The same again: what the first long job added the process keeps and uses again, or does each one add as much?
    const zpl10kAgain = await peakOver(pid, () => pdfJob(url, 'tags', 10_000));
    const pdf10kAgain = await peakOver(pid, () => pdfJob(url, 'labels', 10_000));
    // A minute after the last job, as on a bench between rush orders: what V8 and the threads give back by then.
    await new Promise((r) => setTimeout(r, 60_000));
    const afterLongRssMb = procStatus(pid, 'VmRSS');
    const long = { zpl1k: zpl1k.mb, zpl10k: zpl10k.mb, pdf1k: pdf1k.mb, pdf10k: pdf10k.mb, zpl10kAgain: zpl10kAgain.mb, pdf10kAgain: pdf10kAgain.mb, zpl10kMs: zpl10k.ms, pdf10kMs: pdf10k.ms };
    return { readyMs, idleRssMb, afterLongRssMb, first, later, peakRssMb, long };
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
  { name: 'resident memory, idle 4 s after ready', unit: 'MB', runs: runs.map((r) => r.idleRssMb), target: { kind: 'at most', value: 150 } },
  { name: 'resident memory a minute after the last long job', unit: 'MB', runs: runs.map((r) => r.afterLongRssMb) },
  { name: `peak resident memory through two ${n}-label PDF jobs`, unit: 'MB', runs: runs.map((r) => r.peakRssMb), target: { kind: 'at most', value: 150 } },
  { name: `${n}-label PDF job, request to file written: first after start`, unit: 'ms', runs: runs.map((r) => r.first.ms) },
  { name: `${n}-label PDF job, request to file written: next`, unit: 'ms', runs: runs.map((r) => r.later.ms) },
  { name: 'longest /healthz answer during the first job', unit: 'ms', runs: runs.map((r) => r.first.longestHealthMs), target: { kind: 'at most', value: 50 } },
  { name: 'longest /healthz answer during the next job', unit: 'ms', runs: runs.map((r) => r.later.longestHealthMs), target: { kind: 'at most', value: 50 } },
  { name: 'memory a 1,000-tag ZPL job adds at its peak', unit: 'MB', runs: runs.map((r) => r.long.zpl1k) },
  { name: 'memory a 10,000-tag ZPL job adds at its peak', unit: 'MB', runs: runs.map((r) => r.long.zpl10k), note: 'flat: about what 1,000 tags add' },
  { name: 'memory a 1,000-tag PDF job adds at its peak', unit: 'MB', runs: runs.map((r) => r.long.pdf1k) },
  { name: 'memory a 10,000-tag PDF job adds at its peak', unit: 'MB', runs: runs.map((r) => r.long.pdf10k), note: 'flat: about what 1,000 tags add' },
  { name: 'memory a second 10,000-tag ZPL job adds at its peak', unit: 'MB', runs: runs.map((r) => r.long.zpl10kAgain), note: 'flat: about what 1,000 tags add' },
  { name: 'memory a second 10,000-tag PDF job adds at its peak', unit: 'MB', runs: runs.map((r) => r.long.pdf10kAgain), note: 'flat: about what 1,000 tags add' },
  { name: '10,000-tag ZPL job, request to file written', unit: 'ms', runs: runs.map((r) => r.long.zpl10kMs) },
  { name: '10,000-tag PDF job, request to file written', unit: 'ms', runs: runs.map((r) => r.long.pdf10kMs) },
];
console.log(`station benchmark: demo mode, ${RUNS} runs, node ${process.version}, started ${launch.words}`);
console.log('| measure | median | min | max |');
console.log('|---|---|---|---|');
for (const r of results) {
  const s = summary(r.runs);
  console.log(`| ${r.name} | ${fmt(s.median)} ${r.unit} | ${fmt(s.min)} | ${fmt(s.max)} |`);
  report(r);
}
