// The PC's clock, checked. A tag carries its assembly date and a paper the day it was printed, both read from this
// PC's clock. A bench PC without a clock battery (a Raspberry Pi, an old PC) starts at the time it last saved, or in
// 1970, and stays there until a time server answers; a shop's firewall may block time servers while GoldLeaf is
// reachable. Every answer from GoldLeaf carries the server's time (HTTP's Date header, which a server with a clock must
// send); carried forward on the monotonic clock, which does not jump when the PC's clock is set, it says what the PC's
// clock should read for the rest of the run. A bench in a shop also asks the ledger's server its time once a minute,
// so a PC whose internet is down is checked on the shop's network; the latest answer is the reference. When the
// shop's date by the PC is not the date by that reference, new tags and dated papers are held (`assertDatesRight`):
// they would carry a wrong date. With neither, the station's own newest record is the only witness: a clock earlier
// than it is reported, not held (the record may come from a clock that was wrong the other way).
//
// Setting the clock moves every stored time that is still to come (a waiting job's expiry and next try) the wrong way
// by as much: a clock set forward two days would expire every waiting job at once, one set back would leave a job
// waiting days for its next try. The check notices the step (the wall clock moved and the monotonic one did not) and
// says by how much, so they can be moved with it.
//
// The monotonic clock is the kernel's boot clock where there is one (/proc/uptime on Linux): unlike Node's own, it
// counts a suspended machine's sleep, so a laptop's night neither looks like a step nor shifts GoldLeaf's time.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { StationError } from '../errors.js';
import type { ShopClock } from './shop-clock.js';

/** Below this, a difference is the Date header's rounding and the network's delay. */
const TOLERANCE_MS = 2 * 60_000;
/** A clock this much earlier than the station's newest record has gone back. */
const BEHIND_RECORDS_MS = 10 * 60_000;
/** The wall clock moving this much more or less than the monotonic one between two looks was set (a time server slews smaller differences). */
const STEP_MS = 60_000;

/** Below this, the wall clock and Node's monotonic clock agree (a time server slews the wall clock by far less a second). */
const SAME_PACE_MS = 250;

/** The kernel's boot clock (Linux: seconds since boot, sleep included, in hundredths), in ms. */
const readUptime = (): number => Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]) * 1000;

/**
 * Milliseconds since boot, sleep included (Linux), or Node's monotonic clock elsewhere. The file is read once a second
 * at most (each job asks the clock twice; four system calls each): in between, the boot clock is carried forward on
 * Node's monotonic clock, which runs at its pace while the machine is awake. A machine that slept is noticed on its
 * first look after waking (the wall clock moved on and Node's monotonic one did not), and the file is read again then,
 * so a night's sleep is never seen as the clock being set. `sources` are for tests.
 */
export function bootClock(sources: { uptime?: () => number; monotonic?: () => number; wall?: () => number } = {}): () => number {
  const uptime = sources.uptime ?? readUptime;
  const monotonic = sources.monotonic ?? (() => performance.now());
  const wall = sources.wall ?? Date.now;
  try {
    if (!Number.isFinite(uptime())) return monotonic;
  } catch {
    return monotonic; // not Linux
  }
  let read: { boot: number; mono: number; wall: number } | undefined;
  let last = 0;
  return () => {
    const mono = monotonic();
    const now = wall();
    const since = mono - (read?.mono ?? -Infinity);
    if (!read || since >= 1000 || Math.abs(now - read.wall - since) > SAME_PACE_MS) read = { boot: uptime(), mono, wall: now };
    // The file has hundredths: a fresh read may fall a few ms short of what was carried forward; never go back.
    last = Math.max(last, read.boot + (mono - read.mono));
    return last;
  };
}

export interface ClockVerdict {
  /** right: agrees with the reference; off: differs from it; behind-records: no reference, earlier than the newest record; unchecked: nothing to compare with. */
  state: 'right' | 'off' | 'behind-records' | 'unchecked';
  /** What the PC's clock reads (ISO). */
  reads: string;
  /** The time by the reference now (ISO), and which it is. */
  reference?: { source: string; now: string };
  /** How far the PC's clock is ahead of the reference (negative: behind), in ms. */
  offsetMs?: number;
  /** Whether new tags and dated papers are held: the shop's date by the PC is not the reference's. */
  holds: boolean;
  /** What is wrong and what to do, for a person. */
  message?: string;
}

interface Heard {
  source: string;
  /** The reference's time (ms since the epoch) when heard, and the monotonic clock then. */
  at: number;
  mono: number;
}

