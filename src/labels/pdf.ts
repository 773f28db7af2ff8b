// Draws laid-out labels into a PDF (one page per label, the label's own size) on the shared PDF canvas.
import { PdfDocument, type PdfPage } from '../pdf/canvas.js';
import type { LabelFont, Weight } from './fonts.js';
import type { GrayImage } from './images.js';
import { turnTaker } from '../lib/yield.js';
import { BASELINE, forEachModuleInModules, lineStart, toLabel, type Primitive, type TextBlock } from './layout.js';

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
  const doc = await PdfDocument.create(ctx.fonts, ctx.title);
  await drawLabels(doc, labels, ctx);
  return doc.save();
}

/** The same PDF, streamed: written out a piece (about 1 MB) at a time to `out` as pages are done; returns its length. */
export async function labelsToPdfStream(labels: Iterable<PdfLabel>, ctx: PdfContext, out: (piece: Uint8Array) => void): Promise<number> {
  const doc = await PdfDocument.create(ctx.fonts, { ...(ctx.title ? { title: ctx.title } : {}), out });
  await drawLabels(doc, labels, ctx);
  return doc.finish();
}

async function drawLabels(doc: PdfDocument, labels: Iterable<PdfLabel>, ctx: PdfContext): Promise<void> {
  const turn = turnTaker(20);
  for (const label of labels) {
    await turn();
    const page = doc.addPage(label.size.widthMm, label.size.heightMm);
    for (const p of label.primitives) {
      switch (p.kind) {
        case 'text':
          await drawBlock(page, p, ctx.fonts[p.weight]);
          break;
        case 'barcode': {
          // Drawn in its own frame, in modules: one module along each of its axes, wherever the label turns it.
          const rects: Array<[number, number, number, number]> = [];
          forEachModuleInModules(p, (u, v, du, dv) => rects.push([u, v, du, dv]));
          const m = p.moduleMm;
          page.fillRectsIn({ origin: toLabel(p, 0, 0), u: toLabel(p, m, 0), v: toLabel(p, 0, m) }, rects);
          if (p.text) {
            const block: TextBlock = { kind: 'text', x: p.x, y: p.y, w: p.w, h: p.h, rotate: p.rotate, lines: [p.text.value], size: p.text.size, lineHeight: p.text.size, weight: 'regular', align: 'center' };
            await drawBlock(page, block, ctx.fonts.regular, p.symbolH + p.text.size * 0.1);
          }
          break;
        }
        case 'line':
          page.line(p.x1, p.y1, p.x2, p.y2, p.thickness);
          break;
        case 'box':
          page.box(p.x, p.y, p.w, p.h, p.thickness, p.fill);
          break;
        case 'image':
          await page.image(ctx.images(p.src).png, p.x, p.y, p.w, p.h);
          break;
      }
    }
  }
}

async function drawBlock(page: PdfPage, b: TextBlock, metrics: LabelFont, firstLineOffset = 0): Promise<void> {
  for (const [i, line] of b.lines.entries()) {
    const u = lineStart(b, metrics.width(line) * b.size);
    const [x, y] = toLabel(b, u, firstLineOffset + i * b.lineHeight + b.size * BASELINE);
    await page.text(line, x, y, b.size, b.weight, b.rotate);
  }
}
