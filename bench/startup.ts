// Benchmark: cold start of the built station until "ready", and its resident memory once idle. Prints figures.
// Needs `npm run build` first (npm run bench does it).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const entry = new URL('../dist/src/index.js', import.meta.url).pathname;

async function once(): Promise<{ readyMs: number; idleRssMb: number }> {
  const data = mkdtempSync(join(tmpdir(), 'bp-start-'));
  const started = performance.now();
  const child = spawn(process.execPath, [entry], { env: { ...process.env, BENCHPRINT_DATA_DIR: data, BENCHPRINT_PORT: '0', BENCHPRINT_HOST: '127.0.0.1', BENCHPRINT_CONFIG: '' }, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const readyMs = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('benchprint ready')) resolve(performance.now() - started);
      });
      child.on('exit', (code) => reject(new Error(`station exited with ${code}`)));
    });
    await new Promise((r) => setTimeout(r, 4000)); // first sync done, printers checked, then idle
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const idleRssMb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
    return { readyMs, idleRssMb };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(data, { recursive: true, force: true });
  }
}

const runs: Array<{ readyMs: number; idleRssMb: number }> = [];
for (let i = 0; i < RUNS; i++) runs.push(await once());
const stat = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s.at(-1)! };
};
const ready = stat(runs.map((r) => r.readyMs));
const rss = stat(runs.map((r) => r.idleRssMb));
console.log(`startup benchmark: demo mode, ${RUNS} runs, node ${process.version}`);
console.log('| measure | median | min | max |');
console.log('|---|---|---|---|');
console.log(`| cold start to ready | ${ready.median.toFixed(0)} ms | ${ready.min.toFixed(0)} ms | ${ready.max.toFixed(0)} ms |`);
console.log(`| resident memory, idle | ${rss.median.toFixed(0)} MB | ${rss.min.toFixed(0)} MB | ${rss.max.toFixed(0)} MB |`);
