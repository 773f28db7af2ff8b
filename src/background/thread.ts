// The station's one background thread (worker.ts), shared by the work it takes off the event loop: PDF labels are
// drawn there (labels/pdf-render.ts) and the write-ahead log is copied into the database file there
// (store/checkpoints.ts). Each thread costs ~6 MB before it does anything (V8's heap for Node's own code, a C heap of
// its own); two of them, one per part, were 146 against 154 MB at the peak of two 1,000-tag PDF jobs (three alternating
// runs of bench/station.ts on 12-05).
// The thread starts with the first message to either part and ends after `idleMs` in which neither used it; a part
// that is holding it (a PDF being drawn) keeps it, and the process, running. Should it end on its own (out of memory
// with a runaway document, a bug), each part is told, and the next message starts a new one.
import type { TransferListItem, Worker } from 'node:worker_threads';
import { StationError } from '../errors.js';
import { startWorker } from '../lib/worker.js';

/** The parts of the station's work done on the thread. */
export type ThreadPartName = 'pdf' | 'checkpoints';

/** Every message either way: which part it is for or from, and what it says. */
export interface ThreadEnvelope {
  part: ThreadPartName;
  body: unknown;
}

export interface ThreadPartHandlers {
  /** A message from this part's side of the thread. */
  message(body: unknown): void;
  /**
   * The thread ended: retired after its idle time or closed (no error), or on its own (the error). What the part had
   * running there is gone; its next message starts a new thread.
   */
  ended(err?: Error): void;
}

export interface ThreadPart {
  /** Sends to the part's side, starting the thread if need be. Counts as use: the idle time starts again. */
  post(body: unknown, transfer?: TransferListItem[]): void;
  /** Counts as use without a message (a large write the checkpoints will copy). */
  touch(): void;
  /** While held the thread is not retired and keeps the process running (work is in flight on it). */
  hold(on: boolean): void;
  /** Whether the thread is running (this part's work on it is the part's own to know). */
  readonly running: boolean;
}

export interface BackgroundThreadOptions {
  /** The thread ends after this long without use by any part (its memory goes back to the system). */
  idleMs?: number;
  /** Heap limit of the thread, MB: a runaway document fails alone instead of taking the station's memory. */
  maxHeapMb?: number;
}

/**
 * The thread's young generation, MB. Drawing makes many small objects that die at once; V8's default lets them pile up
 * to ~48 MB before collecting. At 8 the peak of two 1,000-tag jobs was ~20 MB lower (228 -> 210 MB) at the same speed.
 */
const YOUNG_MB = 8;

export class BackgroundThread {
  readonly maxHeapMb: number;
  private readonly idleMs: number;
  private worker: Worker | undefined;
  private readonly parts = new Map<ThreadPartName, ThreadPartHandlers>();
  private readonly holding = new Set<ThreadPartName>();
  private lastUse = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(o: BackgroundThreadOptions = {}) {
    this.idleMs = o.idleMs ?? 10 * 60_000;
    this.maxHeapMb = o.maxHeapMb ?? 128;
  }

  /** The running thread's id (a new thread has a new one), or undefined while none runs. */
  get threadId(): number | undefined {
    return this.worker?.threadId;
  }

  /** The part's handle; one per part name. */
  attach(name: ThreadPartName, handlers: ThreadPartHandlers): ThreadPart {
    if (this.parts.has(name)) throw new Error(`the background thread's ${name} part is attached already`);
    this.parts.set(name, handlers);
    const thread = this;
    return {
      post: (body, transfer) => {
        if (this.closed) throw new StationError('SHUTTING_DOWN', 'The station is stopping.');
        this.use();
        this.start().postMessage({ part: name, body } satisfies ThreadEnvelope, transfer ?? []);
      },
      touch: () => this.use(),
      hold: (on) => {
        if (on) this.holding.add(name);
        else this.holding.delete(name);
        this.use();
        if (this.holding.size) this.worker?.ref();
        else this.worker?.unref();
      },
      get running() {
        return thread.worker !== undefined;
      },
    };
  }

  /** Ends the thread for good (the station stops); each part is told, as at a retirement. */
  async close(): Promise<void> {
    this.closed = true;
    await this.retire();
  }

  private use(): void {
    this.lastUse = Date.now();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker(import.meta.url, 'worker', { resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb, maxYoungGenerationSizeMb: YOUNG_MB }, stderr: false });
    worker.on('message', (m: ThreadEnvelope) => this.parts.get(m.part)?.message(m.body));
    worker.on('error', (err) => this.lost(worker, err));
    worker.on('exit', (code) => this.lost(worker, new Error(`it ended with code ${code}`)));
    // After the listeners (adding one holds the process open again): only a part holding it keeps the process running.
    if (!this.holding.size) worker.unref();
    this.worker = worker;
    this.untilIdle(this.idleMs);
    return worker;
  }

  /** Retires the thread once `idleMs` have passed since the last use with no part holding it, looking again until then. */
  private untilIdle(ms: number): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      const quiet = Date.now() - this.lastUse;
      if (this.holding.size || quiet < this.idleMs) return this.untilIdle(Math.max(this.idleMs - quiet, 50));
      void this.retire();
    }, ms);
    this.idleTimer.unref();
  }

  private async retire(): Promise<void> {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined; // its exit is no loss; a message meanwhile starts the next thread
    this.holding.clear();
    // Told before it has ended: what they start meanwhile is on the next thread, which this must not be mistaken for.
    for (const part of this.parts.values()) part.ended();
    // Terminating closes the thread's SQLite connection too (better-sqlite3 closes its databases as a thread ends).
    // Held until it has ended: the station's stop waits for it, and nothing else may be keeping the process running.
    worker.ref();
    await worker.terminate();
  }

  private lost(worker: Worker, err: Error): void {
    if (this.worker !== worker) return; // retired or closed on purpose, or told already (an error, then its exit)
    this.worker = undefined;
    clearTimeout(this.idleTimer);
    this.holding.clear();
    for (const part of this.parts.values()) part.ended(err);
  }
}
