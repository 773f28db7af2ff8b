// Folder driver: drops each document atomically into a directory (marking-machine hot folders, shares, demo printers).
import { randomBytes } from 'node:crypto';
import { access, constants, mkdir, open, rename, rm, stat, statfs } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { StationError } from '../src/errors.js';
import { Semaphore } from '../src/lib/semaphore.js';
import { DOCUMENT_FORMATS, PrinterUnavailableError, SEGMENT_BYTES, type DriverDefinition, type PrinterDriver, type PrinterStatus } from '../src/printing/types.js';

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
 * A hot folder on a network share whose server has gone away blocks each file operation in the kernel until it comes
 * back (a hard NFS mount: for ever), and Node runs file operations on libuv's four threads, which the station needs
 * for its own (syncing its store before it answers a print request). A status check every five seconds would take
 * them all within twenty, and with them every printer. So a folder has one operation under way at a time, and all
 * folders together two: a share that hangs holds at most one thread per folder, and the station's own never wait.
 */
const ALL_FOLDERS = new Semaphore(2);
/** A folder whose operation has not come back for this long is not answering. */
const SLOW_MS = 2000;
/** Under this much room a folder's disk is full for our documents (a hose-assembly datasheet is ~100 KB). */
const FULL_BYTES = 1024 * 1024;
/** Under this much room the chip still says ready, with how much is left, so that it is seen before it stops jobs. */
const LOW_BYTES = 100 * 1024 * 1024;

const sizeInWords = (bytes: number) => (bytes >= 1024 * 1024 ? `${Math.floor(bytes / (1024 * 1024))} MB` : `${Math.floor(bytes / 1024)} KB`);

/** How much the station may still write on the folder's disk or share, or undefined where the system does not say. */
async function roomIn(dir: string): Promise<number | undefined> {
  try {
    const fs = await statfs(dir);
    // No blocks at all is a file system that keeps no count (some FUSE and pseudo ones), not a full one.
    return fs.blocks > 0 ? fs.bavail * fs.bsize : undefined;
  } catch {
    return undefined; // a share that cannot tell: its writes say it
  }
}

/**
 * Makes the rename itself survive a power cut (on a local file system a new name is only on disk once its folder is
 * synced). Best effort, after the file is in place: a share that cannot sync a folder keeps the name on its server,
 * and a failure here must never make a document that is there look unsent (it would be written twice).
 */
async function syncFolder(dir: string, io: FolderIo): Promise<void> {
  try {
    const folder = await io(() => open(dir, 'r'));
    try {
      await io(() => folder.sync());
    } finally {
      await io(() => folder.close());
    }
  } catch {
    // the file is in place either way
  }
}

type FolderIo = <T>(op: () => Promise<T>, signal?: AbortSignal) => Promise<T>;

