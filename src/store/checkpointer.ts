// Copies the write-ahead log into the database file on a thread of its own. Left to SQLite, the commit that fills the
// log past 1,000 pages does it, on the station's event loop: with a megabyte PDF in a job that was a 10-35 ms stall
// of the kiosk, the API and the printers' workers now and then. Here the station's connection only appends to the
// log; this thread's own connection checkpoints every second (PASSIVE: it never waits for, nor blocks, the station).
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { path, everyMs } = workerData as { path: string; everyMs: number };
const db = new Database(path);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // busy or the file is gone (the station stops): the next turn tries again
  }
}, everyMs);
parentPort!.on('message', (m: unknown) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort!.postMessage('stopped');
});
