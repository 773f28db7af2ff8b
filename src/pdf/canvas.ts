// The home of pdf-lib drawing (fonts for it are in fonts.ts): a small surface in millimetres (top-left origin) with embedded label fonts.
import { deflateSync } from 'node:zlib';
import type { PDFDocument as PdfLibDocument, PDFFont, PDFPageLeaf, PDFRef } from 'pdf-lib';
import { lazy } from '../lib/lazy.js';
import type { LabelFont, Weight } from '../labels/fonts.js';
import { sharedFontkit, writeSubsetAtOnce } from './fonts.js';

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

const num = (v: number) => String(Math.round(v * 1000) / 1000);
const FILL = { black: '0 g', grey: '0.55 g' };
const STROKE = { black: '0 G', grey: '0.55 G' };

/**
 * One page, drawn in mm from the top-left corner. Drawing appends PDF operators as text, compressed (zlib, native)
 * into a content stream when the next page starts or the document is saved. pdf-lib's own drawing built an object
 * per operator and number, kept until the save, then compressed with a JavaScript deflate: for a 500-tag PDF that
 * was most of the time after the barcodes, and most of the memory.
 */
export class PdfPage {
  private readonly fontKeys = new Map<FontKey, string>();
  private readonly imageKeys = new Map<PDFRef, string>();
  /** Content stream operators, ASCII only (text is hex-encoded glyph ids). */
  readonly ops: string[] = [];

