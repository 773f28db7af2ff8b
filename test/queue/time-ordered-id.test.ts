// Job ids in the order jobs are made (UUID version 7): the rows of one delivery share index pages instead of each
// landing on a random one. The ids stay UUIDs the API's schemas accept.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { timeOrderedId } from '../../src/lib/time-ordered-id.js';
import { JobStore } from '../../src/queue/job-store.js';
import { openStore } from '../../src/store/store.js';
import { soon, zplLabels } from '../helpers/queue.js';
import { tempDir } from '../helpers/temp.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const timeOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('time-ordered ids', () => {
  it('are version-7 UUIDs carrying the time they were made, which a UUID schema accepts', () => {
    const at = Date.parse('2026-12-05T12:00:00.123Z') + 3_600_000;
    const id = timeOrderedId(at);
    expect(id).toMatch(V7);
    expect(timeOf(id)).toBe(at);
    expect(z.uuid().safeParse(id).success).toBe(true);
  });

  it('increase in the order they are made, within a millisecond and when the clock steps back', () => {
    const start = Date.now() + 7_200_000;
    const ids: string[] = [];
    // 10,000 in one millisecond (past the 12-bit sequence, so the time moves on), then the clock a second back.
    for (let i = 0; i < 10_000; i++) ids.push(timeOrderedId(start));
    for (let i = 0; i < 100; i++) ids.push(timeOrderedId(start - 1000));
    for (let i = 0; i < 100; i++) ids.push(timeOrderedId(start + 10_000 + i));
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!, `id ${i}`).toBe(true);
    expect(timeOf(ids[9_999]!)).toBeGreaterThan(start);
    expect(timeOf(ids[9_999]!)).toBeLessThan(start + 10);
    expect(timeOf(ids.at(-1)!)).toBe(start + 10_099);
    for (const id of ids) expect(id).toMatch(V7);
  });

  it('name jobs, whole or written as they were made, in the order they were queued', () => {
    const store = openStore(join(tempDir(), 'ids.db'));
    afterAll(() => store.close());
    const jobs = new JobStore(store);
    const made: string[] = [];
    for (let i = 0; i < 50; i++) {
      const whole = zplLabels(1, `t${i}`);
      // A long document is written under the id its job takes, before the job exists.
      const stage = i % 10 === 0 ? jobs.documents.stage() : undefined;
      stage?.write(whole.bytes);
      const document = stage ? { ...whole, bytes: stage.finish() } : whole;
      made.push(jobs.insert({ printerId: 'p', requestedBy: 'test', kind: 'raw', document, expiresAt: soon(60_000) }).job.id);
    }
    for (const id of made) expect(id).toMatch(V7);
    expect([...made].sort()).toEqual(made);
    expect(jobs.claimJoined('p', soon(60_000), 5).map((j) => j.id)).toEqual(made.slice(0, 5));
  });
});
