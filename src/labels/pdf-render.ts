// PDF labels are drawn on a thread of their own (pdf-worker.ts), started with the first PDF (or the warm-up after
// ready) and ended after a few idle minutes, which gives its memory back. Requests are answered in order; a thread
// that dies (out of memory, a bug) fails the requests it had with a plain error and the next request starts a new one.
import type { Worker } from 'node:worker_threads';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { StationError } from '../errors.js';
import { startWorker } from '../lib/worker.js';
import type { LabelTemplateDef } from './template-schema.js';

export interface PdfWorkerData {
  /** The fonts folders, the shop's first (see template-folders). */
  fontsDirs: string[];
  fallbackFonts: readonly string[];
}

export interface PdfRequest {
  id: number;
  /** The template's definition, as the station validated it (the worker compiles its layout). */
  def: LabelTemplateDef;
  data: readonly unknown[];
  dpmm: number;
  title: string;
  /** The PNG of each image the template draws, by name. */
  images: Array<[string, Uint8Array]>;
  /** Send the PDF in pieces as it is written (PdfWorkerPiece), then its length, instead of whole at the end. */
  stream?: boolean;
}

/** A piece of a streamed PDF, in order. */
export interface PdfWorkerPiece {
  id: number;
  piece: Uint8Array;
}

export interface PdfWorkerError {
  message: string;
  code?: string;
  status?: number;
  hint?: string;
}

export type PdfWorkerReply = { id: number; missing: number[] } & ({ bytes: Uint8Array } | { length: number } | { error: PdfWorkerError });

interface Pending {
  resolve: (result: Uint8Array | number) => void;
  reject: (err: Error) => void;
  piece?: (piece: Uint8Array) => void;
}

export interface PdfRendererOptions extends PdfWorkerData {
  /** Characters no font could draw, as the worker found them. */
  onMissing?: (codePoints: number[]) => void;
  /** The thread ends after this long without a request (its memory goes back to the system). */
  idleMs?: number;
  /** Heap limit of the thread, MB: a runaway document fails alone instead of taking the station's memory. */
  maxHeapMb?: number;
}

/**
 * The thread's young generation, MB. Drawing makes many small objects that die at once; V8's default lets them pile up
 * to ~48 MB before collecting. At 8 the peak of two 1,000-tag jobs was ~20 MB lower (228 -> 210 MB) at the same speed.
 */
const YOUNG_MB = 8;

/** The worker's error as the station's own: a StationError keeps its code; anything else is a drawing failure. */
function failure(e: PdfWorkerError): StationError {
  if (e.code) return new StationError(e.code, e.message, { status: (e.status ?? 422) as ContentfulStatusCode, ...(e.hint ? { hint: e.hint } : {}) });
  return new StationError('PDF_RENDER_FAILED', `The PDF could not be drawn: ${e.message.replace(/\.$/, '')}.`, { status: 422 });
}

export class PdfRenderer {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private next = 1;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: PdfRendererOptions) {}

  /** The whole PDF. */
  async render(req: Omit<PdfRequest, 'id' | 'stream'>): Promise<Uint8Array> {
    return (await this.request({ ...req, stream: false })) as Uint8Array;
  }

  /**
   * The PDF in pieces (about 1 MB each, in order) handed to `piece` as the thread writes them, so a long one is never
   * held whole on either thread; resolves with its length once the last piece was handed over.
   */
  async renderInto(req: Omit<PdfRequest, 'id' | 'stream'>, piece: (piece: Uint8Array) => void): Promise<number> {
    return (await this.request({ ...req, stream: true }, piece)) as number;
  }

  private request(req: Omit<PdfRequest, 'id'>, piece?: (piece: Uint8Array) => void): Promise<Uint8Array | number> {
    const worker = this.start();
    clearTimeout(this.idleTimer);
    worker.ref();
    const id = this.next++;
    return new Promise<Uint8Array | number>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, ...(piece ? { piece } : {}) });
      worker.postMessage({ ...req, id } satisfies PdfRequest);
    });
  }

  /** Ends the thread (the station stops); requests still running fail. */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
    this.failAll(new StationError('SHUTTING_DOWN', 'The station is stopping.'));
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const workerData: PdfWorkerData = { fontsDirs: this.o.fontsDirs, fallbackFonts: [...this.o.fallbackFonts] };
    const worker = startWorker(import.meta.url, 'pdf-worker', { workerData, resourceLimits: { maxOldGenerationSizeMb: this.o.maxHeapMb ?? 128, maxYoungGenerationSizeMb: YOUNG_MB }, stderr: false });
    worker.on('message', (reply: PdfWorkerReply | PdfWorkerPiece) => ('piece' in reply ? this.piece(reply) : this.answer(reply)));
    worker.on('error', (err) => this.lost(worker, err));
    worker.on('exit', (code) => this.lost(worker, new Error(`it ended with code ${code}`)));
    // After the listeners (adding one holds the process open again): only a thread with work keeps the process running.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private piece(reply: PdfWorkerPiece): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting?.piece) return;
    try {
      waiting.piece(reply.piece);
    } catch (err) {
      // Where the pieces go failed (the store, say): the request fails with that; the rest of its pieces are dropped.
      this.pending.delete(reply.id);
      waiting.reject(err as Error);
      this.idleWhenDone();
    }
  }

  private answer(reply: PdfWorkerReply): void {
    if (reply.missing.length) this.o.onMissing?.(reply.missing);
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if ('bytes' in reply) waiting.resolve(reply.bytes);
    else if ('length' in reply) waiting.resolve(reply.length);
    else waiting.reject(failure(reply.error));
    this.idleWhenDone();
  }

  /** Without requests, the thread no longer holds the process open, and ends after idleMs. */
  private idleWhenDone(): void {
    if (this.pending.size) return;
    this.worker?.unref();
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.retire(), this.o.idleMs ?? 600_000);
    this.idleTimer.unref();
  }

  private async retire(): Promise<void> {
    if (this.pending.size || !this.worker) return;
    const worker = this.worker;
    this.worker = undefined;
    await worker.terminate();
  }

  private lost(worker: Worker, err: Error): void {
    if (this.worker !== worker) return; // retired or closed on purpose
    this.worker = undefined;
    const outOfMemory = (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
    this.failAll(
      new StationError('PDF_RENDER_FAILED', outOfMemory ? `The PDF is too big to draw in the memory set aside for it (${this.o.maxHeapMb ?? 128} MB).` : `The PDF drawing thread stopped: ${err.message}.`, {
        status: outOfMemory ? 413 : 500,
        retryable: !outOfMemory,
        hint: outOfMemory ? 'Print fewer labels at a time.' : 'Try again; the next PDF starts a new drawing thread.',
      }),
    );
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
