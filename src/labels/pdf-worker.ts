// The background thread's side of PDF labels (see pdf-render.ts): draws them. A 1,000-tag PDF is a few hundred ms of
// drawing and tens of MB of short-lived objects; on the station's own thread that garbage stalled the kiosk, the API
// and the printers' workers (the longest /healthz answer during the first big job was 180 ms). Here it stalls nothing
// but this thread. It has its own copy of the label fonts and compiles the template it is given; images come with the
// request. It is loaded with the thread's first PDF request (background/worker.ts).
// The template comes validated by the station (a LoadedTemplate's def), so the thread compiles its layout without
// loading the schema library or the configuration's schema: what it does not load it does not hold, ~5 MB of heap.
import type { TransferListItem } from 'node:worker_threads';
import { isStationError } from '../errors.js';
import { loadFonts } from './fonts.js';
import { compileLayout, type CompiledLayout } from './layout.js';
import { labelsToPdf, labelsToPdfStream, type PdfContext } from './pdf.js';
import type { LabelTemplateDef } from './template-schema.js';
import type { PdfRequest, PdfWorkerPiece, PdfWorkerReply } from './pdf-render.js';

type Send = (message: PdfWorkerReply | PdfWorkerPiece, transfer?: TransferListItem[]) => void;

/** Compiled layouts by their definition's text (a stored template's versions differ; a draft has no version). */
const compiled = new Map<string, CompiledLayout>();

function layoutOf(def: LabelTemplateDef): CompiledLayout {
  if (def.kind !== 'layout') throw new Error(`template ${def.id} is a raw ZPL design and has no PDF form`);
  const key = JSON.stringify(def);
  let layout = compiled.get(key);
  if (!layout) {
    layout = compileLayout(def);
    if (compiled.size >= 32) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, layout);
  }
  return layout;
}

/** Handed over, not copied, where it can be: what is transferred must own its whole buffer. */
const owned = (bytes: Uint8Array) => (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice());

/** The handler of PDF requests; `send` answers them, in order. */
export function pdfDrawing(send: Send): (req: unknown) => void {
  /** Draws the labels; streamed, each piece is sent on as it is written and the length is returned. */
  async function render(req: PdfRequest, fonts: PdfContext['fonts']): Promise<Uint8Array | number> {
    const layout = layoutOf(req.def);
    const images = new Map(req.images);
    const ctx: PdfContext = {
      fonts,
      title: req.title,
      images: (src) => {
        const png = images.get(src);
        if (!png) throw new Error(`the image ${src} was not sent with the labels`);
        return { width: 0, height: 0, dark: new Uint8Array(0), png };
      },
    };
    if (!req.stream) return labelsToPdf(layout, req.data, req.dpmm, ctx);
    return labelsToPdfStream(layout, req.data, req.dpmm, ctx, (piece) => {
      const bytes = owned(piece);
      send({ id: req.id, piece: bytes }, [bytes.buffer as ArrayBuffer]);
    });
  }

  return (body) => {
    const req = body as PdfRequest;
    const fonts = loadFonts(req.fontsDirs, req.fallbackFonts);
    const missing = () => [...new Set([...fonts.regular.missing, ...fonts.bold.missing])];
    void render(req, fonts).then(
      (drawn) => {
        if (typeof drawn === 'number') return send({ id: req.id, length: drawn, missing: missing() });
        const bytes = owned(drawn);
        send({ id: req.id, bytes, missing: missing() }, [bytes.buffer as ArrayBuffer]);
      },
      (err: unknown) => {
        // A StationError (data a barcode cannot carry, say) keeps its code, status and hint across the thread.
        const error = isStationError(err) ? { code: err.code, message: err.message, status: err.status, ...(err.hint ? { hint: err.hint } : {}) } : { message: err instanceof Error ? err.message : String(err) };
        send({ id: req.id, error, missing: missing() });
      },
    );
  };
}
