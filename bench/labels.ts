// Benchmark: labels per second for a 500-label work-order line, as ZPL and as PDF, with peak memory. Prints figures.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LabelEngine } from '../src/labels/engine.js';
import { missingLaunchSettings } from '../src/launch.js';
import { SerialStore } from '../src/labels/serials.js';
import { demoCache } from './demo-cache.js';
import { report, summary } from './report.js';

const LABELS = Number(process.env.BENCH_LABELS ?? 500);
// At least nine whatever BENCH_RUNS says: a run is 5-10 ms, and with three of them one collection more or less moves the
// median (12-05, under BENCH_RUNS=3: 36,000 ZPL labels/s, 29,000-81,000; nine runs a few minutes later: 80,000).
const RUNS = Math.max(9, Number(process.env.BENCH_RUNS ?? 9));
const WARMUP = 10;
const TEMPLATE = process.env.BENCH_TEMPLATE ?? 'hose-tag';

const dir = mkdtempSync(join(tmpdir(), 'bp-bench-'));
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 5);

try {
  const { store, cache } = await demoCache(dir);
  const wo = cache.list().map((s) => cache.get(s.id)!).find((w) => w.lines.some((l) => l.assembly))!;
  const line = wo.lines.find((l) => l.assembly)!;
  const engine = new LabelEngine({ templatesDir: new URL('../templates', import.meta.url).pathname, serials: new SerialStore(store, 'BN'), shopName: 'Bench Hydraulics', stationName: 'Bench' });

  const measure = async (format: 'zpl' | 'pdf') => {
    // Warm-up, untimed: V8 keeps optimising the render path over the first lines (measured 2026-12-02: after three lines
    // 35,000-52,000 ZPL labels/s, after ten 52,000-69,000). The first job after a start is in bench/station.ts.
    for (let i = 0; i < WARMUP; i++) await engine.lineLabels({ workOrder: wo, lineNumber: line.lineNumber, templateId: TEMPLATE, format, dpmm: 8, quantity: LABELS });
    const rates: number[] = [];
    let bytes = 0;
    await new Promise((r) => setTimeout(r, 50));
    for (let r = 0; r < RUNS; r++) {
      const started = performance.now();
      const doc = await engine.lineLabels({ workOrder: wo, lineNumber: line.lineNumber, templateId: TEMPLATE, format, dpmm: 8, quantity: LABELS });
      const seconds = (performance.now() - started) / 1000;
      rates.push(LABELS / seconds);
      bytes = doc.document.bytes.length;
    }
    return { ...summary(rates), rates, bytes };
  };

  const idleRss = process.memoryUsage.rss();
  const formats = (process.env.BENCH_FORMATS ?? 'zpl,pdf').split(',');
  const zpl = formats.includes('zpl') ? await measure('zpl') : undefined;
  const pdf = formats.includes('pdf') ? await measure('pdf') : undefined;
  clearInterval(sampler);
  const mb = (n: number) => (n / 1024 / 1024).toFixed(0);
  const missing = missingLaunchSettings();
  console.log(`labels benchmark: template ${TEMPLATE}, ${LABELS} labels per run (serials allocated), ${RUNS} runs after ${WARMUP} untimed, node ${process.version}, ${missing.length ? `without the station's launch settings ${missing.join(' ')} (npm run bench has them)` : "under the station's launch settings"}`);
  console.log('| output | median labels/s | min | max | document size |');
  console.log('|---|---|---|---|---|');
  for (const [name, r] of [['ZPL', zpl], ['PDF', pdf]] as const) {
    if (r) console.log(`| ${name} | ${r.median.toFixed(0)} | ${r.min.toFixed(0)} | ${r.max.toFixed(0)} | ${(r.bytes / 1024).toFixed(0)} KiB |`);
  }
  console.log(`resident memory: ${mb(idleRss)} MB before, peak ${mb(peakRss)} MB`);
  // PDF is compared with glabels in bench/glabels.ts, which reports it; ZPL is reported from here.
  if (zpl) report({ name: `ZPL labels per second (${LABELS}-label line of hose tags, after ${WARMUP} untimed)`, unit: '/s', runs: zpl.rates, target: { kind: 'at least', value: 50_000 } });

  // Bytes on the wire per label for a template with a logo (the 4x6 assembly label): the logo stored in the printer
  // once per job (~DG, recalled with ^XG) against the same label carrying its own (^GF), as a label alone does.
  if (zpl) {
    const job = await engine.lineLabels({ workOrder: wo, lineNumber: line.lineNumber, templateId: 'assembly-4x6', format: 'zpl', dpmm: 8, quantity: 100 });
    const alone = (await engine.preview('assembly-4x6', job.labels[0], 'zpl', 8)).bytes.length;
    const prefix = job.document.meta.prefix ?? 0;
    const perLabel = (job.document.bytes.length - prefix) / 100;
    console.log(`4x6 assembly label with a logo, 100 labels: ${job.document.bytes.length} bytes (${prefix} of them the logo, stored once), ${perLabel.toFixed(0)} bytes a label; a label carrying its own logo: ${alone} bytes`);
    report({ name: 'ZPL bytes on the wire per 4x6 label with a logo, 100 labels (logo stored once per job)', unit: 'B', runs: [job.document.bytes.length / 100], note: `a label carrying its own logo: ${alone} B` });
  }
  store.close();
} finally {
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
}
