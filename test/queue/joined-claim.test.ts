// Which waiting jobs the worker takes together as one delivery: one-label jobs right behind each other in the printer's
// order, never one that would overtake a job that cannot go with them.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JobStore } from '../../src/queue/job-store.js';
import { openStore } from '../../src/store/store.js';
import { soon, zplLabels } from '../helpers/queue.js';
import { tempDir } from '../helpers/temp.js';

const store = openStore(join(tempDir(), 'joined.db'));
const jobs = new JobStore(store);
afterAll(() => store.close());

const add = (printerId: string, labels: number, tag: string, extra: { prefix?: number; format?: 'zpl' | 'escpos' } = {}) => {
  const document = zplLabels(labels, tag);
  if (extra.prefix) document.meta.prefix = extra.prefix;
  if (extra.format) document.format = extra.format;
  return jobs.insert({ printerId, requestedBy: 'test', kind: 'raw', document, expiresAt: soon(60_000) }).job.id;
};
const lease = () => soon(60_000);
const ids = (printerId: string, max: number) => jobs.claimJoined(printerId, lease(), max).map((j) => j.id);
const finish = (taken: string[], printerId: string, max: number) =>
  jobs.finishAndClaim(taken.map((id) => ({ id, to: 'done' as const, fields: { partsConfirmed: 1 } })), { printerId, leaseUntil: lease(), max }).next.map((j) => j.id);

describe('jobs taken together', () => {
  it('are the one-label jobs at the head of the queue, in order, up to the printer\'s number, stopping at any other', () => {
    const a = [add('p', 1, 'a1'), add('p', 1, 'a2'), add('p', 1, 'a3')];
    const three = add('p', 3, 'three');
    const b = [add('p', 1, 'b1'), add('p', 1, 'b2')];
    const graphic = add('p', 1, 'logo', { prefix: 10 });
    const c = [add('p', 1, 'c1'), add('p', 1, 'c2'), add('p', 1, 'c3')];
    const other = add('q', 1, 'elsewhere');

    expect(ids('p', 2)).toEqual(a.slice(0, 2));
    expect(finish(a.slice(0, 2), 'p', 10)).toEqual([a[2]]);
    // A job of several labels goes alone, and nothing behind it goes before it.
    expect(finish([a[2]!], 'p', 10)).toEqual([three]);
    expect(finish([three], 'p', 10)).toEqual(b);
    // One whose labels need stored graphics sent first goes alone too.
    expect(finish(b, 'p', 10)).toEqual([graphic]);
    // A printer that takes one job at a time gets one.
    expect(finish([graphic], 'p', 1)).toEqual([c[0]]);
    expect(finish([c[0]!], 'p', 10)).toEqual(c.slice(1));
    expect(finish(c.slice(1), 'p', 10)).toEqual([]);
    expect(ids('q', 10)).toEqual([other]);
    // Each one taken is printing, with a word in its history for those that went with others.
    expect(jobs.get(b[1]!)!.state).toBe('done');
    expect(jobs.events(b[1]!).map((e) => e.detail ?? '')).toContain('in one delivery with the job before it');
  });

  it('stop at a job that waits for its next try, or of another format', () => {
    const first = add('r', 1, 'first');
    const later = add('r', 1, 'later');
    const after = add('r', 1, 'after');
    store.db.prepare('UPDATE jobs SET next_attempt_at = ? WHERE id = ?').run(soon(60_000), later);
    expect(ids('r', 10)).toEqual([first]);
    store.db.prepare('UPDATE jobs SET next_attempt_at = NULL WHERE id = ?').run(later);
    const pos = add('r', 1, 'receipt', { format: 'escpos' });
    expect(finish([first], 'r', 10)).toEqual([later, after]);
    expect(finish([later, after], 'r', 10)).toEqual([pos]);
  });
});
