// What every benchmark reports: a measure's runs, summarised as median and spread, with its target if it has one.
// Each script prints its own table; under `npm run bench` (bench/run.ts) it also hands its results over as JSON
// lines in the file named by BENCH_RESULTS, and the runner prints them all as one table.
import { appendFileSync } from 'node:fs';

export interface Target {
  /** "at least" for rates, "at most" for times and memory. */
  kind: 'at least' | 'at most';
  value: number;
  /** Where the target value comes from when it is not a plain number (e.g. "10 x glabels"). */
  basis?: string;
}

export interface Result {
  name: string;
  unit: string;
  runs: number[];
  target?: Target;
  note?: string;
}

export interface Summary {
  median: number;
  min: number;
  max: number;
}

export function summary(values: readonly number[]): Summary {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length / 2;
  const median = s.length % 2 ? s[Math.floor(mid)]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s.at(-1)! };
}

/** The p-th percentile (0-100) of samples, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export function met(r: Result): boolean | undefined {
  if (!r.target) return undefined;
  const m = summary(r.runs).median;
  return r.target.kind === 'at least' ? m >= r.target.value : m <= r.target.value;
}

/** Hands a result to the runner (when there is one). */
export function report(r: Result): void {
  const file = process.env.BENCH_RESULTS;
  if (file) appendFileSync(file, `${JSON.stringify(r)}\n`);
}

/** Rounds for a table: whole numbers from 100 up, else two significant digits. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  return Number(n.toPrecision(2)).toString();
}

export function tableRow(r: Result): string {
  const s = summary(r.runs);
  const target = r.target ? `${r.target.kind} ${fmt(r.target.value)}${r.target.basis ? ` (${r.target.basis})` : ''}` : '';
  const verdict = met(r) === undefined ? '' : met(r) ? 'met' : '**missed**';
  const spread = r.runs.length > 1 ? `${fmt(s.min)}–${fmt(s.max)}` : '';
  return `| ${r.name} | ${fmt(s.median)} ${r.unit} | ${spread} | ${r.runs.length} | ${target} | ${verdict} |`;
}

export const TABLE_HEAD = '| measure | median | spread (min–max) | runs | target | |\n|---|---|---|---|---|---|';

/** A script's results as its own table, each also handed to the runner (see report). */
export function printResults(results: readonly Result[]): void {
  console.log(TABLE_HEAD);
  for (const r of results) {
    console.log(tableRow(r));
    report(r);
  }
}
