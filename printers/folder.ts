// Folder driver: drops each document atomically into a directory (marking-machine hot folders, shares, demo printers).
import { randomBytes } from 'node:crypto';
import { access, constants, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { StationError } from '../src/errors.js';
import { DOCUMENT_FORMATS, PrinterUnavailableError, SEGMENT_BYTES, type DriverDefinition, type PrinterDriver } from '../src/printing/types.js';

const optionsSchema = z.strictObject({
  formats: z.array(z.enum(DOCUMENT_FORMATS)).min(1).default([...DOCUMENT_FORMATS]),
  /** Create the folder if missing. Off by default: a hot folder on an unmounted share must not fill the local disk. */
  create: z.boolean().default(false),
});
type FolderOptions = z.infer<typeof optionsSchema>;

const EXTENSIONS: Record<string, string> = { zpl: '.zpl', escpos: '.bin', pdf: '.pdf', png: '.png', file: '' };

/** Keeps letters, digits, dot, dash and underscore; never a path separator or a leading dot. */
export function safeFileName(name: string): string {
  const cleaned = name.normalize('NFKD').replace(/[^\w.-]+/g, '_').replace(/^[._]+/, '').slice(-120);
  return cleaned || 'document';
}

/**
 * Makes the rename itself survive a power cut (on a local file system a new name is only on disk once its folder is
 * synced). Best effort, after the file is in place: a share that cannot sync a folder keeps the name on its server,
 * and a failure here must never make a document that is there look unsent (it would be written twice).
 */
async function syncFolder(dir: string): Promise<void> {
  try {
    const folder = await open(dir, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  } catch {
    // the file is in place either way
  }
}

const definition: DriverDefinition<FolderOptions> = {
  name: 'folder',
  description: 'Writes each document as a file into a folder (hot folder or share).',
  uriSchemes: ['file:'],
  optionsSchema,
  create(settings): PrinterDriver {
    const dir = fileURLToPath(settings.uri);
    const unavailable = (err: unknown) =>
      new PrinterUnavailableError(`Folder ${dir} cannot be written (${(err as NodeJS.ErrnoException).code ?? String(err)}).`, 'Check that the folder exists, the share is mounted and the station may write there.', err);
    // Stopped before the rename: no file appeared, so the document is simply written again later.
    const stopped = (err: unknown) => new PrinterUnavailableError(`Nothing written to ${dir}: the station stopped first.`, 'It is written when the station runs again.', err);
    return {
      formats: settings.options.formats,
      async print(document, { signal, onProgress }) {
        if (signal.aborted) throw stopped(signal.reason);
        try {
          if (settings.options.create) await mkdir(dir, { recursive: true });
          await access(dir, constants.W_OK);
        } catch (err) {
          throw unavailable(err);
        }
        const base = safeFileName(document.meta.name);
        const ext = extname(base) ? '' : (EXTENSIONS[document.format] ?? '');
        const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
        const finalName = `${stamp}-${randomBytes(3).toString('hex')}-${base}${ext}`;
        // Dot-prefixed temp file: watchers of hot folders ignore it until the rename makes it whole.
        const temp = join(dir, `.${finalName}.part`);
        const parts = document.meta.partEnds?.length || 1;
        try {
          const handle = await open(temp, 'wx');
          try {
            // A long job's bytes come from the store a piece at a time, and go into the file the same way.
            for (let at = 0; at < document.bytes.length; at += SEGMENT_BYTES) await handle.writeFile(document.bytes.slice(at, Math.min(document.bytes.length, at + SEGMENT_BYTES)));
            await handle.sync();
          } finally {
            await handle.close();
          }
          signal.throwIfAborted();
          // The rename is when the document leaves (watchers see it): the station's record of that comes first.
          await onProgress?.({ bytesSent: document.bytes.length, partsSent: parts, partsConfirmed: 0 });
          await rename(temp, join(dir, finalName));
        } catch (err) {
          await rm(temp, { force: true });
          if (signal.aborted) throw stopped(err);
          // The station could not record the document leaving: not the folder's fault.
          if (err instanceof StationError) throw err;
          throw unavailable(err);
        }
        // The rename is the proof: the file is there, whole, for whatever watches the folder.
        await syncFolder(dir);
        return { bytesSent: document.bytes.length, partsSent: parts, partsConfirmed: parts, confirmed: true, reference: join(dir, finalName) };
      },
      async status() {
        try {
          const info = await stat(dir);
          if (!info.isDirectory()) return { state: 'error', detail: `${dir} is not a folder` };
          await access(dir, constants.W_OK);
          return { state: 'ready' };
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT' && settings.options.create) return { state: 'ready', detail: 'folder is created on the first document' };
          return { state: 'offline', detail: `${dir}: ${code === 'ENOENT' ? 'folder missing' : code === 'EACCES' ? 'no permission to write' : code}` };
        }
      },
    };
  },
};

export default definition;
