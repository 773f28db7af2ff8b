// Commits that must survive a power cut, without the station's thread waiting for the disk.
import { open, type FileHandle } from 'node:fs/promises';

/**
 * The station's connection commits with `synchronous = NORMAL`: a commit is written to the log (the `-wal` file) but
 * may still sit in the operating system's cache, so a power cut (not a crash of the station, whose writes the system
 * still completes) can take back the commits of the last seconds. SQLite's `FULL` would sync each commit on the
 * station's thread (in the queue benchmark, jobs through the queue 1,355 → 496/s). Where losing a commit would print a
 * label twice or lose a job (a job the client was told is queued, a job taken for printing, labels about to leave),
 * the caller waits for `sync()` instead: the log synced to disk on libuv's threads, one fdatasync for every caller who
 * asked before it started (a sync already under way may have started before the caller's commit).
 *
 * The log file stays the same file while the store is open: SQLite removes it only when its last connection closes,
 * and the checkpoints (PASSIVE) never truncate it.
 */
export interface LogSync {
  sync(): Promise<void>;
  close(): void;
}

/** `openFile`: how the log is opened (tests count and hold the syncs). */
export function logSync(logPath: string, openFile: (path: string, flags: string) => Promise<Pick<FileHandle, 'datasync' | 'close'>> = open): LogSync {
  let file: Pick<FileHandle, 'datasync' | 'close'> | undefined;
  let closed = false;
  let running: Promise<void> | undefined;
  let waiting: Promise<void> | undefined;

  const syncNow = async (): Promise<void> => {
    if (closed) return;
    if (!file) {
      try {
        const opened = await openFile(logPath, 'r+');
        if (closed) return void (await opened.close());
        file = opened;
      } catch (err) {
        // No log yet: nothing has been committed to it.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
    }
    await file.datasync();
  };

  const sync = (): Promise<void> => {
    if (!running) {
      running = syncNow().finally(() => {
        running = undefined;
      });
      return running;
    }
    waiting ??= running
      .catch(() => undefined)
      .then(() => {
        waiting = undefined;
        return sync();
      });
    return waiting;
  };

  return {
    sync,
    close() {
      closed = true;
      const last = file;
      file = undefined;
      if (last) void Promise.allSettled([running, waiting]).then(() => last.close());
    },
  };
}
