import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackgroundThread } from '../../src/background/thread.js';
import { PdfRenderer } from '../../src/labels/pdf-render.js';
import { labelTemplateSchema } from '../../src/labels/template-schema.js';
import { JobDocuments } from '../../src/queue/job-documents.js';
import { checkpointInBackground } from '../../src/store/checkpoints.js';
import { openStore, type Store } from '../../src/store/store.js';
import { pdfWords } from '../helpers/barcodes.js';
import { tempDir } from '../helpers/temp.js';

const templates = join(import.meta.dirname, '../../templates');
const def = labelTemplateSchema.parse(JSON.parse(readFileSync(join(templates, 'labels/hose-tag.json'), 'utf8')));
const fonts = { fontsDirs: [join(templates, 'fonts')], fallbackFonts: [] };
const dir = tempDir();

/** Six megabytes in the log and a job's document (which wakes the checkpoints); resolves once the file holds them. */
async function bigWrite(store: Store, path: string, job: string): Promise<void> {
  const before = statSync(path).size;
  store.db.exec('CREATE TABLE IF NOT EXISTS big (b BLOB)');
  for (let i = 0; i < 6; i++) store.db.prepare('INSERT INTO big VALUES (?)').run(Buffer.alloc(1_000_000, i));
  new JobDocuments(store).insertWhole(job, Buffer.alloc(10));
  await expect.poll(() => statSync(path).size, { timeout: 5000, interval: 50 }).toBeGreaterThanOrEqual(before + 6_000_000);
}

describe('the background thread', () => {
  it('draws PDF labels and copies the log on one thread; a runaway PDF ends it, and the next write and PDF start another', async () => {
    const path = join(dir, 'shared', 'station.db');
    const store = openStore(path);
    const thread = new BackgroundThread({ maxHeapMb: 24 });
    const checkpoints = checkpointInBackground(store, thread, { everyMs: 50 });
    const pdf = new PdfRenderer(thread, fonts);
    try {
      expect(thread.threadId).toBeUndefined();
      const first = await pdf.render({ def, data: [{ serial: 'BP000000001' }], dpmm: 8, title: 'first', images: [] });
      expect(pdfWords(first).map((w) => w.text)).toContain('BP000000001');
      const drawing = thread.threadId;
      expect(drawing).toBeDefined();
      // The checkpoints join the thread the PDF started, not one of their own.
      await bigWrite(store, path, 'job-1');
      expect(checkpoints.running).toBe(true);
      expect(thread.threadId).toBe(drawing);
      expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);

      const tooBig = await pdf.render({ def, data: Array.from({ length: 20_000 }, (_, i) => ({ serial: `BP${i}` })), dpmm: 8, title: 'too big', images: [] }).catch((e: unknown) => e);
      expect((tooBig as Error).message).toMatch(/too big to draw in the memory set aside for it \(24 MB\)/);
      // The thread is gone, and its checkpoints with it: SQLite copies the log at its commits meanwhile.
      expect(thread.threadId).toBeUndefined();
      expect(checkpoints.running).toBe(false);
      expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);

      // Not for good: the next large write copies on a new thread, which draws the next PDF too.
      await bigWrite(store, path, 'job-2');
      expect(checkpoints.running).toBe(true);
      const next = thread.threadId;
      expect(next).toBeDefined();
      expect(next).not.toBe(drawing);
      const after = await pdf.render({ def, data: [{ serial: 'BP000000002' }], dpmm: 8, title: 'after', images: [] });
      expect(pdfWords(after).map((w) => w.text)).toContain('BP000000002');
      expect(thread.threadId).toBe(next);
    } finally {
      await checkpoints.stop();
      await thread.close();
      store.close();
    }
  });

  it('is kept while either part uses it and ends once neither has for its idle time', async () => {
    const path = join(dir, 'idle', 'station.db');
    const store = openStore(path);
    const thread = new BackgroundThread({ idleMs: 1500 });
    const checkpoints = checkpointInBackground(store, thread, { everyMs: 50 });
    const pdf = new PdfRenderer(thread, fonts);
    const documents = new JobDocuments(store);
    try {
      await pdf.render({ def, data: [{ serial: 'BP000000003' }], dpmm: 8, title: 'one', images: [] });
      const id = thread.threadId;
      // Jobs' documents every 200 ms for three seconds, twice the idle time: the same thread all along.
      for (let i = 0; i < 15; i++) {
        documents.insertWhole(`job-${i}`, Buffer.alloc(10));
        await new Promise((r) => setTimeout(r, 200));
        expect(thread.threadId).toBe(id);
      }
      expect(checkpoints.running).toBe(true);
      // Then nothing: it ends, and SQLite checkpoints again.
      await expect.poll(() => thread.threadId, { timeout: 5000, interval: 100 }).toBeUndefined();
      expect(checkpoints.running).toBe(false);
      expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    } finally {
      await checkpoints.stop();
      await thread.close();
      store.close();
    }
  });
});
