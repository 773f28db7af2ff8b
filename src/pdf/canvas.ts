// The home of pdf-lib drawing (fonts for it are in fonts.ts): a small surface in millimetres (top-left origin) with embedded label fonts.
import { deflateSync } from 'node:zlib';
import type { PDFDocument as PdfLibDocument, PDFFont, PDFRef } from 'pdf-lib';
import { lazy } from '../lib/lazy.js';
import type { LabelFont, Weight } from '../labels/fonts.js';
import { sharedFontkit, writeSubsetAtOnce } from './fonts.js';
import { PdfBytes } from './pdf-bytes.js';

// Loaded on first use: pdf-lib and fontkit are most of what a station loads, and many benches print ZPL only.
const pdfLib = lazy<typeof import('pdf-lib')>('pdf-lib');
const pngjs = lazy<typeof import('pngjs')>('pngjs');

export const PT_PER_MM = 72 / 25.4;

/** The label weights, or fallback font i (1-based) for characters they lack. */
type FontKey = Weight | `fallback-${number}`;

/** Text the label fonts surely draw themselves (DejaVu covers all of Latin): no need to look for a fallback. */
const PRIMARY_ONLY = /^[\x20-\x7e\u00a0-\u024f]*$/;

/**
 * A page's content is a few kilobytes of repetitive operators: zlib's fastest level compresses it almost as well, a
 * small window and hash table make its setup cheap, and a 4 KiB output buffer (instead of 16) is allocated faster:
 * ~24 us a page instead of ~60.
 */
const SMALL_STREAM = { level: 1, windowBits: 12, memLevel: 5, chunkSize: 4096 } as const;

/**
 * Content under this many bytes is written as it is. A tag's page, its fixed parts drawn by name (forms), is ~500
 * bytes of its serial's barcodes and text, which zlib halves at the cost of a stream set up and torn down per page,
 * a quarter of the time spent drawing a batch of tags: without it 500 hose tags drew at 6,500-7,900 tags/s instead of
 * 4,900-6,100 (three alternating runs) and take 495 KB instead of 370 (670 before barcodes were image masks and the
 * fixed parts forms). Datasheets' pages, kilobytes of text and tables, are compressed as before.
 */
const COMPRESS_FROM = 1024;

const num = (v: number) => String(Math.round(v * 1000) / 1000);
const FILL = { black: '0 g', grey: '0.55 g' };
const STROKE = { black: '0 G', grey: '0.55 G' };

/**
 * One page, drawn in mm from the top-left corner. Drawing appends PDF operators as text, compressed (zlib, native)
 * into a content stream when the next page starts or the document is saved. pdf-lib's own drawing built an object
 * per operator and number, kept until the save, then compressed with a JavaScript deflate: for a 500-tag PDF that
 * was most of the time after the barcodes, and most of the memory. The page object itself is written by the document
 * (see PdfDocument), not kept as pdf-lib objects.
 */
/** What one drawing wrote on a page (see PdfPage.capture): its operators and the resources they name. */
export interface PdfFragment {
  ops: string;
  fonts: ReadonlyMap<string, number>;
  xobjects: ReadonlyMap<string, number>;
}

export class PdfPage {
  /** Resources the page uses: name (F1; Im1 an image, Fx1 a form) to object number. */
  readonly fonts = new Map<string, number>();
  readonly xobjects = new Map<string, number>();
  /** While capturing: the resources drawn with. */
  private capturing: { fonts: Map<string, number>; xobjects: Map<string, number> } | undefined;
  /** Content streams, in drawing order: compressed, or (a few hundred bytes) as they are. */
  readonly contents: Array<{ bytes: Uint8Array; deflated: boolean }> = [];
  /** Content stream operators not compressed yet, ASCII only (text is hex-encoded glyph ids). */
  readonly ops: string[] = [];

  constructor(
    private readonly doc: PdfDocument,
    /** The page's object number. */
    readonly number: number,
    readonly widthMm: number,
    readonly heightMm: number,
  ) {}

  private x(mm: number): string {
    return num(mm * PT_PER_MM);
  }

  /** PDF y of a point `mm` from the top. */
  private y(mm: number): string {
    return num((this.heightMm - mm) * PT_PER_MM);
  }

