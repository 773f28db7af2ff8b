// The PC's clock, checked against GoldLeaf's: a bench PC without a clock battery starts days behind and would date
// its tags wrong. New tags and dated papers are held while the shop's date by the PC is not the date by GoldLeaf's
// answers; reprints, test pages and files are not; the kiosk and /readyz say what is wrong and what to do.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { uptime } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bootClock, ClockCheck, duration, type ClockVerdict } from '../../src/lib/clock-check.js';
import { ShopClock } from '../../src/lib/shop-clock.js';
import { StationError } from '../../src/errors.js';
import { JobStore } from '../../src/queue/job-store.js';
import { openStore } from '../../src/store/store.js';
import type { RunningStation } from '../../src/station.js';
import { captureLogger } from '../helpers/logs.js';
import { soon, zplLabels } from '../helpers/queue.js';
import { asKiosk, demoStation } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

/** A PC clock and a monotonic clock the test moves by hand. */
function pc(startIso: string) {
  const t = { now: Date.parse(startIso), mono: 1_000 };
  return {
    t,
    now: () => t.now,
    mono: () => t.mono,
    /** Time passes: both clocks move. */
    pass(ms: number) {
      t.now += ms;
      t.mono += ms;
    },
  };
}

const houston = new ShopClock('America/Chicago');

