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
  private readonly fontKeys = new Map<Weight, string>();
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

  /** Draws one line of text; (x, y) is the start of its baseline, rotation clockwise in degrees. */
  async text(line: string, x: number, y: number, size: number, weight: Weight = 'regular', rotate = 0, muted = false): Promise<void> {
    const font = await this.doc.font(weight);
    let key = this.fontKeys.get(weight);
    if (!key) {
      key = this.node.newFontDictionary(font.name, font.ref).toString();
      this.fontKeys.set(weight, key);
    }
    const a = (-rotate * Math.PI) / 180;
    const [cos, sin] = rotate === 0 ? [1, 0] : [Math.cos(a), Math.sin(a)];
    const matrix = `${num(cos)} ${num(sin)} ${num(-sin)} ${num(cos)} ${this.x(x)} ${this.y(y)}`;
    this.ops.push(`BT ${key} ${num(size * PT_PER_MM)} Tf ${muted ? FILL.grey : FILL.black} ${matrix} Tm ${this.doc.encode(font, line)} Tj ET\n`);
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
  private readonly embedded: Partial<Record<Weight, PDFFont>> = {};
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

  async font(weight: Weight): Promise<PDFFont> {
    let font = this.embedded[weight];
    if (!font) {
      font = await this.doc.embedFont(this.fonts[weight].bytes, { subset: true });
      writeSubsetAtOnce(font);
      this.embedded[weight] = font;
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
