// Benchmark: the label designer's live preview. An edit waits 120 ms (the designer's debounce), then the draft goes to
// the station over HTTP and comes back as the PNG the printer output matches. Measured: edit to picture for the
// shipped hose tag (11 elements, a Data Matrix and a Code 128), each edit moving one element, after a warm-up.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kioskStation } from './demo-cache.js';
import { percentile, printResults, type Result } from './report.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const EDITS = 60;
const DEBOUNCE_MS = 120;
const dir = mkdtempSync(join(tmpdir(), 'bp-bench-designer-'));

try {
  const { station, cookie } = await kioskStation(dir);
  const headers = { cookie, origin: station.url, 'content-type': 'application/json' };
  const template = JSON.parse(readFileSync(new URL('../templates/labels/hose-tag.json', import.meta.url), 'utf8')) as { id: string; elements: Array<{ x?: number }> };
  template.id = 'draft';

  const preview = async (i: number) => {
    const moved = { ...template, elements: template.elements.map((e, j) => (j === i % template.elements.length && e.x !== undefined ? { ...e, x: e.x + ((i % 3) - 1) * 0.125 } : e)) };
    const t = performance.now();
    const res = await fetch(`${station.url}/api/v1/templates/preview`, { method: 'POST', headers, body: JSON.stringify({ template: moved, workOrder: 'WO-24005', line: 10, format: 'png', dpmm: 8 }) });
    if (!res.ok) throw new Error(`preview answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
    return performance.now() - t;
  };

  for (let i = 0; i < 10; i++) await preview(i);
  const p50: number[] = [];
  const p99: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const times: number[] = [];
    for (let i = 0; i < EDITS; i++) times.push(DEBOUNCE_MS + (await preview(i)));
    p50.push(percentile(times, 50));
    p99.push(percentile(times, 99));
  }
  await station.stop();
  console.log(`Designer preview: ${EDITS} edits a run, ${RUNS} runs; edit to picture = ${DEBOUNCE_MS} ms debounce + request`);
  const results: Result[] = [
    { name: 'designer: edit to preview, median', unit: 'ms', runs: p50, target: { kind: 'at most', value: 300 } },
    { name: 'designer: edit to preview, p99', unit: 'ms', runs: p99, target: { kind: 'at most', value: 300 } },
  ];
  printResults(results);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