/** "2 days 13 h", "25 min": how far, in the words a person reads. */
export function duration(ms: number): string {
  const min = Math.round(Math.abs(ms) / 60_000);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h${min % 60 ? ` ${min % 60} min` : ''}`;
  const days = Math.floor(h / 24);
  if (days >= 730) return `${Math.round(days / 365.25)} years`;
  if (days > 60) return `${days} days`;
  return `${days} days${h % 24 ? ` ${h % 24} h` : ''}`;
}

export class ClockCheck {
  private heard: Heard | undefined;
  private lastState: ClockVerdict['state'] | undefined;
  private lastHolds = false;
  private readonly monoClock: () => number;
  /** Both clocks at the last look, to notice a step. */
  private last: { wall: number; mono: number } | undefined;
  constructor(
    private readonly o: {
      clock: ShopClock;
      /** The newest time the station has recorded (ISO), read at start. */
      newestRecord?: string;
      /** False: the check is off (a reference whose own clock is wrong); nothing is held. */
      enabled?: boolean;
      /** Told when the verdict's state changes (to log it). */
      onChange?: (verdict: ClockVerdict) => void;
      /** Told when the PC's clock was set, by how much (positive: forward), once per step. */
      onStep?: (ms: number) => void;
      now?: () => number;
      mono?: () => number;
    },
  ) {
    this.monoClock = o.mono ?? bootClock();
    this.sample();
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  /** The monotonic clock, in ms: a request's `sentMono` for `heardDate` is read from it. */
  mono(): number {
    return this.monoClock();
  }

  /**
   * Looks at both clocks: when the wall clock moved a minute or more unlike the monotonic one since the last look, it
   * was set, and `onStep` is told. Called by `watch` every few seconds and before each verdict.
   */
  sample(): void {
    const wall = this.now();
    const mono = this.mono();
    const last = this.last;
    this.last = { wall, mono };
    if (!last) return;
    const step = wall - last.wall - (mono - last.mono);
    if (Math.abs(step) >= STEP_MS) this.o.onStep?.(Math.round(step));
  }

  /** Looks every `everyMs` (a step, a verdict that changed) until the returned function is called. */
  watch(everyMs = 5000): () => void {
    const timer = setInterval(() => this.verdict(), everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * A server's answer arrived with this Date header (and Age, for an answer a cache kept). `sentMono` is the monotonic
   * time the request left: the server's second lies between the two, so the middle is taken.
   */
  heardDate(source: string, date: string | null | undefined, age: string | null | undefined, sentMono: number): void {
    if (!date) return;
    const at = Date.parse(date);
    if (Number.isNaN(at)) return;
    const ageSec = Number(age ?? 0);
    // The header has whole seconds: +500 ms is its middle.
    this.heardTime(source, at + 500 + (Number.isFinite(ageSec) && ageSec > 0 ? ageSec * 1000 : 0), sentMono);
  }

  /** A server said its time is `at` (ms since the epoch) in answer to a question that left at `sentMono`. The latest heard is the reference. */
  heardTime(source: string, at: number, sentMono: number): void {
    if (!Number.isFinite(at)) return;
    this.heard = { source, at, mono: (sentMono + this.mono()) / 2 };
    this.verdict();
  }

  /** What the PC's clock reads against what it should. */
  verdict(): ClockVerdict {
    this.sample();
    const now = this.now();
    const reads = new Date(now).toISOString();
    let v: ClockVerdict;
    if (this.o.enabled === false) v = { state: 'unchecked', reads, holds: false };
    else if (this.heard) {
      const ref = this.heard.at + (this.mono() - this.heard.mono);
      const offsetMs = Math.round(now - ref);
      const reference = { source: this.heard.source, now: new Date(ref).toISOString() };
      if (Math.abs(offsetMs) < TOLERANCE_MS) v = { state: 'right', reads, reference, offsetMs, holds: false };
      else {
        const holds = this.o.clock.date(now) !== this.o.clock.date(ref);
        const words = `This PC's clock reads ${this.o.clock.minute(now)}, ${reference.source}'s ${this.o.clock.minute(ref)}: it is ${duration(offsetMs)} ${offsetMs > 0 ? 'ahead' : 'behind'}.`;
        v = {
          state: 'off',
          reads,
          reference,
          offsetMs,
          holds,
          message: holds
            ? `${words} Tags and papers printed now would be dated ${this.o.clock.date(now)}; new ones are held until the clock is set.`
            : `${words} Dates on tags are right (the same day); times in the history are off by as much.`,
        };
      }
    } else if (this.o.newestRecord && Date.parse(this.o.newestRecord) - now > BEHIND_RECORDS_MS) {
      v = {
        state: 'behind-records',
        reads,
        holds: false,
        message: `This PC's clock reads ${this.o.clock.minute(now)}, earlier than the station's last record (${this.o.clock.minute(this.o.newestRecord)}): it may have gone back. If today is not ${this.o.clock.date(now)}, set the clock before printing tags; the station checks it as soon as GoldLeaf (or the shop ledger) answers.`,
      };
    } else v = { state: 'unchecked', reads, holds: false };
    if (v.state !== this.lastState || (v.state === 'off' && v.holds !== this.lastHolds)) {
      this.lastState = v.state;
      this.lastHolds = v.holds;
      this.o.onChange?.(v);
    }
    return v;
  }

  /** Throws when tags or papers made now would carry a wrong date. */
  assertDatesRight(): void {
    const v = this.verdict();
    if (!v.holds) return;
    throw new StationError('CLOCK_WRONG', v.message!, {
      status: 503,
      retryable: true,
      details: { reads: v.reads, reference: v.reference, offsetMs: v.offsetMs },
      hint: "Set this PC's date and time (or let it reach a time server), then print again: the station compares its clock with every GoldLeaf answer (and the shop ledger's time). Reprints are not held; they carry their first date.",
    });
  }
}