describe('the clock check', () => {
  it("holds new tags when GoldLeaf's answers say today is another day, and says by how much", () => {
    // The PC woke up at the time it last saved (Tuesday morning); GoldLeaf says it is Thursday afternoon.
    const p = pc('2026-12-01T14:00:00Z');
    const changes: ClockVerdict[] = [];
    const check = new ClockCheck({ clock: houston, now: p.now, mono: p.mono, onChange: (v) => changes.push(v) });
    expect(check.verdict()).toMatchObject({ state: 'unchecked', holds: false });
    check.heardDate('GoldLeaf', 'Thu, 03 Dec 2026 21:00:00 GMT', null, p.t.mono - 40);
    const v = check.verdict();
    expect(v).toMatchObject({ state: 'off', holds: true, reference: { source: 'GoldLeaf' } });
    // The header's second is taken at its middle; the request's time in flight is halved.
    expect(v.reference!.now).toBe('2026-12-03T21:00:00.520Z');
    expect(v.offsetMs).toBe(Date.parse('2026-12-01T14:00:00Z') - Date.parse('2026-12-03T21:00:00.520Z'));
    expect(v.message).toBe(
      "This PC's clock reads 2026-12-01 08:00, GoldLeaf's 2026-12-03 15:00: it is 2 days 7 h behind. Tags and papers printed now would be dated 2026-12-01; new ones are held until the clock is set.",
    );
    let thrown: unknown;
    try {
      check.assertDatesRight();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(StationError);
    expect(thrown).toMatchObject({ code: 'CLOCK_WRONG', status: 503, retryable: true, details: { reads: '2026-12-01T14:00:00.000Z' } });
    expect((thrown as StationError).hint).toMatch(/Set this PC's date and time.*Reprints are not held/);
    // Told once of each change, not of every look.
    expect(changes.map((c) => c.state)).toEqual(['unchecked', 'off']);
  });

  it('lets go as soon as the PC clock is set, without waiting for another answer', () => {
    const p = pc('2026-12-01T14:00:00Z');
    const check = new ClockCheck({ clock: houston, now: p.now, mono: p.mono });
    check.heardDate('GoldLeaf', 'Thu, 03 Dec 2026 21:00:00 GMT', null, p.t.mono);
    p.pass(30_000);
    expect(check.verdict().holds).toBe(true);
    // A time server answers: the wall clock jumps, the monotonic clock does not.
    p.t.now = Date.parse('2026-12-03T21:00:31Z');
    p.pass(5_000);
    const v = check.verdict();
    expect(v).toMatchObject({ state: 'right', holds: false });
    expect(Math.abs(v.offsetMs!)).toBeLessThan(1_000);
    expect(v.message).toBeUndefined();
    expect(() => check.assertDatesRight()).not.toThrow();
  });

  it("compares dates in the shop's time zone: half an hour behind just after midnight holds, five hours on the same day only warns", () => {
    // 00:10 in Houston on the 4th by GoldLeaf; the PC says 23:40 on the 3rd.
    const p = pc('2026-12-04T05:40:00Z');
    const check = new ClockCheck({ clock: houston, now: p.now, mono: p.mono });
    check.heardDate('GoldLeaf', 'Fri, 04 Dec 2026 06:10:00 GMT', null, p.t.mono);
    expect(check.verdict()).toMatchObject({ state: 'off', holds: true });
    expect(check.verdict().message).toMatch(/it is 30 min behind\. Tags and papers printed now would be dated 2026-12-03/);

    const q = pc('2026-12-04T15:00:00Z');
    const same = new ClockCheck({ clock: houston, now: q.now, mono: q.mono });
    same.heardDate('GoldLeaf', 'Fri, 04 Dec 2026 20:00:00 GMT', null, q.t.mono);
    expect(same.verdict()).toMatchObject({ state: 'off', holds: false });
    expect(same.verdict().message).toMatch(/it is 5 h behind\. Dates on tags are right \(the same day\)/);
    expect(() => same.assertDatesRight()).not.toThrow();

    // A minute off is the header's rounding and the network, not a wrong clock.
    const r = pc('2026-12-04T05:59:30Z');
    const close = new ClockCheck({ clock: houston, now: r.now, mono: r.mono });
    close.heardDate('GoldLeaf', 'Fri, 04 Dec 2026 06:00:40 GMT', null, r.t.mono);
    expect(close.verdict()).toMatchObject({ state: 'right', holds: false });
  });

  it("counts a cache's Age, and ignores an answer without a readable date", () => {
    const p = pc('2026-12-04T18:00:00Z');
    const check = new ClockCheck({ clock: houston, now: p.now, mono: p.mono });
    check.heardDate('GoldLeaf', null, null, p.t.mono);
    check.heardDate('GoldLeaf', 'yesterday', null, p.t.mono);
    expect(check.verdict().state).toBe('unchecked');
    // A proxy kept the answer for 3 minutes: the server's time then plus 3 minutes is now.
    check.heardDate('GoldLeaf', 'Fri, 04 Dec 2026 17:57:00 GMT', '180', p.t.mono);
    expect(check.verdict()).toMatchObject({ state: 'right' });
  });

  it('offline, only reports a clock earlier than its own newest record, and holds nothing', () => {
    const p = pc('2026-12-01T14:00:00Z');
    const check = new ClockCheck({ clock: houston, newestRecord: '2026-12-03T20:55:00.000Z', now: p.now, mono: p.mono });
    const v = check.verdict();
    expect(v).toMatchObject({ state: 'behind-records', holds: false });
    expect(v.message).toMatch(/reads 2026-12-01 08:00, earlier than the station's last record \(2026-12-03 14:55\)/);
    expect(new ClockCheck({ clock: houston, newestRecord: '2026-12-01T14:05:00Z', now: p.now, mono: p.mono }).verdict().state).toBe('unchecked');
  });

  it('holds nothing when turned off (a GoldLeaf whose own clock is wrong)', () => {
    const p = pc('2026-12-01T14:00:00Z');
    const check = new ClockCheck({ clock: houston, enabled: false, now: p.now, mono: p.mono });
    check.heardDate('GoldLeaf', 'Thu, 03 Dec 2026 21:00:00 GMT', null, p.t.mono);
    expect(check.verdict()).toMatchObject({ state: 'unchecked', holds: false });
    expect(() => check.assertDatesRight()).not.toThrow();
  });

  it('notices the clock being set, by how much, once; not the seconds a time server slews', () => {
    const p = pc('2026-12-01T14:00:00Z');
    const steps: number[] = [];
    const check = new ClockCheck({ clock: houston, now: p.now, mono: p.mono, onStep: (ms) => steps.push(ms) });
    p.pass(5_000);
    check.sample();
    p.t.now += 4_000; // slewed a little
    p.pass(5_000);
    check.sample();
    expect(steps).toEqual([]);
    p.t.now += 61 * 3_600_000; // set forward
    p.pass(2_000);
    check.verdict();
    check.sample();
    p.t.now -= 5 * 3_600_000; // and back
    check.sample();
    expect(steps).toEqual([61 * 3_600_000, -5 * 3_600_000]);
  });

  it("runs its monotonic clock on the kernel's boot clock, which counts a machine's sleep", () => {
    const boot = bootClock();
    expect(Math.abs(boot() - uptime() * 1000)).toBeLessThan(2_000);
  });

  it('reads the boot clock once a second while awake, and again on the first look after the machine slept', () => {
    const t = { boot: 50_000, mono: 1_000, wall: Date.parse('2026-12-04T08:00:00Z'), reads: 0 };
    const awake = (ms: number) => {
      t.boot += ms;
      t.mono += ms;
      t.wall += ms;
    };
    const boot = bootClock({ uptime: () => (t.reads++, t.boot), monotonic: () => t.mono, wall: () => t.wall });
    t.reads = 0; // the one read that tells whether there is such a clock
    const seen: number[] = [];
    for (let i = 0; i < 100; i++) {
      seen.push(boot());
      awake(25); // a busy station: two looks per job, 40 jobs a second
    }
    expect(t.reads).toBe(3); // at 0, 1 and 2 s, not 100
    expect(seen[99]).toBe(50_000 + 99 * 25);
    // Asleep for eight hours: the boot clock and the wall clock move on, Node's monotonic clock does not.
    t.boot += 8 * 3_600_000;
    t.wall += 8 * 3_600_000;
    expect(boot()).toBe(t.boot);
    expect(t.reads).toBe(4);
    // The wall clock set back a day is read again too, and the boot clock does not follow it.
    t.wall -= 86_400_000;
    awake(10);
    expect(boot()).toBe(t.boot);
  });

  it('says how far in words a person reads', () => {
    expect(duration(25 * 60_000)).toBe('25 min');
    expect(duration(-(5 * 60 + 3) * 60_000)).toBe('5 h 3 min');
    expect(duration(61 * 3_600_000)).toBe('2 days 13 h');
    expect(duration(90 * 86_400_000)).toBe('90 days');
    expect(duration(56 * 365.25 * 86_400_000)).toBe('56 years');
  });
});

describe('waiting jobs when the clock is set', () => {
  const store = openStore(join(tempDir(), 'steps.db'));
  const jobs = new JobStore(store);
  afterAll(() => store.close());

  it('keep their expiry and next try: set forward, nothing expires early; set back, nothing waits the difference', () => {
    const waiting = jobs.insert({ printerId: 'tags', requestedBy: 'test', kind: 'raw', document: zplLabels(1, 'w'), expiresAt: soon(8 * 3_600_000) }).job;
    const finished = jobs.insert({ printerId: 'tags', requestedBy: 'test', kind: 'raw', document: zplLabels(1, 'd'), expiresAt: soon(8 * 3_600_000) }).job;
    jobs.transition(finished.id, ['queued'], 'cancelled', {});
    const retryAt = soon(30_000);
    store.db.prepare('UPDATE jobs SET next_attempt_at = ? WHERE id = ?').run(retryAt, waiting.id);

    const forward = 61 * 3_600_000;
    expect(jobs.shiftWaitingTimes(forward)).toBe(1);
    expect(jobs.expiredQueued(new Date(Date.now() + forward + 60_000).toISOString())).toEqual([]);
    const moved = jobs.get(waiting.id)!;
    expect(Date.parse(moved.expiresAt) - Date.parse(waiting.expiresAt)).toBe(forward);
    expect(Date.parse(moved.nextAttemptAt!) - Date.parse(retryAt)).toBe(forward);
    expect(moved.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(jobs.get(finished.id)!.expiresAt).toBe(finished.expiresAt);

    jobs.shiftWaitingTimes(-forward - 5 * 3_600_000);
    expect(Date.parse(jobs.get(waiting.id)!.nextAttemptAt!) - Date.parse(retryAt)).toBe(-5 * 3_600_000);
  });
});

describe('a station whose clock is days behind GoldLeaf', () => {
  const dir = tempDir();
  const out = join(dir, 'out');
  let station: RunningStation;
  let kiosk: Awaited<ReturnType<typeof asKiosk>>;
  const logs = captureLogger('info');
  const post = (body: object) => kiosk('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ printer: 'bench', ...body }) });
  beforeAll(async () => {
    station = await demoStation(dir, (c) => {
      c.station.timeZone = 'America/Chicago';
      c.printers = [{ id: 'bench', name: 'Bench folder', driver: 'folder', uri: `file://${out}`, dpmm: 8, options: { formats: ['zpl', 'pdf'], create: true } }];
    }, logs.logger);
    kiosk = await asKiosk(station.app);
    mkdirSync(out, { recursive: true });
  }, 30_000);
  afterAll(async () => {
    await station?.stop();
  });

  it('holds new tags and datasheets with the reason, prints reprints and test pages, and lets go once the clock agrees', async () => {
    await station.sync.syncOnce();
    const first = await post({ kind: 'labels', workOrder: 'WO-24005', line: 10, template: 'hose-tag', quantity: 2 });
    expect(first.status).toBe(201);
    const firstJob = ((await first.json()) as { id: string }).id;
    await station.queue.runUntilIdle();

    // GoldLeaf's clock is 61 hours ahead of this PC's: this PC is 2 days 13 h behind.
    station.sandbox!.state.clockOffsetSec = 61 * 3600;
    await station.sync.syncOnce();
    const files = readdirSync(out).length;
    for (const body of [
      { kind: 'labels', workOrder: 'WO-24005', line: 10, template: 'hose-tag', quantity: 1 },
      { kind: 'document', workOrder: 'WO-24005', document: 'datasheet' },
    ]) {
      const res = await post(body);
      expect(res.status).toBe(503);
      const err = ((await res.json()) as { error: { code: string; message: string; retryable: boolean } }).error;
      expect(err.code).toBe('CLOCK_WRONG');
      expect(err.message).toMatch(/^This PC's clock reads \d{4}-\d\d-\d\d \d\d:\d\d, GoldLeaf's .*: it is 2 days 1[23] h( \d+ min)? behind\. Tags and papers printed now would be dated .* Set this PC's date and time/);
      expect(err.retryable).toBe(true);
    }
    expect((await post({ kind: 'test' })).status).toBe(201);
    expect((await kiosk(`/api/v1/jobs/${firstJob}/reprint`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(201);
    await station.queue.runUntilIdle();
    expect(readdirSync(out).length).toBe(files + 2);

    const ready = (await (await station.app.request('/readyz')).json()) as { status: string; clock: ClockVerdict };
    expect(ready.status).toBe('ready');
    expect(ready.clock).toMatchObject({ state: 'off', holds: true, reference: { source: 'GoldLeaf' } });
    expect(ready.clock.offsetMs).toBeLessThan(-60 * 3_600_000);
    expect(((await (await kiosk('/api/v1/status')).json()) as { clock: ClockVerdict }).clock).toMatchObject({ state: 'off', holds: true });
    const page = await (await kiosk('/kiosk')).text();
    expect(page).toMatch(/<div class="banner bad" role="alert" id="clock-banner">This PC&#39;s clock reads .* new ones are held until the clock is set\.<\/div>/);
    expect(await (await kiosk('/kiosk/banner')).text()).toContain('id="clock-banner"');

    // The clocks agree again: the next answer lets new tags through.
    station.sandbox!.state.clockOffsetSec = 0;
    await station.sync.syncOnce();
    const again = await post({ kind: 'labels', workOrder: 'WO-24005', line: 10, template: 'hose-tag', quantity: 1 });
    expect(again.status).toBe(201);
    await station.queue.runUntilIdle();
    const newest = readdirSync(out)
      .map((f) => join(out, f))
      .sort()
      .map((f) => readFileSync(f, 'utf8'));
    expect(newest.some((zpl) => zpl.includes(houston.date()))).toBe(true);
    expect((await (await station.app.request('/readyz')).json()) as object).toMatchObject({ clock: { state: 'right', holds: false } });
    expect(await (await kiosk('/kiosk')).text()).not.toContain('clock-banner');
  });

  it('moves the expiry of a waiting job with the clock when the clock is set forward, and logs the step', async () => {
    station.queue.pause('bench');
    const res = await post({ kind: 'test', force: true });
    const job = station.jobs.get(((await res.json()) as { id: string }).id)!;
    expect(job.state).toBe('queued');
    const real = Date.now.bind(Date);
    const step = 61 * 3_600_000;
    const spy = vi.spyOn(Date, 'now').mockImplementation(() => real() + step);
    try {
      await station.app.request('/readyz'); // any look at the clock notices the step
    } finally {
      spy.mockRestore();
    }
    // The step as the two clocks saw it, within their resolution (the boot clock's is 10 ms).
    expect(Math.abs(Date.parse(station.jobs.get(job.id)!.expiresAt) - Date.parse(job.expiresAt) - step)).toBeLessThan(100);
    const logged = logs.lines().find((l) => l.component === 'clock' && l.stepMs);
    expect(logged).toMatchObject({ level: 40, jobsMoved: 1, msg: expect.stringMatching(/^this PC's clock was set forward by 2 days 13 h; the expiry and next try of 1 waiting job moved with it$/) });
    station.queue.resume('bench');
  });
});
