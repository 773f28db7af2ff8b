// PDF labels are drawn on the station's background thread (pdf-worker.ts there; see background/thread.ts), which the
// first PDF (or the warm-up after ready) starts and which ends after a few idle minutes, giving its memory back.
// Requests are answered in order; a thread that dies (out of memory, a bug) fails the requests it had with a plain
// error and the next request starts a new one.
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { BackgroundThread, ThreadPart } from '../background/thread.js';
import { StationError } from '../errors.js';
import type { LabelTemplateDef } from './template-schema.js';

export interface PdfRequest {
  id: number;
  /** The fonts folders, the shop's first (see template-folders). */
  fontsDirs: readonly string[];
  fallbackFonts: readonly string[];
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

export interface PdfRendererOptions {
  /** The fonts folders, the shop's first (see template-folders). */
  fontsDirs: readonly string[];
  fallbackFonts: readonly string[];
  /** Characters no font could draw, as the worker found them. */
  onMissing?: (codePoints: number[]) => void;
}

/** The worker's error as the station's own: a StationError keeps its code; anything else is a drawing failure. */
function failure(e: PdfWorkerError): StationError {
  if (e.code) return new StationError(e.code, e.message, { status: (e.status ?? 422) as ContentfulStatusCode, ...(e.hint ? { hint: e.hint } : {}) });
  return new StationError('PDF_RENDER_FAILED', `The PDF could not be drawn: ${e.message.replace(/\.$/, '')}.`, { status: 422 });
}

export class PdfRenderer {
  private readonly part: ThreadPart;
  private readonly pending = new Map<number, Pending>();
  private next = 1;

  constructor(
    private readonly thread: BackgroundThread,
    private readonly o: PdfRendererOptions,
  ) {
    this.part = thread.attach('pdf', {
      message: (reply) => ('piece' in (reply as object) ? this.piece(reply as PdfWorkerPiece) : this.answer(reply as PdfWorkerReply)),
      ended: (err) => {
        // Retired only when idle: with requests on it, the thread was lost or closed (the station stops).
        if (this.pending.size) this.failAll(err ? this.lost(err) : new StationError('SHUTTING_DOWN', 'The station is stopping.'));
      },
    });
  }

  /** The whole PDF. */
  async render(req: Omit<PdfRequest, 'id' | 'stream' | 'fontsDirs' | 'fallbackFonts'>): Promise<Uint8Array> {
    return (await this.request({ ...req, stream: false })) as Uint8Array;
  }

  /**
   * The PDF in pieces (about 1 MB each, in order) handed to `piece` as the thread writes them, so a long one is never
   * held whole on either thread; resolves with its length once the last piece was handed over.
   */
  async renderInto(req: Omit<PdfRequest, 'id' | 'stream' | 'fontsDirs' | 'fallbackFonts'>, piece: (piece: Uint8Array) => void): Promise<number> {
    return (await this.request({ ...req, stream: true }, piece)) as number;
  }

  private request(req: Omit<PdfRequest, 'id' | 'fontsDirs' | 'fallbackFonts'>, piece?: (piece: Uint8Array) => void): Promise<Uint8Array | number> {
    const id = this.next++;
    return new Promise<Uint8Array | number>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, ...(piece ? { piece } : {}) });
      this.part.hold(true);
      try {
        this.part.post({ ...req, id, fontsDirs: this.o.fontsDirs, fallbackFonts: this.o.fallbackFonts } satisfies PdfRequest);
      } catch (err) {
        this.pending.delete(id); // the thread is closed: the station stops
        this.releaseWhenDone();
        reject(err as Error);
      }
    });
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
      this.releaseWhenDone();
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
    this.releaseWhenDone();
  }

  /** Without requests, the thread no longer holds the process open, and may retire after its idle time. */
  private releaseWhenDone(): void {
    if (!this.pending.size) this.part.hold(false);
  }

  /** The thread ended on its own with these requests on it. */
  private lost(err: Error): StationError {
    const outOfMemory = (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
    return new StationError('PDF_RENDER_FAILED', outOfMemory ? `The PDF is too big to draw in the memory set aside for it (${this.thread.maxHeapMb} MB).` : `The PDF drawing thread stopped: ${err.message}.`, {
      status: outOfMemory ? 413 : 500,
      retryable: !outOfMemory,
      hint: outOfMemory ? 'Print fewer labels at a time.' : 'Try again; the next PDF starts a new drawing thread.',
    });
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
