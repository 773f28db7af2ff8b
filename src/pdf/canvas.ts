// The only home of pdf-lib: a small drawing surface in millimetres (top-left origin) with embedded label fonts.
import type { PDFDocument as PdfLibDocument, PDFFont, PDFHexString, PDFImage, PDFName, PDFPage } from 'pdf-lib';
import { lazy } from '../lib/lazy.js';
import type { LabelFont, Weight } from '../labels/fonts.js';

// Loaded on first use: pdf-lib and fontkit are most of what a station loads, and many benches print ZPL only.
const pdfLib = lazy<typeof import('pdf-lib')>('pdf-lib');
const fontkit = lazy<typeof import('@pdf-lib/fontkit')>('@pdf-lib/fontkit');

export const PT_PER_MM = 72 / 25.4;

/**
 * pdf-lib parses a font anew for every document, and shaping text then decodes the font's layout tables again each
 * time (most of a datasheet's cost). The parsed font is read-only, so one per font file serves every document.
 */
const parsedFonts = new WeakMap<Uint8Array, ReturnType<ReturnType<typeof fontkit>['create']>>();
const sharedFontkit = () => ({
  ...fontkit(),
  create(bytes: Uint8Array, postscriptName?: string) {
    let font = parsedFonts.get(bytes);
    if (!font) {
      font = fontkit().create(bytes, postscriptName);
      // Shaping the same string gives the same glyph run: remember runs across documents (headers, column titles).
      const layout = font.layout.bind(font);
      const runs = new Map<string, ReturnType<typeof layout>>();
      font.layout = (text: string, features?: Parameters<typeof layout>[1]) => {
        const key = features ? `${JSON.stringify(features)}\u0000${text}` : text;
        let run = runs.get(key);
        if (!run) {
          run = layout(text, features);
          if (runs.size > 20_000) runs.clear();
          runs.set(key, run);
        }
        return run;
      };
      parsedFonts.set(bytes, font);
    }
    return font;
  },
});
const black = () => pdfLib().rgb(0, 0, 0);
const grey = () => pdfLib().rgb(0.55, 0.55, 0.55);

export interface Fonts {
  metrics: Record<Weight, LabelFont>;
}

/** One page, drawn in mm from the top-left corner. */
export class PdfPage {
  private readonly keys = new Map<Weight, PDFName>();

  constructor(
    private readonly doc: PdfDocument,
    readonly page: PDFPage,
    readonly widthMm: number,
    readonly heightMm: number,
  ) {}

  /** Draws one line of text; (x, y) is the start of its baseline, rotation clockwise in degrees. */
  async text(line: string, x: number, y: number, size: number, weight: Weight = 'regular', rotate = 0, muted = false): Promise<void> {
    const font = await this.doc.font(weight);
    let key = this.keys.get(weight);
    if (!key) {
      key = this.page.node.newFontDictionary(font.name, font.ref);
      this.keys.set(weight, key);
    }
    const { drawText, degrees } = pdfLib();
    this.page.pushOperators(
      ...drawText(this.doc.encode(font, line), {
        x: x * PT_PER_MM,
        y: (this.heightMm - y) * PT_PER_MM,
        size: size * PT_PER_MM,
        font: key,
        color: muted ? grey() : black(),
        rotate: degrees(-rotate),
        xSkew: degrees(0),
        ySkew: degrees(0),
      }),
    );
  }

  /** Fills rectangles [x, y, w, h] (mm, top-left) as one path: barcodes, filled boxes. */
  fillRects(rects: Iterable<readonly [number, number, number, number]>): void {
    const { PDFOperator, PDFOperatorNames, fill, popGraphicsState, pushGraphicsState, setFillingColor } = pdfLib();
    const ops = [pushGraphicsState(), setFillingColor(black())];
    // String operands: a barcode has hundreds of modules, and a PDFNumber object for each costs more than drawing it.
    const num = (v: number) => String(Math.round(v * 1000) / 1000);
    for (const [x, y, w, h] of rects) {
      ops.push(PDFOperator.of(PDFOperatorNames.AppendRectangle, [num(x * PT_PER_MM), num((this.heightMm - y - h) * PT_PER_MM), num(w * PT_PER_MM), num(h * PT_PER_MM)]));
    }
    ops.push(fill(), popGraphicsState());
    this.page.pushOperators(...ops);
  }

  line(x1: number, y1: number, x2: number, y2: number, thickness: number, muted = false): void {
    this.page.drawLine({
      start: { x: x1 * PT_PER_MM, y: (this.heightMm - y1) * PT_PER_MM },
      end: { x: x2 * PT_PER_MM, y: (this.heightMm - y2) * PT_PER_MM },
      thickness: thickness * PT_PER_MM,
      color: muted ? grey() : black(),
    });
  }

  box(x: number, y: number, w: number, h: number, thickness: number, filled = false): void {
    if (filled) return this.fillRects([[x, y, w, h]]);
    const inset = thickness / 2;
    this.page.drawRectangle({
      x: (x + inset) * PT_PER_MM,
      y: (this.heightMm - y - h + inset) * PT_PER_MM,
      width: (w - thickness) * PT_PER_MM,
      height: (h - thickness) * PT_PER_MM,
      borderColor: black(),
      borderWidth: thickness * PT_PER_MM,
    });
  }

  async image(png: Uint8Array, x: number, y: number, w: number, h: number): Promise<void> {
    const img = await this.doc.png(png);
    this.page.drawImage(img, { x: x * PT_PER_MM, y: (this.heightMm - y - h) * PT_PER_MM, width: w * PT_PER_MM, height: h * PT_PER_MM });
  }
}

/** A PDF being written: fonts embedded once (subset), text shaped once per distinct string. */
export class PdfDocument {
  private readonly embedded: Partial<Record<Weight, PDFFont>> = {};
  private readonly encoded = new Map<string, PDFHexString>();
  private readonly images = new Map<Uint8Array, PDFImage>();
  private pages: PdfPage[] = [];

  private constructor(
    private readonly doc: PdfLibDocument,
    readonly fonts: Record<Weight, LabelFont>,
  ) {}

  static async create(fonts: Record<Weight, LabelFont>, title?: string): Promise<PdfDocument> {
    const doc = await pdfLib().PDFDocument.create();
    doc.registerFontkit(sharedFontkit());
    doc.setProducer('benchprint');
    doc.setCreator('benchprint');
    if (title) doc.setTitle(title);
    return new PdfDocument(doc, fonts);
  }

  addPage(widthMm: number, heightMm: number): PdfPage {
    const page = new PdfPage(this, this.doc.addPage([widthMm * PT_PER_MM, heightMm * PT_PER_MM]), widthMm, heightMm);
    this.pages.push(page);
    return page;
  }

  get pageList(): readonly PdfPage[] {
    return this.pages;
  }

  async font(weight: Weight): Promise<PDFFont> {
    return (this.embedded[weight] ??= await this.doc.embedFont(this.fonts[weight].bytes, { subset: true }));
  }

  encode(font: PDFFont, text: string): PDFHexString {
    const key = `${font.name}\u0000${text}`;
    let hex = this.encoded.get(key);
    if (!hex) {
      hex = font.encodeText(text);
      this.encoded.set(key, hex);
    }
    return hex;
  }

  async png(bytes: Uint8Array): Promise<PDFImage> {
    let img = this.images.get(bytes);
    if (!img) {
      img = await this.doc.embedPng(bytes);
      this.images.set(bytes, img);
    }
    return img;
  }

  save(): Promise<Uint8Array> {
    return this.doc.save({ useObjectStreams: true });
  }
}
