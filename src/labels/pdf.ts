// Draws a layout template's labels into a PDF (one page per label, the label's own size) on the shared PDF canvas.
import { PdfDocument, type PdfFragment, type PdfPage } from '../pdf/canvas.js';
import type { LabelFont, Weight } from './fonts.js';
import type { GrayImage } from './images.js';
import { turnTaker } from '../lib/yield.js';
import { BASELINE, boundValue, layoutBound, lineStart, moduleBitmap, toLabel, type CompiledLayout, type Primitive, type TextBlock } from './layout.js';

export interface PdfContext {
  fonts: Record<Weight, LabelFont>;
  images: (src: string) => GrayImage;
  title?: string;
}

/** Distinct values whose drawing is kept per element: a batch's shared fields, not a long run of serials. */
const FRAGMENT_LIMIT = 256;
/** Labels an element is kept for before it counts as one that changes on every label. */
const KEEP_TRIAL = 16;

/** A layout's labels, one page each, for these data. */
export async function labelsToPdf(layout: CompiledLayout, data: readonly unknown[], dpmm: number, ctx: PdfContext): Promise<Uint8Array> {
  const doc = await PdfDocument.create(ctx.fonts, ctx.title);
  await drawLabels(doc, layout, data, dpmm, ctx);
  return doc.save();
}

/** The same PDF, streamed: written out a piece (about 1 MB) at a time to `out` as pages are done; returns its length. */
export async function labelsToPdfStream(layout: CompiledLayout, data: readonly unknown[], dpmm: number, ctx: PdfContext, out: (piece: Uint8Array) => void): Promise<number> {
  const doc = await PdfDocument.create(ctx.fonts, { ...(ctx.title ? { title: ctx.title } : {}), out });
  await drawLabels(doc, layout, data, dpmm, ctx);
  return doc.finish();
}

/**
 * One page per label. The labels of a batch differ in a few fields (the serial, "3 of 12"): what each element draws
 * is laid out and written once per distinct value it shows, and replayed on the pages that show it again (the same
 * operators: every page of a document has the template's size and its fonts). The rest is drawn afresh.
 */
async function drawLabels(doc: PdfDocument, layout: CompiledLayout, data: readonly unknown[], dpmm: number, ctx: PdfContext): Promise<void> {
  const { widthMm, heightMm } = layout.template.size;
  const drawn = layout.elements.map(() => ({ fragments: new Map<string, PdfFragment>(), hits: 0, misses: 0 }));
  const turn = turnTaker(20);
  for (const d of data) {
    await turn();
    const page = doc.addPage(widthMm, heightMm);
    for (const [i, element] of layout.elements.entries()) {
      const value = boundValue(element, d);
      if (value === undefined) continue;
      const kept = drawn[i]!;
      const fragment = kept.fragments.get(value);
      if (fragment) {
        kept.hits++;
        page.replay(fragment);
        continue;
      }
      kept.misses++;
      const p = layoutBound(element, value, ctx.fonts, dpmm, true);
      // An element that shows something new on almost every label (a serial) is drawn, not kept: keeping thousands of
      // drawings that are never met again only makes work for the garbage collector.
      if (kept.misses > KEEP_TRIAL && kept.hits < kept.misses) {
        await drawPrimitive(page, p, ctx, dpmm);
        continue;
      }
      if (kept.fragments.size >= FRAGMENT_LIMIT) kept.fragments.clear();
      kept.fragments.set(value, await page.capture(() => drawPrimitive(page, p, ctx, dpmm)));
    }
  }
}

async function drawPrimitive(page: PdfPage, p: Primitive, ctx: PdfContext, dpmm: number): Promise<void> {
  switch (p.kind) {
    case 'text':
      await drawBlock(page, p, ctx.fonts[p.weight]);
      break;
    case 'barcode': {
      // One sample a module, placed by three corners of the symbol wherever the label turns it, on the printer's dots.
      const mask = moduleBitmap(p);
      const right = mask.offsetMm + mask.cols * p.moduleMm;
      const corners = onDots({ topLeft: toLabel(p, mask.offsetMm, 0), topRight: toLabel(p, right, 0), bottomLeft: toLabel(p, mask.offsetMm, mask.heightMm) }, dpmm);
      page.fillMask(corners, mask.cols, mask.rows, mask.bits);
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

/**
 * The corners moved together so that the symbol's top-left corner sits on a printer dot, where ZPL's ^FO puts it: its
 * modules are whole dots wide, so every edge then falls between dots when a driver rasterises the page at that
 * resolution (off the grid, a bar a dot too wide or narrow here and there).
 */
type Corners = Record<'topLeft' | 'topRight' | 'bottomLeft', [number, number]>;
function onDots(c: Corners, dpmm: number): Corners {
  // The fourth corner is topRight + bottomLeft - topLeft: with the other three it bounds the symbol.
  const all = [c.topLeft, c.topRight, c.bottomLeft, [c.topRight[0] + c.bottomLeft[0] - c.topLeft[0], c.topRight[1] + c.bottomLeft[1] - c.topLeft[1]]];
  const left = Math.min(...all.map(([x]) => x!));
  const top = Math.min(...all.map(([, y]) => y!));
  const dx = Math.round(left * dpmm) / dpmm - left;
  const dy = Math.round(top * dpmm) / dpmm - top;
  // Then every edge a fiftieth of a dot in: poppler fills from the pixel an image's edge starts in to the one it ends
  // on, so an edge a rounding below a pixel boundary (or right on the far one) took a whole dot more; a rasteriser that
  // fills by pixel centres draws the same either way.
  const [x0, y0] = [c.topLeft[0] + dx, c.topLeft[1] + dy];
  const along = (to: [number, number], m: number): [number, number] => {
    const [ux, uy] = [to[0] - c.topLeft[0], to[1] - c.topLeft[1]];
    const length = Math.hypot(ux, uy) || 1;
    return [(ux / length) * m, (uy / length) * m];
  };
  const e = 0.02 / dpmm;
  const [ux, uy] = along(c.topRight, e);
  const [vx, vy] = along(c.bottomLeft, e);
  const [wx, wy] = [c.topRight[0] - c.topLeft[0], c.topRight[1] - c.topLeft[1]];
  const [hx, hy] = [c.bottomLeft[0] - c.topLeft[0], c.bottomLeft[1] - c.topLeft[1]];
  return {
    topLeft: [x0 + ux + vx, y0 + uy + vy],
    topRight: [x0 + wx - ux + vx, y0 + wy - uy + vy],
    bottomLeft: [x0 + hx + ux - vx, y0 + hy + uy - vy],
  };
}

async function drawBlock(page: PdfPage, b: TextBlock, metrics: LabelFont, firstLineOffset = 0): Promise<void> {
  for (const [i, line] of b.lines.entries()) {
    const u = lineStart(b, metrics.width(line) * b.size);
    const [x, y] = toLabel(b, u, firstLineOffset + i * b.lineHeight + b.size * BASELINE);
    await page.text(line, x, y, b.size, b.weight, b.rotate);
  }
}
