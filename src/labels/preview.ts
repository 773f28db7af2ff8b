// The preview: laid-out labels as SVG, and as PNG at the printer's own resolution (resvg with the label fonts).
import { lazy } from '../lib/lazy.js';
import type { LabelFont, Weight } from './fonts.js';
import type { GrayImage } from './images.js';
import { BASELINE, forEachModule, lineStart, rectToLabel, toLabel, type Primitive, type TextBlock } from './layout.js';

const resvg = lazy<typeof import('@resvg/resvg-js')>('@resvg/resvg-js');

export const FONT_FAMILY = 'DejaVu Sans Condensed';

export interface PreviewContext {
  fonts: Record<Weight, LabelFont>;
  images: (src: string) => GrayImage;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const n = (v: number) => Number(v.toFixed(3));

export function labelToSvg(primitives: Primitive[], size: { widthMm: number; heightMm: number }, ctx: PreviewContext): string {
  const body: string[] = [];
  for (const p of primitives) {
    switch (p.kind) {
      case 'text':
        body.push(...textSvg(p, ctx.fonts[p.weight]));
        break;
      case 'barcode': {
        let d = '';
        forEachModule(p, (u, v, du, dv) => {
          const r = rectToLabel(p, u, v, du, dv);
          d += `M${n(r.x)} ${n(r.y)}h${n(r.w)}v${n(r.h)}h${n(-r.w)}z`;
        });
        body.push(`<path d="${d}" fill="#000"/>`);
        if (p.text) {
          const block: TextBlock = { kind: 'text', x: p.x, y: p.y, w: p.w, h: p.h, rotate: p.rotate, lines: [p.text.value], size: p.text.size, lineHeight: p.text.size, weight: 'regular', align: 'center' };
          body.push(...textSvg(block, ctx.fonts.regular, p.symbolH + p.text.size * 0.1));
        }
        break;
      }
      case 'line':
        body.push(`<line x1="${n(p.x1)}" y1="${n(p.y1)}" x2="${n(p.x2)}" y2="${n(p.y2)}" stroke="#000" stroke-width="${n(p.thickness)}"/>`);
        break;
      case 'box': {
        const inset = p.fill ? 0 : p.thickness / 2;
        body.push(
          `<rect x="${n(p.x + inset)}" y="${n(p.y + inset)}" width="${n(p.w - 2 * inset)}" height="${n(p.h - 2 * inset)}" ${p.fill ? 'fill="#000"' : `fill="none" stroke="#000" stroke-width="${n(p.thickness)}"`}/>`,
        );
        break;
      }
      case 'image':
        body.push(`<image x="${n(p.x)}" y="${n(p.y)}" width="${n(p.w)}" height="${n(p.h)}" preserveAspectRatio="none" href="data:image/png;base64,${Buffer.from(ctx.images(p.src).png).toString('base64')}"/>`);
        break;
    }
  }
  const { widthMm: w, heightMm: h } = size;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}mm" height="${h}mm" viewBox="0 0 ${w} ${h}"><rect width="${w}" height="${h}" fill="#fff"/>${body.join('')}</svg>`;
}

function textSvg(b: TextBlock, metrics: LabelFont, firstLineOffset = 0): string[] {
  return b.lines.map((_, i) => lineSvg(b, i, metrics, firstLineOffset));
}

function lineSvg(b: TextBlock, i: number, metrics: LabelFont, firstLineOffset = 0): string {
  const line = b.lines[i]!;
  const u = lineStart(b, metrics.width(line) * b.size);
  const [x, y] = toLabel(b, u, firstLineOffset + i * b.lineHeight + b.size * BASELINE);
  const rotate = b.rotate ? ` transform="rotate(${b.rotate} ${n(x)} ${n(y)})"` : '';
  return `<text x="${n(x)}" y="${n(y)}" font-family="${FONT_FAMILY}" font-size="${n(b.size)}"${b.weight === 'bold' ? ' font-weight="bold"' : ''} xml:space="preserve"${rotate}>${esc(line)}</text>`;
}

/** Font files for the renderer: both label weights, then the fallbacks (it falls back to them glyph by glyph). */
function fontFiles(fonts: Record<Weight, LabelFont>): string[] {
  const [regular, ...fallbacks] = fonts.regular.files();
  return [regular!, fonts.bold.files()[0]!, ...fallbacks];
}

/** Renders an SVG to PNG at `dpmm` dots per mm, using only the label fonts (nothing from the system or the internet). */
export function svgToPng(svg: string, widthMm: number, dpmm: number, fonts: Record<Weight, LabelFont>): Uint8Array {
  const renderer = new (resvg().Resvg)(svg, {
    fitTo: { mode: 'width', value: Math.round(widthMm * dpmm) },
    font: { fontFiles: fontFiles(fonts), loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
    shapeRendering: 0,
    textRendering: 1,
  });
  return new Uint8Array(renderer.render().asPng());
}

/** A line of text as printer dots, where it stands on the label: for text the printer's own font cannot draw. */
export interface TextBitmap {
  /** Top-left corner on the label, in mm. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** Row by row, true where the dot is black. */
  dark: Uint8Array;
}

/**
 * Draws line `i` of a block exactly as the preview does (same fonts, same place), at the printer's resolution, as
 * black and white dots.
 */
export function textLineBitmap(b: TextBlock, i: number, fonts: Record<Weight, LabelFont>, dpmm: number): TextBitmap {
  // The line's box, with room below the baseline for descenders.
  const r = rectToLabel(b, 0, i * b.lineHeight, b.rotate === 90 || b.rotate === 270 ? b.h : b.w, b.lineHeight);
  const x = Math.round(r.x * dpmm) / dpmm;
  const y = Math.round(r.y * dpmm) / dpmm;
  const width = Math.max(1, Math.round(r.w * dpmm));
  const height = Math.max(1, Math.round(r.h * dpmm));
  const w = width / dpmm;
  const h = height / dpmm;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${n(w)}mm" height="${n(h)}mm" viewBox="${n(x)} ${n(y)} ${n(w)} ${n(h)}">${lineSvg(b, i, fonts[b.weight])}</svg>`;
  const image = new (resvg().Resvg)(svg, {
    fitTo: { mode: 'width', value: width },
    font: { fontFiles: fontFiles(fonts), loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
    shapeRendering: 0,
    textRendering: 1,
  }).render();
  const dark = new Uint8Array(width * height);
  const rows = Math.min(height, image.height);
  const cols = Math.min(width, image.width);
  // Read once: each read of .pixels copies the whole image out of the renderer.
  const pixels = image.pixels;
  for (let py = 0; py < rows; py++) {
    for (let px = 0; px < cols; px++) dark[py * width + px] = pixels[(py * image.width + px) * 4 + 3]! >= 128 ? 1 : 0;
  }
  return { x, y, width, height, dark };
}
