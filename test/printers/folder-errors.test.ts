// A hot folder that cannot take a document says why in words for its cause, and leaves nothing half-written there:
// a full disk (the Marken machine stopped taking its files in) is not a missing share, and the operator's fix is not
// the same. Jobs wait, and are written whole once there is room.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { loadPrinters } from '../../src/printing/registry.js';
import { tempDir } from '../helpers/temp.js';

const pdf = (kb: number) => ({ format: 'pdf' as const, bytes: Buffer.alloc(kb * 1024, 0x25), meta: { name: 'WO-24005-datasheet.pdf', contentType: 'application/pdf' } });
const cleanup: Array<() => void> = [];

/** A folder on a disk of `size` (a tmpfs), unmounted after the test; skips the test where mounting needs root (CI runs as root). */
function smallDisk(name: string, size: string, ctx: { skip(): never }): string {
  const dir = join(tempDir(), name);
  mkdirSync(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    ctx.skip();
  }
  cleanup.push(() => execFileSync('umount', ['-l', dir], { stdio: 'ignore' }));
  return dir;
}
afterEach(() => {
  for (const step of cleanup.splice(0).reverse()) step();
});

describe('a hot folder that cannot take the document', () => {
  it('one that does not exist (a share not mounted) says so', async () => {
    const dir = join(tempDir(), 'not-mounted');
    const printers = await loadPrinters([{ id: 'marken', driver: 'folder', uri: `file://${dir}`, options: { formats: ['pdf'], create: false } }], silentLogger());
    await expect(printers.print('marken', pdf(1), { signal: AbortSignal.timeout(5000) })).rejects.toMatchObject({ message: `Folder ${dir} does not exist.`, hint: 'Check the folder, and that the share is mounted.' });
  });

  it('one on a full disk says it is full, what to do, and leaves no part of the file there', async (ctx) => {
    const dir = smallDisk('small', '64k', ctx);
    const printers = await loadPrinters([{ id: 'marken', driver: 'folder', uri: `file://${dir}`, options: { formats: ['pdf'] } }], silentLogger());
    await printers.print('marken', pdf(40), { signal: AbortSignal.timeout(5000) });
    await expect(printers.print('marken', pdf(40), { signal: AbortSignal.timeout(5000) })).rejects.toMatchObject({
      message: `Folder ${dir} is full (no space left on its disk or share, or the quota is used up).`,
      hint: 'Make room there (files the machine has taken in can go); the document is written again by itself, whole.',
    });
    expect(readdirSync(dir)).toHaveLength(1); // the first document; nothing of the second, not even its temp file
    // Room made: it goes.
    for (const f of readdirSync(dir)) rmSync(join(dir, f));
    await printers.print('marken', pdf(40), { signal: AbortSignal.timeout(5000) });
    expect(readdirSync(dir).filter((f) => !f.startsWith('.'))).toHaveLength(1);
  });

  it("the printer's chip says the disk is full before a job fails on it, and how much is left when it runs low", async (ctx) => {
    const dir = smallDisk('share', '2m', ctx);
    const printers = await loadPrinters([{ id: 'marken', driver: 'folder', uri: `file://${dir}`, options: { formats: ['pdf'] } }], silentLogger());
    // An empty 2 MB disk: ready, with the little room it has.
    expect(await printers.refresh('marken')).toMatchObject({ state: 'ready', detail: 'only 2 MB left on its disk' });
    await printers.print('marken', pdf(1500), { signal: AbortSignal.timeout(5000) });
    const full = await printers.refresh('marken');
    expect(full.state).toBe('error');
    expect(full.detail).toMatch(new RegExp(`^${dir}: its disk is full \\((5\\d\\d) KB left\\); make room there, and waiting jobs go by themselves$`));
    // Room made: ready again.
    for (const f of readdirSync(dir)) rmSync(join(dir, f));
    expect(await printers.refresh('marken')).toMatchObject({ state: 'ready', detail: 'only 2 MB left on its disk' });
  });

  it('a folder with room enough says nothing of it', async () => {
    const printers = await loadPrinters([{ id: 'marken', driver: 'folder', uri: `file://${tempDir()}`, options: { formats: ['pdf'] } }], silentLogger());
    const free = Number(execFileSync('df', ['--output=avail', '-B1', tempDir()], { encoding: 'utf8' }).split('\n')[1]);
    const view = await printers.refresh('marken');
    expect(view.state).toBe('ready');
    // The temp folder's disk has over 100 MB free on every machine this runs on; where it does not, the chip says so.
    if (free >= 100 * 1024 * 1024) expect(view.detail).toBeUndefined();
    else expect(view.detail).toMatch(/left on its disk$/);
  });
});
