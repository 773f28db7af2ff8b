// Benchmark: datasheets per second (work order and hose assembly) and the traveler, with peak memory. Prints figures.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DocumentService, type DocumentKind } from '../src/documents/service.js';
import { loadFonts } from '../src/labels/fonts.js';
import { demoCache } from './demo-cache.js';
import { pdfPageToPng } from '../src/pdf/raster.js';
import { report, summary } from './report.js';

const COUNT = Number(process.env.BENCH_DOCS ?? 100);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'bp-bench-docs-'));
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 5);

try {
  const { store, cache } = await demoCache(dir);
  const templatesDir = new URL('../templates', import.meta.url).pathname;
  const docs = new DocumentService({ templatesDir, fonts: loadFonts(join(templatesDir, 'fonts')), shopName: 'Bench Hydraulics', stationName: 'Bench' });
  const wos = cache.list().map((s) => cache.get(s.id)!);
  const wo = wos.find((w) => w.lines.length >= 3 && w.lines.length <= 5 && w.lines.every((l) => l.assembly))!;
  const line = wo.lines[0]!;

  const measure = async (kind: DocumentKind, lineNumber?: number) => {
    const req = { workOrder: wo, kind, ...(lineNumber === undefined ? {} : { lineNumber }) };
    for (let i = 0; i < 5; i++) await docs.produce(req); // warm-up
    const rates: number[] = [];
    let last = await docs.produce(req);
    for (let r = 0; r < RUNS; r++) {
      const started = performance.now();
      for (let i = 0; i < COUNT; i++) last = await docs.produce(req);
      rates.push(COUNT / ((performance.now() - started) / 1000));
    }
    return { ...summary(rates), rates, bytes: last.document.bytes.length };
  };

  const idle = process.memoryUsage.rss();
  const results = {
    'work-order datasheet (1 page)': await measure('datasheet'),
    'hose-assembly datasheet': await measure('assembly-datasheet', line.lineNumber),
    'traveler (ESC/POS)': await measure('traveler'),
  };
  const peakBeforePreview = peakRss;
  const preview = await docs.produce({ workOrder: wo, kind: 'datasheet' });
  const previewTimes: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    await pdfPageToPng(preview.document.bytes);
    previewTimes.push(performance.now() - t);
  }
  const previewMs = summary(previewTimes.slice(1)).median; // the first loads pdf.js
  clearInterval(sampler);
  const mb = (n: number) => (n / 1024 / 1024).toFixed(0);
  console.log(`documents benchmark: ${COUNT} documents per run, ${RUNS} runs, work order ${wo.number} (${wo.lines.length} lines), node ${process.version}`);
  console.log('| document | median per second | min | max | size |');
  console.log('|---|---|---|---|---|');
  for (const [name, r] of Object.entries(results)) console.log(`| ${name} | ${r.median.toFixed(0)} | ${r.min.toFixed(0)} | ${r.max.toFixed(0)} | ${(r.bytes / 1024).toFixed(1)} KiB |`);
  console.log(`PNG preview of a datasheet page: ${previewMs.toFixed(0)} ms`);
  console.log(`resident memory: ${mb(idle)} MB before, peak ${mb(peakBeforePreview)} MB making documents, ${mb(peakRss)} MB with the PNG previews`);
  const datasheet = results['work-order datasheet (1 page)'];
  report({ name: `one-page datasheets per second (work order ${wo.number}, ${wo.lines.length} lines)`, unit: '/s', runs: datasheet.rates, target: { kind: 'at least', value: 100 } });
  report({ name: 'hose-assembly datasheets per second (crimp data, BOM, drawing)', unit: '/s', runs: results['hose-assembly datasheet'].rates });
  report({ name: 'ESC/POS travelers per second', unit: '/s', runs: results['traveler (ESC/POS)'].rates });
  report({ name: 'PNG preview of a datasheet page (pdf.js, after its first load)', unit: 'ms', runs: previewTimes.slice(1) });
  store.close();
} finally {
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
}
