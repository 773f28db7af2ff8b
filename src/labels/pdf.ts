// Draws laid-out labels into a PDF (one page per label) with pdf-lib, embedded DejaVu fonts and vector barcodes.
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, PDFOperator, PDFOperatorNames, degrees, drawText as textOperators, fill, popGraphicsState, pushGraphicsState, rgb, setFillingColor, type PDFFont, type PDFHexString, type PDFImage, type PDFName, type PDFPage } from 'pdf-lib';
import type { LabelFont, Weight } from './fonts.js';
import type { GrayImage } from './images.js';
import { BASELINE, forEachModule, lineStart, rectToLabel, toLabel, type Primitive, type TextBlock } from './layout.js';

const PT_PER_MM = 72 / 25.4;
const BLACK = rgb(0, 0, 0);

export interface PdfLabel {
  primitives: Primitive[];
  size: { widthMm: number; heightMm: number };
}

export interface PdfContext {
  fonts: Record<Weight, LabelFont>;
  images: (src: string) => GrayImage;
  title?: string;
}

export async function labelsToPdf(labels: Iterable<PdfLabel>, ctx: PdfContext): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  doc.setProducer('benchprint');
  doc.setCreator('benchprint');
  if (ctx.title) doc.setTitle(ctx.title);
  const embedded: Partial<Record<Weight, PDFFont>> = {};
  const embed = async (w: Weight) => (embedded[w] ??= await doc.embedFont(ctx.fonts[w].bytes, { subset: true }));
  // Most text repeats from label to label: shape and encode each string once per document.
  const encodedText = new Map<string, PDFHexString>();
  const encode = (f: PDFFont, text: string) => {
    const key = `${f.name}\u0000${text}`;
    let hex = encodedText.get(key);
    if (!hex) {
      hex = f.encodeText(text);
      encodedText.set(key, hex);
    }
    return hex;
  };
  const images = new Map<string, PDFImage>();
  for (const label of labels) {
    const page = doc.addPage([label.size.widthMm * PT_PER_MM, label.size.heightMm * PT_PER_MM]);
    const H = label.size.heightMm;
    const keys = new Map<Weight, PDFName>();
    const font = async (w: Weight): Promise<PageFont> => {
      const f = await embed(w);
      let key = keys.get(w);
      if (!key) {
        key = page.node.newFontDictionary(f.name, f.ref);
        keys.set(w, key);
      }
      return { key, encode: (t) => encode(f, t) };
    };
    for (const p of label.primitives) {
      switch (p.kind) {
        case 'text':
          drawText(page, p, await font(p.weight), ctx.fonts[p.weight], H);
          break;
        case 'barcode': {
          const rects: Array<[number, number, number, number]> = [];
          forEachModule(p, (u, v, du, dv) => {
            const r = rectToLabel(p, u, v, du, dv);
            rects.push([r.x, r.y, r.w, r.h]);
          });
          fillRects(page, rects, H);
          if (p.text) {
            const f = await font('regular');
            const block: TextBlock = { kind: 'text', x: p.x, y: p.y, w: p.w, h: p.h, rotate: p.rotate, lines: [p.text.value], size: p.text.size, lineHeight: p.text.size, weight: 'regular', align: 'center' };
            drawText(page, block, f, ctx.fonts.regular, H, p.symbolH + p.text.size * 0.1);
          }
          break;
        }
        case 'line':
          page.drawLine({ start: { x: p.x1 * PT_PER_MM, y: (H - p.y1) * PT_PER_MM }, end: { x: p.x2 * PT_PER_MM, y: (H - p.y2) * PT_PER_MM }, thickness: p.thickness * PT_PER_MM, color: BLACK });
          break;
        case 'box':
          page.drawRectangle({
            x: (p.x + (p.fill ? 0 : p.thickness / 2)) * PT_PER_MM,
            y: (H - p.y - p.h + (p.fill ? 0 : p.thickness / 2)) * PT_PER_MM,
            width: (p.w - (p.fill ? 0 : p.thickness)) * PT_PER_MM,
            height: (p.h - (p.fill ? 0 : p.thickness)) * PT_PER_MM,
            ...(p.fill ? { color: BLACK } : { borderColor: BLACK, borderWidth: p.thickness * PT_PER_MM }),
          });
          break;
        case 'image': {
          let img = images.get(p.src);
          if (!img) {
            img = await doc.embedPng(ctx.images(p.src).png);
            images.set(p.src, img);
          }
          page.drawImage(img, { x: p.x * PT_PER_MM, y: (H - p.y - p.h) * PT_PER_MM, width: p.w * PT_PER_MM, height: p.h * PT_PER_MM });
          break;
        }
      }
    }
  }
  return doc.save({ useObjectStreams: true });
}

interface PageFont {
  key: PDFName;
  encode(text: string): PDFHexString;
}

function drawText(page: PDFPage, b: TextBlock, font: PageFont, metrics: LabelFont, H: number, firstLineOffset = 0): void {
  b.lines.forEach((line, i) => {
    const width = metrics.width(line) * b.size;
    const u = lineStart(b, width);
    const v = firstLineOffset + i * b.lineHeight + b.size * BASELINE;
    const [x, y] = toLabel(b, u, v);
    page.pushOperators(
      ...textOperators(font.encode(line), {
        x: x * PT_PER_MM,
        y: (H - y) * PT_PER_MM,
        size: b.size * PT_PER_MM,
        font: font.key,
        color: BLACK,
        rotate: degrees(-b.rotate),
        xSkew: degrees(0),
        ySkew: degrees(0),
      }),
    );
  });
}

/** All modules of a barcode as one filled path of rectangles: small to write, exact at any zoom. */
function fillRects(page: PDFPage, rects: Array<[number, number, number, number]>, H: number): void {
  const ops = [pushGraphicsState(), setFillingColor(BLACK)];
  // Plain string operands: a barcode has hundreds of modules, and PDFNumber objects for each cost more than the drawing.
  const num = (v: number) => String(Math.round(v * 1000) / 1000);
  for (const [x, y, w, h] of rects) {
    ops.push(PDFOperator.of(PDFOperatorNames.AppendRectangle, [num(x * PT_PER_MM), num((H - y - h) * PT_PER_MM), num(w * PT_PER_MM), num(h * PT_PER_MM)]));
  }
  ops.push(fill(), popGraphicsState());
  page.pushOperators(...ops);
}