  /**
   * Draws one line of text; (x, y) is the start of its baseline, rotation clockwise in degrees. Characters the label
   * font lacks are drawn in runs with the fallback font that has them.
   */
  async text(line: string, x: number, y: number, size: number, weight: Weight = 'regular', rotate = 0, muted = false): Promise<void> {
    const a = (-rotate * Math.PI) / 180;
    const [cos, sin] = rotate === 0 ? [1, 0] : [Math.cos(a), Math.sin(a)];
    if (PRIMARY_ONLY.test(line)) return this.run(line, weight, x, y, size, cos, sin, muted);
    const metrics = this.doc.fonts[weight];
    let offset = 0;
    for (const { text, owner } of runs(line, metrics)) {
      // Along the (clockwise-rotated) baseline: y grows downwards on the label.
      await this.run(text, owner > 0 ? `fallback-${owner}` : weight, x + cos * offset, y - sin * offset, size, cos, sin, muted);
      offset += metrics.width(text) * size;
    }
  }

  /**
   * Draws and keeps what the drawing wrote, to be replayed on other pages of this document (pages of the same size:
   * positions are in page points).
   */
  async capture(draw: () => Promise<void>): Promise<PdfFragment> {
    const start = this.ops.length;
    const used = (this.capturing = { fonts: new Map<string, number>(), xobjects: new Map<string, number>() });
    try {
      await draw();
    } finally {
      this.capturing = undefined;
    }
    return { ops: this.ops.slice(start).join(''), ...used };
  }

  /**
   * Draws a captured drawing again, here: met a second time, it becomes a form of the document (written once, drawn
   * by name), so each page that shows it carries a few bytes instead of its operators to compress again.
   */
  replay(fragment: PdfFragment): void {
    if (!fragment.ops) return;
    const form = this.doc.form(fragment, this.widthMm, this.heightMm);
    this.xobjects.set(form.name, form.number);
    this.ops.push(`/${form.name} Do\n`);
  }

  private async run(text: string, key: FontKey, x: number, y: number, size: number, cos: number, sin: number, muted: boolean): Promise<void> {
    const { font, name } = await this.doc.font(key);
    this.fonts.set(name, font.ref.objectNumber);
    this.capturing?.fonts.set(name, font.ref.objectNumber);
    const matrix = `${num(cos)} ${num(sin)} ${num(-sin)} ${num(cos)} ${this.x(x)} ${this.y(y)}`;
    this.ops.push(`BT /${name} ${num(size * PT_PER_MM)} Tf ${muted ? FILL.grey : FILL.black} ${matrix} Tm ${this.doc.encode(font, text)} Tj ET\n`);
  }

  /** Fills rectangles [x, y, w, h] (mm, top-left) as one path: barcodes, filled boxes. */
  fillRects(rects: Iterable<readonly [number, number, number, number]>): void {
    let path = `q ${FILL.black}\n`;
    for (const [x, y, w, h] of rects) path += `${this.x(x)} ${this.y(y + h)} ${this.x(w)} ${this.x(h)} re\n`;
    this.ops.push(`${path}f Q\n`);
  }

  /**
   * Paints a bitmap (rows of whole bytes, most significant bit first, 1 dark) in black into the parallelogram whose
   * top-left, top-right and bottom-left corners land at `topLeft`, `topRight` and `bottomLeft` (mm, on the label):
   * a barcode as one small image mask instead of a rectangle per bar or run of cells. Each module is one sample, so a
   * printer's rasteriser fills whole dots with no grey edge (the rectangles came out with antialiased edges off the
   * dot grid), and a tag's content is a third of what the rectangles wrote, to build and to compress. The samples are
   * written in hex: an inline image of binary data can hold bytes a reader mistakes for its end.
   */
  fillMask(corners: { topLeft: readonly [number, number]; topRight: readonly [number, number]; bottomLeft: readonly [number, number] }, cols: number, rows: number, bits: Uint8Array): void {
    const k = PT_PER_MM;
    const at = ([x, y]: readonly [number, number]) => [k * x, k * (this.heightMm - y)] as const;
    const [tlx, tly] = at(corners.topLeft);
    const [trx, try_] = at(corners.topRight);
    const [blx, bly] = at(corners.bottomLeft);
    // An image fills the unit square, its first row at the top: (0,0) is the bottom-left corner, (1,1) the top-right.
    const matrix = [trx - tlx, try_ - tly, tlx - blx, tly - bly, blx, bly].map(num).join(' ');
    this.ops.push(`q ${FILL.black} ${matrix} cm BI /IM true /W ${cols} /H ${rows} /BPC 1 /D [1 0] /F /AHx ID ${Buffer.from(bits.buffer, bits.byteOffset, bits.byteLength).toString('hex')}> EI Q\n`);
  }

