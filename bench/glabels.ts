// Side by side on this machine: PDF hose tags from benchprint and from Debian's glabels-3-batch (the same 500 tags,
// merged from CSV), five runs each, median and spread. Needs `apt-get install glabels`; says so when it is missing.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LabelEngine } from '../src/labels/engine.js';
import { SerialStore } from '../src/labels/serials.js';
import { demoCache } from './demo-cache.js';
import { report, summary } from './report.js';

const LABELS = 500;
const WARMUP = 10;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'bp-glabels-'));

/** glabels on this machine as the issue measured it, for the target when glabels is not installed. */
const GLABELS_STATED = 140;

try {
  const haveGlabels = !spawnSync('glabels-3-batch', ['--help']).error;
  if (!haveGlabels) console.log('glabels-3-batch is not installed (apt-get install glabels): benchprint alone, against the stated ~140/s.');
  const { store, cache } = await demoCache(dir);
  const wo = cache.get('WO-24005')!;
  const line = wo.lines.find((l) => l.assembly)!;
  const engine = new LabelEngine({ templatesDir: new URL('../templates', import.meta.url).pathname, serials: new SerialStore(store, 'BP'), shopName: 'Demo Hydraulics Ltd', stationName: 'Bench' });

  // The same tags as CSV for glabels: what the station would bind into the hose-tag template.
  const sample = await engine.lineLabels({ workOrder: wo, lineNumber: line.lineNumber, templateId: 'hose-tag', format: 'pdf', dpmm: 8, quantity: LABELS });
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const a = line.assembly!;
  const rows = sample.labels.map((l) =>
    [
      l.serial,
      `${l.serial}|${wo.number}|${line.lineNumber}|${a.partNumber}`,
      `${a.partNumber} rev ${a.revision ?? ''}`,
      a.customerPartNumber ?? '',
      `WO ${wo.number}/${line.lineNumber}   PO ${l.po ?? ''}   ${l.date}`,
      `${a.hose.partNumber} ${a.hose.spec} ${a.hose.nominalSize}   MWP ${a.hose.maxWorkingPressure?.value} ${a.hose.maxWorkingPressure?.unit}`,
      `A ${a.end1.fittingPartNumber}   B ${a.end2.fittingPartNumber}`,
      `L ${a.length?.value} ${a.length?.unit} ${a.length?.tolerance ?? ''}`,
      l.of,
      l.shop.name,
    ]
      .map(q)
      .join(','),
  );
  writeFileSync(join(dir, 'data.csv'), `serial,code2d,pn,cpn,woline,hose,ends,length,of,shop\n${rows.join('\n')}\n`);
  copyFileSync(new URL('./glabels/hose-tag.glabels', import.meta.url), join(dir, 'hose-tag.glabels'));

  const glabels: number[] = [];
  const ours: number[] = [];
  // Alternating, so both see the same machine. Untimed runs of ours first, as in bench/labels.ts: a station draws all
  // day, and V8 keeps optimising the drawing thread over the first lines (glabels is native, and starts anew each run;
  // with one untimed line ours measured 18 x, with ten 25 x, 2026-12-02).
  for (let i = 0; i < WARMUP; i++) await engine.lineLabels({ workOrder: wo, lineNumber: line.lineNumber, templateId: 'hose-tag', format: 'pdf', dpmm: 8, quantity: LABELS });
  for (let r = 0; r < RUNS; r++) {
    let t = performance.now();
    if (haveGlabels) {
      execFileSync('glabels-3-batch', ['-i', 'data.csv', '-o', 'glabels.pdf', 'hose-tag.glabels'], { cwd: dir, stdio: 'ignore' });
      glabels.push(LABELS / ((performance.now() - t) / 1000));
    }
    t = performance.now();
    await engine.lineLabels({ workOrder: wo, lineNumber: line.lineNumber, templateId: 'hose-tag', format: 'pdf', dpmm: 8, quantity: LABELS });
    ours.push(LABELS / ((performance.now() - t) / 1000));
  }
  const o = summary(ours);
  const g = haveGlabels ? summary(glabels) : undefined;
  const pages = haveGlabels ? /Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [join(dir, 'glabels.pdf')]).toString())?.[1] : undefined;
  console.log(`PDF hose tags side by side: ${LABELS} tags a run${pages ? ` (glabels made ${pages} pages)` : ''}, ${RUNS} runs (ours after ${WARMUP} untimed), node ${process.version}`);
  console.log('| generator | median labels/s | min | max |');
  console.log('|---|---|---|---|');
  if (g) console.log(`| glabels-3-batch | ${g.median.toFixed(0)} | ${g.min.toFixed(0)} | ${g.max.toFixed(0)} |`);
  console.log(`| benchprint (PDF, serials allocated) | ${o.median.toFixed(0)} | ${o.min.toFixed(0)} | ${o.max.toFixed(0)} |`);
  if (g) console.log(`| ratio | ${(o.median / g.median).toFixed(1)}x | | |`);
  const baseline = g?.median ?? GLABELS_STATED;
  if (g) report({ name: `glabels-3-batch: the same ${LABELS} hose tags as PDF, merged from CSV`, unit: '/s', runs: glabels });
  report({
    name: `PDF labels per second with barcodes (${LABELS} hose tags, after ${WARMUP} untimed)`,
    unit: '/s',
    runs: ours,
    target: { kind: 'at least', value: 25 * baseline, basis: g ? '25 x glabels in this run' : '25 x the stated 140/s of glabels' },
  });
  if (g) report({ name: 'benchprint PDF / glabels, per run', unit: 'x', runs: ours.map((x, i) => x / glabels[i]!), target: { kind: 'at least', value: 25 } });
  store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