  constructor(
    private readonly doc: PdfDocument,
    readonly node: PDFPageLeaf,
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

  private async run(text: string, key: FontKey, x: number, y: number, size: number, cos: number, sin: number, muted: boolean): Promise<void> {
    const font = await this.doc.font(key);
    let name = this.fontKeys.get(key);
    if (!name) {
      name = this.node.newFontDictionary(font.name, font.ref).toString();
      this.fontKeys.set(key, name);
    }
    const matrix = `${num(cos)} ${num(sin)} ${num(-sin)} ${num(cos)} ${this.x(x)} ${this.y(y)}`;
    this.ops.push(`BT ${name} ${num(size * PT_PER_MM)} Tf ${muted ? FILL.grey : FILL.black} ${matrix} Tm ${this.doc.encode(font, text)} Tj ET\n`);
  }

  /** Fills rectangles [x, y, w, h] (mm, top-left) as one path: barcodes, filled boxes. */
  fillRects(rects: Iterable<readonly [number, number, number, number]>): void {
    let path = `q ${FILL.black}\n`;
    for (const [x, y, w, h] of rects) path += `${this.x(x)} ${this.y(y + h)} ${this.x(w)} ${this.x(h)} re\n`;
    this.ops.push(`${path}f Q\n`);
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
   * Compresses what was drawn so far into a content stream of the page. Called when the next page starts, so a
   * 1,000-label PDF holds compressed pages, not their operators; drawing on the page later (footers) adds a stream.
   */
  seal(): void {
    if (this.ops.length === 0) return;
    const ctx = this.node.context;
    // A copy of the right size: zlib's result is a view of its 4 KiB output buffer, kept alive with it.
    const content = new Uint8Array(deflateSync(Buffer.from(this.ops.join(''), 'latin1'), SMALL_STREAM));
    this.ops.length = 0;
    this.node.addContentStream(ctx.register(ctx.stream(content, { Filter: 'FlateDecode' })));
  }

  async image(png: Uint8Array, x: number, y: number, w: number, h: number): Promise<void> {
    const ref = this.doc.png(png);
    let key = this.imageKeys.get(ref);
    if (!key) {
      key = this.node.newXObject('Image', ref).toString();
      this.imageKeys.set(ref, key);
    }
    this.ops.push(`q ${this.x(w)} 0 0 ${this.x(h)} ${this.x(x)} ${this.y(y + h)} cm ${key} Do Q\n`);
  }
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

/** A PDF being written: fonts embedded once (subset), text shaped once per distinct string. */
export class PdfDocument {
  private readonly embedded = new Map<FontKey, PDFFont>();
  private readonly encoded = new Map<string, string>();
  private readonly images = new Map<Uint8Array, PDFRef>();
  private pages: PdfPage[] = [];

  private constructor(
    private readonly doc: PdfLibDocument,
    readonly fonts: Record<Weight, LabelFont>,
  ) {}

  static async create(fonts: Record<Weight, LabelFont>, title?: string): Promise<PdfDocument> {
    const doc = await pdfLib().PDFDocument.create();
    // Fonts, their Unicode maps and images are compressed by pdf-lib with a JavaScript deflate: use zlib's instead.
    doc.context.flateStream = (contents, dict = {}) =>
      doc.context.stream(deflateSync(typeof contents === 'string' ? Buffer.from(contents, 'latin1') : contents), { ...dict, Filter: 'FlateDecode' });
    doc.registerFontkit(sharedFontkit());
    doc.setProducer('benchprint');
    doc.setCreator('benchprint');
    if (title) doc.setTitle(title);
    return new PdfDocument(doc, fonts);
  }

  /**
   * Appends a page. pdf-lib's addPage walks the page tree from the start for every insert (quadratic in pages, a
   * tenth of a 500-tag PDF's time); pages only ever go at the end here, so they are pushed onto the tree directly.
   */
  addPage(widthMm: number, heightMm: number): PdfPage {
    const { PDFPageLeaf, PDFName } = pdfLib();
    const ctx = this.doc.context;
    const tree = this.doc.catalog.Pages();
    const leaf = PDFPageLeaf.withContextAndParent(ctx, this.doc.catalog.get(PDFName.of('Pages')) as PDFRef);
    leaf.set(PDFName.MediaBox, ctx.obj([0, 0, widthMm * PT_PER_MM, heightMm * PT_PER_MM]));
    tree.pushLeafNode(ctx.register(leaf));
    this.pages.at(-1)?.seal();
    const page = new PdfPage(this, leaf, widthMm, heightMm);
    this.pages.push(page);
    return page;
  }

  get pageList(): readonly PdfPage[] {
    return this.pages;
  }

  async font(key: FontKey): Promise<PDFFont> {
    let font = this.embedded.get(key);
    if (!font) {
      const bytes = key === 'regular' || key === 'bold' ? this.fonts[key].bytes : this.fonts.regular.fallbacks()[Number(key.slice(9)) - 1]!.bytes;
      font = await this.doc.embedFont(bytes, { subset: true });
      writeSubsetAtOnce(font);
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
      this.encoded.set(key, hex);
    }
    return hex;
  }

  /** The image XObject for a PNG, once per document. */
  png(bytes: Uint8Array): PDFRef {
    let ref = this.images.get(bytes);
    if (!ref) {
      const img = prepareImage(bytes);
      const ctx = this.doc.context;
      const common = { Type: 'XObject', Subtype: 'Image', Width: img.width, Height: img.height, BitsPerComponent: 8, Filter: 'FlateDecode' };
      const smask = img.alpha ? ctx.register(ctx.stream(img.alpha, { ...common, ColorSpace: 'DeviceGray' })) : undefined;
      ref = ctx.register(ctx.stream(img.rgb, { ...common, ColorSpace: 'DeviceRGB', ...(smask ? { SMask: smask } : {}) }));
      this.images.set(bytes, ref);
    }
    return ref;
  }

  async save(): Promise<Uint8Array> {
    for (const page of this.pages) page.seal();
    // pdf-lib would otherwise wait a timer tick every 50 objects (~1 ms each: 30 ms for 500 tags), add an empty form,
    // and add a page to an empty document.
    return this.doc.save({ useObjectStreams: false, objectsPerTick: Number.POSITIVE_INFINITY, updateFieldAppearances: false, addDefaultPage: false });
  }
}
