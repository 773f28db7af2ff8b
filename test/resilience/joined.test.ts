// One-label jobs waiting for the same Zebra go to it as one delivery: a round trip per group of labels instead of one
// or two per job. Each job still ends as it would have alone: done when the printer confirmed its label, waiting at
// the station when the printer could not take it, needing attention when its label left without proof; none is
// ever sent twice. The real station process against the Zebra double.
import { describe, expect, it } from 'vitest';
import { TEST_TOKEN, expectSound, json, labelsBySerial, post, settle, zebraBenches, type JobView, type Running } from './harness.js';

const bench = zebraBenches('bp-joined-', {
  // Retries after a second: time for a test to put the double right before the station tries again.
  queue: { retryBaseMs: 1000, retryMaxMs: 2000, holdPollMs: 300 },
  // Pausing the printer's queue (to let jobs gather behind it) is an admin's act.
  auth: { tokens: [{ name: 'tester', token: TEST_TOKEN, scopes: ['read', 'print', 'admin'] }] },
});

type Job = JobView & { partsConfirmed: number; waitingReason?: string; history: Array<{ state: string; detail?: string }> };
const job = async (r: Running, id: string) => (await json<Job>(`${r.url}/api/v1/jobs/${id}`)).body;

/** `count` one-label hose-tag jobs asked for while the printer's queue is paused (a rush gathering), then let go. */
async function rush(r: Running, count: number): Promise<Array<{ id: string; serial: string }>> {
  expect((await post(`${r.url}/api/v1/printers/tags/pause`, {})).status).toBe(200);
  const jobs: Array<{ id: string; serial: string }> = [];
  for (let i = 0; i < count; i++) {
    const res = await post(`${r.url}/api/v1/jobs`, { kind: 'labels', printer: 'tags', workOrder: 'WO-24005', line: 10, template: 'hose-tag', quantity: 1, force: true });
    expect(res.status).toBe(201);
    const body = res.body as { id: string; serials: string[] };
    jobs.push({ id: body.id, serial: body.serials[0]! });
  }
  expect((await post(`${r.url}/api/v1/printers/tags/resume`, {})).status).toBe(200);
  return jobs;
}