const definition: DriverDefinition<FolderOptions> = {
  name: 'folder',
  description: 'Writes each document as a file into a folder (hot folder or share).',
  uriSchemes: ['file:'],
  optionsSchema,
  create(settings): PrinterDriver {
    const dir = fileURLToPath(settings.uri);
    /** Why nothing could be written, in words for its cause: a full disk is not a missing share. Nothing was left there. */
    const unavailable = (err: unknown) => {
      const code = (err as NodeJS.ErrnoException).code;
      const [why, hint] =
        code === 'ENOSPC' || code === 'EDQUOT'
          ? ['is full (no space left on its disk or share, or the quota is used up)', 'Make room there (files the machine has taken in can go); the document is written again by itself, whole.']
          : code === 'EACCES' || code === 'EPERM'
            ? ['may not be written by the station', 'Give the user the station runs as the right to write there.']
            : code === 'EROFS'
              ? ['is on a disk or share that is read-only now', 'Check the share (a server that went read-only after an error?).']
              : code === 'ENOENT'
                ? ['does not exist', 'Check the folder, and that the share is mounted.']
                : [`cannot be written (${code ?? String(err)})`, 'Check that the folder exists, the share is mounted and the station may write there.'];
      return new PrinterUnavailableError(`Folder ${dir} ${why}.`, hint, err);
    };
    // Stopped before the rename: no file appeared, so the document is simply written again later.
    const stopped = (err: unknown) => new PrinterUnavailableError(`Nothing written to ${dir}: the station stopped first.`, 'It is written when the station runs again.', err);
    const own = new Semaphore(1);
    /** When the operation under way started, if one is. */
    let since: number | undefined;
    const io: FolderIo = (op, signal) =>
      own.run(
        () =>
          ALL_FOLDERS.run(async () => {
            since = Date.now();
            try {
              return await op();
            } finally {
              since = undefined;
            }
          }, signal),
        signal,
      );
    const notAnswering = (seconds: number) => ({
      state: 'offline' as const,
      detail: `${dir}: the folder has not answered for ${seconds} s (a network share whose server is away?); its jobs wait until it does`,
    });
    return {
      formats: settings.options.formats,
      async print(document, { signal, onProgress }) {
        if (signal.aborted) throw stopped(signal.reason);
        try {
          if (settings.options.create) await io(() => mkdir(dir, { recursive: true }), signal);
          await io(() => access(dir, constants.W_OK), signal);
        } catch (err) {
          if (signal.aborted) throw stopped(err);
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
          const handle = await io(() => open(temp, 'wx'), signal);
          try {
            // A long job's bytes come from the store a piece at a time, and go into the file the same way.
            for (let at = 0; at < document.bytes.length; at += SEGMENT_BYTES) {
              const piece = document.bytes.slice(at, Math.min(document.bytes.length, at + SEGMENT_BYTES));
              await io(() => handle.writeFile(piece));
            }
            await io(() => handle.sync());
          } finally {
            await io(() => handle.close());
          }
          signal.throwIfAborted();
          // The rename is when the document leaves (watchers see it): the station's record of that comes first.
          await onProgress?.({ bytesSent: document.bytes.length, partsSent: parts, partsConfirmed: 0 });
          await io(() => rename(temp, join(dir, finalName)));
        } catch (err) {
          await io(() => rm(temp, { force: true })).catch(() => undefined);
          if (signal.aborted) throw stopped(err);
          // The station could not record the document leaving: not the folder's fault.
          if (err instanceof StationError) throw err;
          throw unavailable(err);
        }
        // The rename is the proof: the file is there, whole, for whatever watches the folder.
        await syncFolder(dir, io);
        return { bytesSent: document.bytes.length, partsSent: parts, partsConfirmed: parts, confirmed: true, reference: join(dir, finalName) };
      },
      async status(signal) {
        // An operation that has not come back is the answer: asking again would only hold another thread.
        if (since !== undefined && Date.now() - since >= SLOW_MS) return notAnswering(Math.round((Date.now() - since) / 1000));
        const started = Date.now();
        const probe = io(async (): Promise<PrinterStatus> => {
          const info = await stat(dir);
          if (!info.isDirectory()) return { state: 'error', detail: `${dir} is not a folder` };
          await access(dir, constants.W_OK);
          // A disk that is full takes no document: said on the printer's chip before a job fails on it.
          const room = await roomIn(dir);
          if (room !== undefined && room < FULL_BYTES) return { state: 'error', detail: `${dir}: its disk is full (${sizeInWords(room)} left); make room there, and waiting jobs go by themselves` };
          if (room !== undefined && room < LOW_BYTES) return { state: 'ready', detail: `only ${sizeInWords(room)} left on its disk` };
          return { state: 'ready' };
        }, signal);
        probe.catch(() => undefined); // answered below, or left to come back in its own time
        try {
          // Not answered in the check's time: the operation goes on without the caller (and holds this folder's place).
          return await Promise.race([probe, new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }))]);
        } catch (err) {
          if (signal.aborted) return notAnswering(Math.round((Date.now() - (since ?? started)) / 1000));
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT' && settings.options.create) return { state: 'ready', detail: 'folder is created on the first document' };
          return { state: 'offline', detail: `${dir}: ${code === 'ENOENT' ? 'folder missing' : code === 'EACCES' ? 'no permission to write' : code}` };
        }
      },
    };
  },
};

export default definition;