  line(x1: number, y1: number, x2: number, y2: number, thickness: number, muted = false): void {
    this.ops.push(`q ${muted ? STROKE.grey : STROKE.black} ${this.x(thickness)} w ${this.x(x1)} ${this.y(y1)} m ${this.x(x2)} ${this.y(y2)} l S Q\n`);
  }

  box(x: number, y: number, w: number, h: number, thickness: number, filled = false): void {
    if (filled) return this.fillRects([[x, y, w, h]]);
    const inset = thickness / 2;
    this.ops.push(`q ${STROKE.black} ${this.x(thickness)} w ${this.x(x + inset)} ${this.y(y + h - inset)} ${this.x(w - thickness)} ${this.x(h - thickness)} re S Q\n`);
  }

  /**
   * Makes what was drawn so far a content stream of the page. Called when the next page starts, so a 1,000-label PDF
   * holds finished pages, not their operators; drawing on the page later (footers) adds a stream.
   */
  seal(): void {
    if (this.ops.length === 0) return;
    const text = Buffer.from(this.ops.join(''), 'latin1');
    this.ops.length = 0;
    if (text.length < COMPRESS_FROM) {
      this.contents.push({ bytes: text, deflated: false });
      return;
    }
    // A copy of the right size: zlib's result is a view of its 4 KiB output buffer, kept alive with it.
    this.contents.push({ bytes: new Uint8Array(deflateSync(text, SMALL_STREAM)), deflated: true });
  }

  async image(png: Uint8Array, x: number, y: number, w: number, h: number): Promise<void> {
    const { ref, name } = this.doc.png(png);
    this.xobjects.set(name, ref.objectNumber);
    this.capturing?.xobjects.set(name, ref.objectNumber);
    this.ops.push(`q ${this.x(w)} 0 0 ${this.x(h)} ${this.x(x)} ${this.y(y + h)} cm /${name} Do Q\n`);
  }
}

/** A page's or a form's resource dictionary: its fonts, and its images and forms (both XObjects). */
function resourcesOf(r: { fonts: ReadonlyMap<string, number>; xobjects: ReadonlyMap<string, number> }): string {
  const dict = (m: ReadonlyMap<string, number>) => [...m].map(([name, n]) => `/${name} ${n} 0 R`).join(' ');
  return [r.fonts.size ? `/Font << ${dict(r.fonts)} >>` : '', r.xobjects.size ? `/XObject << ${dict(r.xobjects)} >>` : ''].filter(Boolean).join(' ');
}

/** A line cut into runs of characters drawn by the same font (0: the label font, i: fallback i). */
function runs(line: string, metrics: LabelFont): Array<{ text: string; owner: number }> {
  const out: Array<{ text: string; owner: number }> = [];
  for (const ch of line) {
    const owner = Math.max(0, metrics.fontFor(ch.codePointAt(0)!));
    const last = out.at(-1);
    if (last && last.owner === owner) last.text += ch;
    else out.push({ text: ch, owner });
  }
  return out;
}

/** A PNG decoded and compressed once, embedded into every document that draws it. */
interface PreparedImage {
  width: number;
  height: number;
  rgb: Uint8Array;
  /** Present when any pixel is not fully opaque. */
  alpha?: Uint8Array;
}
const preparedImages = new WeakMap<Uint8Array, PreparedImage>();

function prepareImage(png: Uint8Array): PreparedImage {
  let img = preparedImages.get(png);
  if (!img) {
    const decoded = pngjs().PNG.sync.read(Buffer.from(png.buffer, png.byteOffset, png.byteLength));
    const pixels = decoded.width * decoded.height;
    const rgb = Buffer.alloc(pixels * 3);
    const alpha = Buffer.alloc(pixels);
    let translucent = false;
    for (let i = 0; i < pixels; i++) {
      rgb[i * 3] = decoded.data[i * 4]!;
      rgb[i * 3 + 1] = decoded.data[i * 4 + 1]!;
      rgb[i * 3 + 2] = decoded.data[i * 4 + 2]!;
      alpha[i] = decoded.data[i * 4 + 3]!;
      if (alpha[i] !== 255) translucent = true;
    }
    img = { width: decoded.width, height: decoded.height, rgb: deflateSync(rgb), ...(translucent ? { alpha: deflateSync(alpha) } : {}) };
    preparedImages.set(png, img);
  }
  return img;
}

