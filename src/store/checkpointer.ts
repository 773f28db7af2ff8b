// The background thread's side of the store's checkpoints (see checkpoints.ts): copies the write-ahead log into the
// database file. Left to SQLite, the commit that fills the log past 1,000 pages does it, on the station's event loop:
// with a megabyte PDF in a job that was a 10-35 ms stall of the kiosk, the API and the printers' workers now and then.
// Here the station's connection only appends to the log; this thread's own connection checkpoints every second
// (PASSIVE: it never waits for, nor blocks, the station).
import Database from 'better-sqlite3';

/** What the station sends: start copying the log of the database at `path`, or stop and close the connection. */
export type CheckpointOrder = { start: { path: string; everyMs: number } } | { stop: true };
/** What this side answers: copying (the connection is open), stopped, or the connection could not be opened. */
export type CheckpointReport = { started: true } | { stopped: true } | { failed: string };

/** The handler of the station's orders; `send` answers them. */
export function checkpointer(send: (report: CheckpointReport) => void): (order: unknown) => void {
  let db: Database.Database | undefined;
  let timer: NodeJS.Timeout | undefined;
  const stop = () => {
    clearInterval(timer);
    db?.close();
    db = undefined;
  };
  return (order) => {
    const o = order as CheckpointOrder;
    if ('stop' in o) {
      stop();
      send({ stopped: true });
      return;
    }
    stop();
    try {
      const opened = new Database(o.start.path, { fileMustExist: true });
      opened.pragma('busy_timeout = 1000');
      db = opened;
    } catch (err) {
      send({ failed: err instanceof Error ? err.message : String(err) });
      return;
    }
    timer = setInterval(() => {
      try {
        db?.pragma('wal_checkpoint(PASSIVE)');
      } catch {
        // busy or the file is gone (the station stops): the next turn tries again
      }
    }, o.start.everyMs);
    timer.unref(); // the thread's port keeps it alive; a timer must not hold it past its end
    send({ started: true });
  };
}
