// Renders a PDF page to PNG for previews (pdfjs-dist with @napi-rs/canvas): no system tools, nothing from the internet.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { lazy } from '../lib/lazy.js';
import { StationError } from '../errors.js';

const require = createRequire(import.meta.url);
const napiCanvas = lazy<typeof import('@napi-rs/canvas')>('@napi-rs/canvas');
const PDFJS_DIR = dirname(require.resolve('pdfjs-dist/package.json'));

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let pdfjs: Promise<PdfJs> | undefined;

/** PNG of one page (1-based) at `dpi`. */
export async function pdfPageToPng(pdf: Uint8Array, page = 1, dpi = 110): Promise<Uint8Array> {
  const lib = await (pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs'));
  const doc = await lib.getDocument({
    data: new Uint8Array(pdf), // pdfjs takes ownership of the buffer
    // Fonts are embedded in our PDFs; standard fonts come from the package, never from the network.
    standardFontDataUrl: pathToFileURL(join(PDFJS_DIR, 'standard_fonts') + '/').href,
    isEvalSupported: false,
    disableFontFace: true,
    verbosity: 0,
  }).promise;
  try {
    if (page < 1 || page > doc.numPages) throw new StationError('PAGE_NOT_FOUND', `The document has ${doc.numPages} page(s), not page ${page}.`, { status: 404 });
    const p = await doc.getPage(page);
    const viewport = p.getViewport({ scale: dpi / 72 });
    const canvas = napiCanvas().createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    await p.render({ canvas: canvas as never, canvasContext: ctx as never, viewport }).promise;
    return new Uint8Array(await canvas.encode('png'));
  } finally {
    await doc.destroy();
  }
}
