// The store's log synced to disk for callers that must not lose a commit to a power cut: off the station's thread,
// one sync for every caller who asked before it started, never one that started before a caller asked.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { logSync } from '../../src/store/log-sync.js';
import { openStore } from '../../src/store/store.js';
import { tempDir } from '../helpers/temp.js';

/** A log whose syncs are counted and held until released, one at a time. */
function heldLog() {
  const held: Array<() => void> = [];
  const log = { opened: 0, syncs: 0, closed: 0 };
  const openFile = async () => {
    log.opened++;
    return {
      datasync: () => new Promise<void>((resolve) => held.push(() => (log.syncs++, resolve()))),
      close: async () => void log.closed++,
    };
  };
  const release = async () => {
    await expect.poll(() => held.length).toBeGreaterThan(0);
    held.shift()!();
  };
  return { log, openFile, held, release };
}

describe('syncing the store log', () => {
  it('serves every caller who asked during a sync with one more sync, started after they asked', async () => {
    const { log, openFile, held, release } = heldLog();
    const sync = logSync('/nowhere/station.db-wal', openFile);
    const settled: string[] = [];
    const first = sync.sync().then(() => settled.push('first'));
    await expect.poll(() => held.length).toBe(1);
    // Asked while the first sync runs: their commits may have come after it started.
    const later = [1, 2, 3].map((n) => sync.sync().then(() => settled.push(`later ${n}`)));
    await release();
    await first;
    expect(settled).toEqual(['first']);
    await release();
    await Promise.all(later);
    expect(settled).toEqual(['first', 'later 1', 'later 2', 'later 3']);
    expect(log).toMatchObject({ opened: 1, syncs: 2 });
    expect(held).toHaveLength(0);
    sync.close();
    await expect.poll(() => log.closed).toBe(1);
  });

  it('syncs nothing when there is no log yet, and the log once it exists', async () => {
    const dir = tempDir();
    const path = join(dir, 'station.db-wal');
    const sync = logSync(path);
    await expect(sync.sync()).resolves.toBeUndefined();
    writeFileSync(path, 'frames');
    await expect(sync.sync()).resolves.toBeUndefined();
    sync.close();
  });

  it('a log that cannot be synced rejects, and the next caller is tried afresh', async () => {
    const dir = tempDir();
    const sync = logSync(dir); // a folder: it cannot be opened for writing
    await expect(sync.sync()).rejects.toMatchObject({ code: 'EISDIR' });
    await expect(sync.sync()).rejects.toMatchObject({ code: 'EISDIR' });
    sync.close();
  });

  it("a store's durable() resolves once its log is synced (at once for a store in memory)", async () => {
    const store = openStore(join(tempDir(), 'station.db'));
    store.checkWritable();
    await expect(store.durable()).resolves.toBeUndefined();
    store.close();
    const memory = openStore(':memory:');
    await expect(memory.durable()).resolves.toBeUndefined();
    memory.close();
  });
});
