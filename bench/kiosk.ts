// Benchmark: the kiosk's list of work orders with a shop's worth of them. A crimper comes back to it after every
// order; the page is made on the station's one thread, so its cost is time every other request waits. Measured: the
// station's demo data copied to 500 released work orders (the list's limit), the list asked for over HTTP as the
// kiosk does, after a warm-up.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkOrderCache } from '../src/sync/cache.js';
import { kioskStation } from './demo-cache.js';
import { percentile, printResults, type Result } from './report.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const WORK_ORDERS = 500;
const VIEWS = 30;
const dir = mkdtempSync(join(tmpdir(), 'bp-bench-kiosk-'));

try {
  const { station, cookie } = await kioskStation(dir);
  // The sandbox's released orders, copied under new numbers up to a shop's worth (their lines as they are).
  const cache = new WorkOrderCache(station.store);
  const demo = cache.list().map((w) => cache.get(w.number)!);
  const at = new Date().toISOString();
  for (let i = demo.length; i < WORK_ORDERS; i++) cache.upsert({ ...demo[i % demo.length]!, id: `bench-${i}`, number: `WO-9${String(i).padStart(4, '0')}` }, at);
  const headers = { cookie };
  let bytes = 0;
  const list = async () => {
    const t = performance.now();
    const res = await fetch(`${station.url}/kiosk`, { headers });
    if (!res.ok) throw new Error(`the list answered ${res.status}`);
    bytes = (await res.arrayBuffer()).byteLength;
    return performance.now() - t;
  };
  for (let i = 0; i < 5; i++) await list();
  const p50: number[] = [];
  const p99: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const times: number[] = [];
    for (let i = 0; i < VIEWS; i++) times.push(await list());
    p50.push(percentile(times, 50));
    p99.push(percentile(times, 99));
  }
  await station.stop();
  console.log(`Kiosk list: ${WORK_ORDERS} released work orders (${Math.round(bytes / 1024)} KB page), ${VIEWS} views a run, ${RUNS} runs`);
  const results: Result[] = [
    { name: `kiosk: list of ${WORK_ORDERS} work orders, median`, unit: 'ms', runs: p50 },
    { name: `kiosk: list of ${WORK_ORDERS} work orders, p99`, unit: 'ms', runs: p99 },
  ];
  printResults(results);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