describe('one-label jobs waiting for the same printer', () => {
  it('go as one delivery, confirmed in groups: each job done, each label once, in the order asked', async () => {
    const { r, zebra } = await bench();
    const asked = zebra.statusAnswers;
    const before = { connections: zebra.connections, deliveries: zebra.jobs.length };
    const jobs = await rush(r, 12);
    const settled = await settle(r);
    for (const j of jobs) expect((await job(r, j.id)).state).toBe('done');
    await expect.poll(() => zebra.labels()).toBe(12);
    const received = labelsBySerial(zebra.printed);
    expect([...received.keys()]).toEqual(jobs.map((j) => j.serial));
    await expectSound(r, settled, received);
    // Ten jobs (joinJobs) on one connection: one question before, one after each group of five; then the last two.
    // One at a time, each job was asked about before and after its label: 24 answers, on 12 connections. The
    // station's own looks at the printer meanwhile (each on a connection of its own, one question) are left out.
    const deliveries = zebra.jobs.length - before.deliveries;
    const looks = zebra.connections - before.connections - deliveries;
    expect(deliveries).toBeLessThanOrEqual(2);
    expect(zebra.statusAnswers - asked - looks).toBeLessThanOrEqual(6);
    // Each job's history says it went with others.
    expect((await job(r, jobs[1]!.id)).history.find((h) => h.state === 'printing')?.detail).toBe('in one delivery with the job before it');
    expect((await job(r, jobs[9]!.id)).history.find((h) => h.state === 'printing')?.detail).toBe('in one delivery with the 9 jobs before it');
  });

  it('out of labels in the middle: jobs the printer confirmed are done, the rest wait at the station, each label once', async () => {
    const { r, zebra } = await bench({ confirmEvery: 2, joinJobs: 8 });
    zebra.paperLeft = 3;
    const jobs = await rush(r, 8);
    // Labels 1-2, then 3-4 confirmed (3 printed, 4 found no paper); 5-6 were answered "out of labels": 7 and 8 stay.
    await expect.poll(async () => (await job(r, jobs[6]!.id)).waitingReason ?? '', { timeout: 10_000 }).toMatch(/^Tag printer: out of labels/);
    for (const j of jobs.slice(0, 6)) expect((await job(r, j.id)).state).toBe('done');
    expect((await job(r, jobs[7]!.id)).state).toBe('queued');
    expect(zebra.labels()).toBe(3);
    expect(zebra.buffered()).toBe(3);
    await new Promise((res) => setTimeout(res, 800));
    expect(zebra.labels() + zebra.buffered()).toBe(6);
    zebra.state = 'ready';
    const settled = await settle(r);
    await expect.poll(() => zebra.labels()).toBe(8);
    const received = labelsBySerial(zebra.printed);
    expect([...received.keys()]).toEqual(jobs.map((j) => j.serial));
    for (const j of jobs) expect((await job(r, j.id)).state).toBe('done');
    await expectSound(r, settled, received);
  });

  it('a cut in the middle: confirmed jobs are done, jobs whose label left without proof need attention, the rest print after', async () => {
    const { r, zebra } = await bench({ confirmEvery: 2, joinJobs: 8 });
    zebra.mode = 'cut';
    zebra.cutAfterFormats = 3;
    const jobs = await rush(r, 8);
    await expect.poll(async () => (await job(r, jobs[3]!.id)).state, { timeout: 10_000 }).toBe('needs-attention');
    zebra.mode = 'normal';
    const settled = await settle(r);
    const states = await Promise.all(jobs.map(async (j) => (await job(r, j.id)).state));
    expect(states).toEqual(['done', 'done', 'needs-attention', 'needs-attention', 'done', 'done', 'done', 'done']);
    // Label 3 reached the printer before the cut (and came out), label 4 did not: the station cannot know which, and
    // says so for each; neither is sent again on its own.
    const third = await job(r, jobs[2]!.id);
    expect(third.attention).toMatch(/label 3 of the 8 sent together.* may or may not have printed/);
    expect((await job(r, jobs[3]!.id)).attention).toMatch(/label 4 of the 8 sent together/);
    await expect.poll(() => zebra.labels()).toBe(7);
    const received = labelsBySerial(zebra.printed);
    expect([...received.keys()]).toEqual([0, 1, 2, 4, 5, 6, 7].map((i) => jobs[i]!.serial));
    await expectSound(r, settled, received);
  });

  it('SIGKILL in the middle: confirmed jobs not known printed and those sent without proof need attention, those never sent print after restart', async () => {
    const { r, zebra, killAndRestart } = await bench({ confirmEvery: 2, joinJobs: 8, writeTimeoutMs: 60_000 });
    // The printer takes labels 1-2 (answered), then label 3 and nothing more: the station waits for its answer.
    zebra.mode = 'stall';
    zebra.stallAfterFormats = 3;
    const jobs = await rush(r, 8);
    await expect.poll(() => zebra.labels(), { timeout: 10_000 }).toBe(3);
    await expect.poll(async () => (await job(r, jobs[1]!.id)).state).toBe('done');
    // Meanwhile the hung printer is switched off and on: its connection goes, what it printed stays printed.
    const again = await killAndRestart(() => {
      zebra.hangUp('reset');
      zebra.mode = 'normal';
    });
    const settled = await settle(again);
    const states = await Promise.all(jobs.map(async (j) => (await job(again, j.id)).state));
    // Labels 1-2 were confirmed, but the hung printer answered nothing after them: the station last knew them in its
    // memory, and the printer was switched off and on since. Whether they came out, only a look can tell.
    expect(states).toEqual(['needs-attention', 'needs-attention', 'needs-attention', 'needs-attention', 'done', 'done', 'done', 'done']);
    expect((await job(again, jobs[0]!.id)).attention).toMatch(/^When the station stopped, the printer still had labels of this job in its memory, not printed yet\. The label may or may not have printed\./);
    expect((await job(again, jobs[2]!.id)).attention).toMatch(/station stopped while this job was printing/);
    expect((await job(again, jobs[4]!.id)).history.map((h) => h.detail ?? '')).toContain("the station restarted before this job's label was sent (it was to go with the jobs before it): it prints in its turn");
    await expect.poll(() => zebra.labels()).toBe(7);
    const received = labelsBySerial(zebra.printed);
    expect([...received.keys()]).toEqual([0, 1, 2, 4, 5, 6, 7].map((i) => jobs[i]!.serial));
    await expectSound(again, settled, received);
  });
});
