// Keeps the write-ahead log copied into the database file on a thread of its own (checkpointer.ts) while the station
// prints, and leaves it to SQLite while it does not. Left to SQLite, the commit that fills the log past 1,000 pages
// copies it, on the station's event loop: with a megabyte PDF in a job that was a 10-35 ms stall of the kiosk, the API
// and the printers' workers now and then. A thread costs ~15 MB (V8's heap for Node's own code, SQLite loaded), so it
// is started by the first job's document written to the store and ends after ten minutes without one; a station that
// has printed nothing since its start, or not for a while, writes too little for SQLite's own checkpoints to matter.
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../lib/worker.js';
import type { Store } from './store.js';

export interface BackgroundCheckpoints {
  /** A large write was made (a job's document): the thread runs (from the next turn), for `idleMs` from now at least. */
  wake(): void;
  /** Whether the thread is copying the log now (else SQLite does, at its commits). */
  readonly running: boolean;
  stop(): Promise<void>;
}

const SQLITE_PAGES = 1000;

/**
 * Starts the thread at the store's large writes, and ends it after `idleMs` without one. Should it end on its own (its
 * memory limit), SQLite checkpoints as before, for good. ':memory:' stores have no log: nothing is started.
 */
export function checkpointInBackground(store: Store, o: { everyMs?: number; idleMs?: number } = {}): BackgroundCheckpoints {
  const everyMs = o.everyMs ?? 1000;
  const idleMs = o.idleMs ?? 10 * 60_000;
  let worker: Worker | undefined;
  let retiring: Promise<void> | undefined;
  let idle: NodeJS.Timeout | undefined;
  /** When the last large write was said (a timer is not reset per job: a burst is thousands a second). */
  let lastWrite = 0;
  let starting: NodeJS.Immediate | undefined;
  let failed = false;
  let stopped = store.path === ':memory:';
  const sqliteCheckpoints = () => {
    if (store.db.open) store.db.pragma(`wal_autocheckpoint = ${SQLITE_PAGES}`);
  };

  const start = () => {
    // The thread makes a few objects a second: a young generation of 1 MB and a small old one are plenty, where V8's
    // defaults let a thread's heap grow to what the station's own uses.
    const thread = startWorker(import.meta.url, 'checkpointer', { workerData: { path: store.path, everyMs }, resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 } });
    store.db.pragma('wal_autocheckpoint = 0');
    thread.once('error', () => (failed = true));
    thread.once('exit', () => {
      if (worker !== thread) return; // retired
      worker = undefined;
      failed = true;
      clearTimeout(idle);
      sqliteCheckpoints();
    });
    thread.unref(); // after the listeners, which would hold the process open again
    worker = thread;
  };

  /** Ends the thread once it has closed its connection; SQLite checkpoints again. */
  const retire = async () => {
    const thread = worker;
    if (!thread) return;
    worker = undefined;
    clearTimeout(idle);
    const closed = new Promise<void>((resolve) => {
      thread.once('message', () => resolve());
      thread.once('exit', () => resolve());
      setTimeout(resolve, 2000).unref();
    });
    thread.postMessage('stop');
    await closed;
    await thread.terminate();
    if (!worker) sqliteCheckpoints(); // unless a write meanwhile started the next one
  };

  /** Ends the thread once `idleMs` have passed since the last large write, looking again until they have. */
  const untilIdle = (ms: number) => {
    idle = setTimeout(() => {
      const quiet = Date.now() - lastWrite;
      if (quiet < idleMs) return untilIdle(idleMs - quiet);
      retiring = retire().finally(() => (retiring = undefined));
    }, ms);
    idle.unref();
  };

  const wake = (): void => {
    if (stopped || failed) return;
    lastWrite = Date.now();
    if (worker || starting) return;
    // Started after the writer's commit, not inside it: the job that woke it is not held up by a thread's creation.
    starting = setImmediate(() => {
      starting = undefined;
      if (stopped || failed || worker) return;
      start();
      untilIdle(idleMs);
    });
  };

  store.onBulkWrite(wake);
  return {
    wake,
    get running() {
      return worker !== undefined;
    },
    async stop() {
      stopped = true;
      clearImmediate(starting);
      await retiring;
      await retire();
    },
  };
}