/** Distinct strings whose glyphs are kept per document (more than a label's fixed text, fewer than 10,000 serials). */
const ENCODED_LIMIT = 2048;

export interface PdfDocumentOptions {
  title?: string;
  /**
   * Streams the document: each page is written out when the next one starts, in pieces of about 1 MB handed here,
   * so a 10,000-label PDF is never held whole (pdf-lib kept every page as objects until the save: ~15 KB a page).
   * Finished pages cannot be drawn on again; finish() writes the rest.
   */
  out?: (piece: Uint8Array) => void;
}

/**
 * A PDF being written: fonts embedded once (subset), text shaped once per distinct string. Pages and their content
 * are written here as text; pdf-lib makes the fonts (subsets, widths, Unicode maps), the images, the catalog and the
 * document information, written after the pages.
 */
export class PdfDocument {
  private readonly embedded = new Map<FontKey, { font: PDFFont; name: string }>();
  private readonly encoded = new Map<string, string>();
  private readonly images = new Map<Uint8Array, { ref: PDFRef; name: string }>();
  /** Drawings met again, as forms (WeakMap: a fragment dropped by the label drawing goes with its entry). */
  private readonly forms = new WeakMap<PdfFragment, { name: string; number: number }>();
  private formCount = 0;
  /** Pages not written yet (streaming: only the one being drawn). */
  private pages: PdfPage[] = [];
  private readonly pageNumbers: number[] = [];
  private readonly bytes: PdfBytes;
  private readonly pagesRef: PDFRef;

  private constructor(
    private readonly doc: PdfLibDocument,
    readonly fonts: Record<Weight, LabelFont>,
    private readonly streaming: boolean,
    out?: (piece: Uint8Array) => void,
  ) {
    this.bytes = new PdfBytes(out);
    // The header, and a comment of high bytes that tells readers the file is binary.
    this.bytes.raw(Buffer.from('%PDF-1.7\n%\u0081\u0081\u0081\u0081\n\n', 'latin1'));
    this.pagesRef = doc.catalog.get(pdfLib().PDFName.of('Pages')) as PDFRef;
  }

  static async create(fonts: Record<Weight, LabelFont>, titleOrOptions?: string | PdfDocumentOptions): Promise<PdfDocument> {
    const o = typeof titleOrOptions === 'string' ? { title: titleOrOptions } : (titleOrOptions ?? {});
    const doc = await pdfLib().PDFDocument.create();
    // Fonts, their Unicode maps and images are compressed by pdf-lib with a JavaScript deflate: use zlib's instead.
    doc.context.flateStream = (contents, dict = {}) =>
      doc.context.stream(deflateSync(typeof contents === 'string' ? Buffer.from(contents, 'latin1') : contents), { ...dict, Filter: 'FlateDecode' });
    doc.registerFontkit(sharedFontkit());
    doc.setProducer('benchprint');
    doc.setCreator('benchprint');
    if (o.title) doc.setTitle(o.title);
    return new PdfDocument(doc, fonts, o.out !== undefined, o.out);
  }

  /** A new object number (counted with pdf-lib's, so the fonts it makes later never take one of ours). */
  private nextNumber(): number {
    return ++this.doc.context.largestObjectNumber;
  }

  /** Appends a page; streaming, the page before is written out. */
  addPage(widthMm: number, heightMm: number): PdfPage {
    const last = this.pages.at(-1);
    if (last) {
      last.seal();
      if (this.streaming) {
        this.writePage(last);
        this.pages = [];
      }
    }
    const page = new PdfPage(this, this.nextNumber(), widthMm, heightMm);
    this.pageNumbers.push(page.number);
    this.pages.push(page);
    return page;
  }

  /** The pages that can still be drawn on: all of them, or streaming, the last. */
  get pageList(): readonly PdfPage[] {
    return this.pages;
  }

  async font(key: FontKey): Promise<{ font: PDFFont; name: string }> {
    let font = this.embedded.get(key);
    if (!font) {
      const bytes = key === 'regular' || key === 'bold' ? this.fonts[key].bytes : this.fonts.regular.fallbacks()[Number(key.slice(9)) - 1]!.bytes;
      const embedded = await this.doc.embedFont(bytes, { subset: true });
      writeSubsetAtOnce(embedded);
      font = { font: embedded, name: `F${this.embedded.size + 1}` };
      this.embedded.set(key, font);
    }
    return font;
  }

