// How fast this machine is right now: a fixed piece of single-threaded work of the kinds a station does (objects
// made and dropped, JSON, hashing, deflate), timed. The development machine is shared and its speed drifts by a third
// within a day on code that did not change; a run's absolute figures (milliseconds, labels per second) are read beside
// this one, so "missed in this run" can be told apart from "slower code".
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';

const text = JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ id: `JOB${i}`, part: `P-${(i * 7919) % 10007}`, qty: i % 50, note: 'hose assembly, crimped, tagged' })));

/** Milliseconds the fixed work takes once. */
function once(): number {
  const started = performance.now();
  let keep = 0;
  for (let round = 0; round < 12; round++) {
    const parsed = JSON.parse(text) as Array<{ id: string; qty: number }>;
    keep += parsed.filter((o) => o.qty > 25).map((o) => `${o.id}:${o.qty}`).join(',').length;
    keep += createHash('sha256').update(text).digest()[0]!;
    keep += deflateSync(Buffer.from(text), { level: 6 }).length;
  }
  if (keep < 0) throw new Error('unreachable');
  return performance.now() - started;
}

/** The fastest of `times` tries (the least disturbed), after five untimed (the JIT settles over the first few). */
export function machineSpeed(times = 5): number {
  for (let i = 0; i < 5; i++) once();
  return Math.min(...Array.from({ length: times }, once));
}
