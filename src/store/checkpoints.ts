// Keeps the write-ahead log copied into the database file on the background thread (checkpointer.ts there) while the
// station prints, and leaves it to SQLite while it does not. Left to SQLite, the commit that fills the log past 1,000
// pages copies it, on the station's event loop: with a megabyte PDF in a job that was a 10-35 ms stall of the kiosk,
// the API and the printers' workers now and then. The copying starts with the first job's document written to the
// store (which starts the thread, if PDF labels have not) and lasts as long as the thread: it ends after ten minutes
// in which neither part used it. A station that has printed nothing since its start, or not for a while, writes too
// little for SQLite's own checkpoints to matter.
import type { BackgroundThread, ThreadPart } from '../background/thread.js';
import type { CheckpointOrder, CheckpointReport } from './checkpointer.js';
import type { Store } from './store.js';

export interface BackgroundCheckpoints {
  /** A large write was made (a job's document): the log is copied on the thread (from the next turn). */
  wake(): void;
  /** Whether the thread is copying the log now (else SQLite does, at its commits). */
  readonly running: boolean;
  stop(): Promise<void>;
}

const SQLITE_PAGES = 1000;

/**
 * Copies the log on `thread` from the store's large writes on. Should the thread's connection fail to open, SQLite
 * checkpoints as before, for good. ':memory:' stores have no log: nothing is started.
 */
export function checkpointInBackground(store: Store, thread: BackgroundThread, o: { everyMs?: number } = {}): BackgroundCheckpoints {
  const everyMs = o.everyMs ?? 1000;
  /** Copying on the current thread (asked for; from now on the station's commits only append to the log). */
  let copying = false;
  let starting: NodeJS.Immediate | undefined;
  let failed = false;
  let stopped = store.path === ':memory:';
  let whenStopped: (() => void) | undefined;
  const sqliteCheckpoints = () => {
    copying = false;
    if (store.db.open) store.db.pragma(`wal_autocheckpoint = ${SQLITE_PAGES}`);
  };
  const order = (o: CheckpointOrder) => part.post(o);

  const part: ThreadPart = thread.attach('checkpoints', {
    message(body) {
      const report = body as CheckpointReport;
      if ('failed' in report) {
        failed = true;
        sqliteCheckpoints();
      } else if ('stopped' in report) whenStopped?.();
    },
    ended() {
      // Its connection went with it; the next large write starts the copying on the next thread.
      sqliteCheckpoints();
      whenStopped?.();
    },
  });

  const wake = (): void => {
    if (stopped || failed) return;
    part.touch();
    if (copying || starting) return;
    // Asked after the writer's commit, not inside it: the job that woke it is not held up by a thread's creation.
    starting = setImmediate(() => {
      starting = undefined;
      if (stopped || failed || copying) return;
      copying = true;
      store.db.pragma('wal_autocheckpoint = 0');
      order({ start: { path: store.path, everyMs } });
    });
  };

  store.onBulkWrite(wake);
  return {
    wake,
    get running() {
      return copying && part.running;
    },
    async stop() {
      stopped = true;
      clearImmediate(starting);
      if (!copying || !part.running) return sqliteCheckpoints();
      // The thread's connection is closed before the store's own, which then leaves a clean file.
      // Held meanwhile: the thread's answer is all the process waits for, and an unheld thread does not keep it running.
      part.hold(true);
      await new Promise<void>((resolve) => {
        whenStopped = resolve;
        setTimeout(resolve, 2000).unref();
        order({ stop: true });
      });
      whenStopped = undefined;
      part.hold(false);
      sqliteCheckpoints();
    },
  };
}
