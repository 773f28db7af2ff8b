// `npm run bench`: runs every benchmark, each in its own process one after another, then prints one table of all
// measures with median, spread and runs, against the targets. Each script also prints its own details as it goes.
// BENCH_ONLY=labels,queue runs some of them; BENCH_RUNS overrides each script's number of runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { launch } from './launch.js';
import { machineSpeed } from './machine.js';
import { met, TABLE_HEAD, tableRow, type Result } from './report.js';

const SCRIPTS = ['station', 'labels', 'glabels', 'documents', 'designer', 'kiosk', 'queue', 'shop'];
const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
const dir = mkdtempSync(join(tmpdir(), 'bp-bench-run-'));
const file = join(dir, 'results.jsonl');
writeFileSync(file, '');

const failed: string[] = [];
const started = Date.now();
// The machine's speed before and after, to read the absolute figures by (bench/machine.ts).
const before = machineSpeed();
for (const name of SCRIPTS.filter((s) => !only || only.includes(s))) {
  console.log(`\n## bench/${name}.ts\n`);
  // Under the station's own launch settings: labels, documents and the designer are measured in the script's process.
  const run = spawnSync(process.execPath, [...launch.harnessFlags, '--import', 'tsx', new URL(`./${name}.ts`, import.meta.url).pathname], { stdio: 'inherit', env: { ...process.env, BENCH_RESULTS: file } });
  if (run.status !== 0) failed.push(name);
}

const after = machineSpeed();
const results = [
  { name: 'the machine: a fixed single-threaded workload (bench/machine.ts), before / after the benchmarks', unit: 'ms', runs: [before, after] } as Result,
  ...readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Result),
];
rmSync(dir, { recursive: true, force: true });

const cpu = cpus();
console.log(`\n## All measures\n`);
console.log(`${cpu.length} x ${cpu[0]?.model.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, the station started ${launch.words}, ${new Date().toISOString().slice(0, 16)}Z, ${Math.round((Date.now() - started) / 1000)} s\n`);
console.log(TABLE_HEAD);
for (const r of results) console.log(tableRow(r));
const missed = results.filter((r) => met(r) === false).map((r) => r.name);
console.log('');
if (missed.length) console.log(`Targets missed: ${missed.join('; ')}.`);
else console.log('Every target met.');
if (failed.length) {
  console.log(`These benchmarks failed: ${failed.join(', ')} (see their output above).`);
  process.exitCode = 1;
}