  /** The text as a hex string of glyph ids in the embedded (subset) font. */
  encode(font: PDFFont, text: string): string {
    const key = `${font.name}\u0000${text}`;
    let hex = this.encoded.get(key);
    if (hex === undefined) {
      hex = font.encodeText(text).toString();
      // What labels share is met again at once; serials never are: a long run of them must not pile up here.
      if (this.encoded.size >= ENCODED_LIMIT) this.encoded.clear();
      this.encoded.set(key, hex);
    }
    return hex;
  }

  /** A captured drawing as a form XObject (page coordinates, so for pages of this size), written once. */
  form(fragment: PdfFragment, widthMm: number, heightMm: number): { name: string; number: number } {
    let form = this.forms.get(fragment);
    if (!form) {
      form = { name: `Fx${++this.formCount}`, number: this.nextNumber() };
      const content = deflateSync(Buffer.from(fragment.ops, 'latin1'), SMALL_STREAM);
      const box = [0, 0, widthMm * PT_PER_MM, heightMm * PT_PER_MM].map(num).join(' ');
      this.bytes.object(form.number, `<< /Type /XObject /Subtype /Form /BBox [${box}] /Resources << ${resourcesOf(fragment)} >> /Length ${content.length} /Filter /FlateDecode >>\nstream\n`, content, '\nendstream');
      this.forms.set(fragment, form);
    }
    return form;
  }

  /** The image XObject for a PNG, once per document. */
  png(bytes: Uint8Array): { ref: PDFRef; name: string } {
    let image = this.images.get(bytes);
    if (!image) {
      const img = prepareImage(bytes);
      const ctx = this.doc.context;
      const common = { Type: 'XObject', Subtype: 'Image', Width: img.width, Height: img.height, BitsPerComponent: 8, Filter: 'FlateDecode' };
      const smask = img.alpha ? ctx.register(ctx.stream(img.alpha, { ...common, ColorSpace: 'DeviceGray' })) : undefined;
      image = { ref: ctx.register(ctx.stream(img.rgb, { ...common, ColorSpace: 'DeviceRGB', ...(smask ? { SMask: smask } : {}) })), name: `Im${this.images.size + 1}` };
      this.images.set(bytes, image);
    }
    return image;
  }

  private writePage(page: PdfPage): void {
    const contents = page.contents.map(({ bytes, deflated }) => {
      const number = this.nextNumber();
      this.bytes.object(number, `<< /Length ${bytes.length}${deflated ? ' /Filter /FlateDecode' : ''} >>\nstream\n`, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), '\nendstream');
      return `${number} 0 R`;
    });
    const resources = resourcesOf(page);
    const box = [0, 0, page.widthMm * PT_PER_MM, page.heightMm * PT_PER_MM].map(num).join(' ');
    this.bytes.object(page.number, `<< /Type /Page /Parent ${this.pagesRef.objectNumber} 0 R /MediaBox [${box}] /Resources << ${resources} >> /Contents [${contents.join(' ')}] >>`);
  }

  /**
   * Writes what is left: the pages not written yet, the page tree, the fonts (subset to the glyphs used), images,
   * catalog and information, the cross-reference table and trailer. Returns the whole PDF, or streaming, hands the
   * rest to `out` and returns its length.
   */
  async finish(): Promise<number> {
    for (const page of this.pages) {
      page.seal();
      this.writePage(page);
    }
    this.pages = [];
    const ctx = this.doc.context;
    await this.doc.flush(); // the fonts' subsets and widths, now that every glyph is known
    ctx.delete(this.pagesRef);
    this.bytes.object(this.pagesRef.objectNumber, `<< /Type /Pages /Kids [${this.pageNumbers.map((n) => `${n} 0 R`).join(' ')}] /Count ${this.pageNumbers.length} >>`);
    for (const [ref, object] of ctx.enumerateIndirectObjects()) {
      const body = Buffer.alloc(object.sizeInBytes());
      object.copyBytesInto(body, 0);
      this.bytes.object(ref.objectNumber, body);
    }
    this.bytes.end(ctx.largestObjectNumber + 1, String(ctx.trailerInfo.Root), ctx.trailerInfo.Info ? String(ctx.trailerInfo.Info) : undefined);
    if (this.streaming) this.bytes.flush();
    return this.bytes.length;
  }

  /** The whole document (not streaming). */
  async save(): Promise<Uint8Array> {
    if (this.streaming) throw new Error('a streamed PDF is finished with finish(), its bytes went to out');
    await this.finish();
    return new Uint8Array(this.bytes.flush());
  }
}
