// Resolves a layout template and one label's data into positioned primitives in mm, shared by ZPL, PDF and preview.
import { StationError } from '../errors.js';
import { compileText, lookup, type Bound } from './bind.js';
import { QUIET_ZONE_MODULES, barcodeSize, encodeBarcode, type BarcodeSize, type EncodedBarcode } from './barcodes.js';
import { MISSING_GLYPH, type LabelFont, type Weight } from './fonts.js';
import type { BarcodeElement, LabelElement, LayoutTemplate, TextElement } from './template-schema.js';

export type Rotation = 0 | 90 | 180 | 270;

export interface TextBlock {
  kind: 'text';
  x: number;
  y: number;
  w: number;
  h: number;
  rotate: Rotation;
  lines: string[];
  size: number;
  lineHeight: number;
  weight: Weight;
  align: 'left' | 'center' | 'right';
}

export interface BarcodeBlock {
  kind: 'barcode';
  x: number;
  y: number;
  w: number;
  h: number;
  rotate: Rotation;
  symbology: BarcodeElement['symbology'];
  data: string;
  size: BarcodeSize;
  /** The modules, when the output draws them itself (PDF, preview); ZPL leaves that to the printer. */
  code?: EncodedBarcode;
  /** Module size in printer dots and in mm (dots / dpmm). */
  moduleDots: number;
  moduleMm: number;
  /** Offset of the symbol from the box's local top-left, in mm. */
  offsetX: number;
  /** Height of the bars (linear) or of the symbol (matrix), in mm. */
  symbolH: number;
  symbolW: number;
  /** Human-readable line under a linear code. */
  text?: { value: string; size: number };
}

export type Primitive =
  | TextBlock
  | BarcodeBlock
  | { kind: 'line'; x1: number; y1: number; x2: number; y2: number; thickness: number }
  | { kind: 'box'; x: number; y: number; w: number; h: number; thickness: number; fill: boolean }
  | { kind: 'image'; x: number; y: number; w: number; h: number; src: string };

export type CompiledElement = {
  element: LabelElement;
  text?: Bound;
  data?: Bound;
  laidOut?: Map<string, TextBlock>;
  when?: string[];
  /** The top-level fields of a label's data that decide what this element draws (none: it always draws the same). */
  roots: readonly string[];
};

/** Labels of one batch share most of their text: each distinct value of an element is laid out once. */
const TEXT_CACHE_LIMIT = 512;

export interface CompiledLayout {
  template: LayoutTemplate;
  elements: CompiledElement[];
}

export const LINE_HEIGHT = 1.15;
/** Narrower bars or smaller cells than this do not scan reliably with a handheld scanner. */
export const MIN_MODULE_MM = 0.19;
/** Baseline below the top of a line, as a fraction of the text size (close to a Zebra font 0 field). */
export const BASELINE = 0.82;
const ELLIPSIS = '...';

/** Compiles placeholders once; a syntax error names the element. */
export function compileLayout(template: LayoutTemplate): CompiledLayout {
  return {
    template,
    elements: template.elements.map((element, i) => {
      try {
        const when = element.when ? { when: element.when.split('.') } : {};
        const rootsOf = (bound?: Bound) => [...new Set([...(when.when ? [when.when[0]!] : []), ...(bound?.roots ?? [])])];
        if (element.type === 'text') {
          const text = compileText(element.text);
          return { element, ...when, text, laidOut: new Map<string, TextBlock>(), roots: rootsOf(text) };
        }
        if (element.type === 'barcode') {
          const data = compileText(element.data);
          return { element, ...when, data, roots: rootsOf(data) };
        }
        return { element, ...when, roots: rootsOf() };
      } catch (err) {
        throw new Error(`elements[${i}] (${element.type}): ${(err as Error).message}`);
      }
    }),
  };
}

/** A whole label, with its barcodes' modules (for outputs that draw them: PDF, preview). */
export function layoutLabel(compiled: CompiledLayout, data: unknown, fonts: Record<Weight, LabelFont>, dpmm: number): Primitive[] {
  const out: Primitive[] = [];
  for (const element of compiled.elements) {
    const value = boundValue(element, data);
    if (value !== undefined) out.push(layoutBound(element, value, fonts, dpmm, true));
  }
  return out;
}

/**
 * What an element shows of one label's data: its text, its barcode's data, '' for an element that shows no data (a
 * line, a box, an image), or undefined when it is left out (its condition is not met, its text is blank). Everything
 * an element draws follows from this value.
 */
export function boundValue(compiled: CompiledElement, data: unknown): string | undefined {
  if (compiled.when && !hasValue(lookup(data, compiled.when))) return undefined;
  if (compiled.text) {
    const value = compiled.text(data);
    return value.trim() === '' ? undefined : value;
  }
  return compiled.data ? compiled.data(data) : '';
}

/** The element drawn with its bound value (see boundValue). */
export function layoutBound(compiled: CompiledElement, value: string, fonts: Record<Weight, LabelFont>, dpmm: number, drawModules = true): Primitive {
  const { element, laidOut } = compiled;
  switch (element.type) {
    case 'text': {
      let block = laidOut!.get(value);
      if (!block) {
        block = layoutText(element, value, fonts[element.weight]);
        if (laidOut!.size >= TEXT_CACHE_LIMIT) laidOut!.clear();
        laidOut!.set(value, block);
      }
      return block;
    }
    case 'barcode':
      return layoutBarcode(element, value, fonts.regular, dpmm, drawModules);
    case 'line':
      return { kind: 'line', x1: element.x1, y1: element.y1, x2: element.x2, y2: element.y2, thickness: element.thickness };
    case 'box':
      return { kind: 'box', x: element.x, y: element.y, w: element.w, h: element.h, thickness: element.thickness, fill: element.fill };
    case 'image':
      return { kind: 'image', x: element.x, y: element.y, w: element.w, h: element.h, src: element.src };
  }
}

function hasValue(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);
}

/** Text longer than this cannot show on a label; cutting it first keeps layout fast whatever the data holds. */
const MAX_TEXT = 1000;

/**
 * Control characters become spaces, and a character no label font (nor a fallback) has becomes a visible box, so
 * every output shows the same text and a gap never reads like data.
 */
export function printableText(value: string, font: LabelFont): string {
  let out = '';
  for (const ch of value.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')) out += font.hasGlyph(ch.codePointAt(0)!) ? ch : MISSING_GLYPH;
  return out;
}

function localSize(e: { w: number; h: number; rotate: Rotation }): { w: number; h: number } {
  return e.rotate === 90 || e.rotate === 270 ? { w: e.h, h: e.w } : { w: e.w, h: e.h };
}

/**
 * Too long for its box: shrink (down to minSize), then wrap up to maxLines, then cut the end with an ellipsis. The
 * start of the text is never lost: the last line holds as much of the rest as fits.
 */
export function layoutText(e: TextElement, raw: string, font: LabelFont): TextBlock {
  const value = printableText(raw.length > MAX_TEXT ? raw.slice(0, MAX_TEXT) : raw, font).trimEnd();
  const box = localSize(e);
  const minSize = e.minSize ?? e.size * 0.65;
  const fits = (lines: readonly unknown[], size: number) => lines.length <= e.maxLines && (lines.length === 1 ? size <= box.h + 0.01 : lines.length * size * LINE_HEIGHT <= box.h + 0.01);
  let size = e.size;
  let lines = wrapLines(value, font, size, box.w, e.maxLines + 1);
  if (e.overflow === 'shrink') {
    while (!fits(lines, size) && size > minSize) {
      size = Math.max(minSize, size * 0.93);
      lines = wrapLines(value, font, size, box.w, e.maxLines + 1);
    }
  }
  let text = lines.map((l) => l.text);
  if (!fits(lines, size)) {
    const room = Math.max(1, Math.min(e.maxLines, Math.floor((box.h + 0.01) / (size * LINE_HEIGHT)) || 1));
    text = text.slice(0, room - 1);
    // The last line: everything from where it starts, cut to fit with the ellipsis.
    const rest = value.slice(lines[room - 1]?.start ?? 0).trimStart();
    const keep = longestFitting(rest, (n) => font.width(rest.slice(0, n).trimEnd() + ELLIPSIS) * size <= box.w + 1e-6);
    text.push(rest.slice(0, keep).trimEnd() + ELLIPSIS);
  }
  return { kind: 'text', x: e.x, y: e.y, w: e.w, h: e.h, rotate: e.rotate, lines: text, size, lineHeight: size * LINE_HEIGHT, weight: e.weight, align: e.align };
}

/**
 * The largest n (0..text.length) for which fits(n) holds, fits being true up to some n and false after; never in the
 * middle of a character written as two UTF-16 units (an emoji, say).
 */
function longestFitting(text: string, fits: (n: number) => boolean): number {
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  const code = text.charCodeAt(lo - 1);
  return lo > 0 && code >= 0xd800 && code <= 0xdbff ? lo - 1 : lo;
}

/** Greedy word wrap; a word longer than the line is cut. Stops after `limit` lines. */
export function wrap(text: string, font: LabelFont, size: number, width: number, limit: number): string[] {
  return wrapLines(text, font, size, width, limit).map((l) => l.text);
}

/** Word wrap that also says where each line starts in the text. */
function wrapLines(text: string, font: LabelFont, size: number, width: number, limit: number): Array<{ text: string; start: number }> {
  const lines: Array<{ text: string; start: number }> = [];
  const fit = (s: string) => font.width(s) * size <= width + 1e-6;
  let line = '';
  let start = 0;
  let at = 0;
  for (const word of text.split(' ')) {
    const wordStart = at;
    at += word.length + 1;
    const candidate = line ? `${line} ${word}` : word;
    if (fit(candidate)) {
      if (!line) start = wordStart;
      line = candidate;
      continue;
    }
    if (line) lines.push({ text: line, start });
    if (lines.length >= limit) return lines;
    line = word;
    start = wordStart;
    while (!fit(line) && line.length > 1) {
      const current = line;
      const cut = longestFitting(current, (n) => fit(current.slice(0, n))) || (current.codePointAt(0)! > 0xffff ? 2 : 1);
      lines.push({ text: line.slice(0, cut), start });
      if (lines.length >= limit) return lines;
      line = line.slice(cut);
      start += cut;
    }
  }
  if (line) lines.push({ text: line, start });
  return lines;
}

function layoutBarcode(e: BarcodeElement, data: string, font: LabelFont, dpmm: number, drawModules: boolean): BarcodeBlock {
  const code = barcodeSize(e.symbology, data);
  const box = localSize(e);
  const linear = code.kind === 'linear';
  const textSize = linear && e.humanReadable ? Math.min(2.6, box.h * 0.28) : 0;
  const symbolRoom = { w: box.w, h: box.h - (textSize ? textSize * 1.1 : 0) };
  const fitDots = linear
    ? Math.floor((symbolRoom.w * dpmm) / (code.modules + 2 * QUIET_ZONE_MODULES))
    : Math.floor(Math.min((symbolRoom.w * dpmm) / code.cols, (symbolRoom.h * dpmm) / code.rows));
  const minDots = Math.ceil(MIN_MODULE_MM * dpmm);
  const moduleDots = e.moduleMm ? Math.max(minDots, Math.round(e.moduleMm * dpmm)) : fitDots;
  if (moduleDots < minDots || moduleDots > fitDots) {
    throw new StationError('BARCODE_TOO_LARGE', `"${data}" as ${e.symbology} needs more room than its ${box.w}x${box.h} mm box at ${dpmm} dots/mm.`, {
      status: 422,
      hint: 'Make the barcode box larger, shorten the data, or print on a printer with a higher resolution.',
    });
  }
  const moduleMm = moduleDots / dpmm;
  const symbolW = (linear ? code.modules : code.cols) * moduleMm;
  const symbolH = linear ? symbolRoom.h : code.rows * moduleMm;
  // Built without spreads: a ZPL tag lays out its serial's barcode on every label, and each spread was an object more.
  const block: BarcodeBlock = { kind: 'barcode', x: e.x, y: e.y, w: e.w, h: e.h, rotate: e.rotate, symbology: e.symbology, data, size: code, moduleDots, moduleMm, offsetX: linear ? (box.w - symbolW) / 2 : 0, symbolH, symbolW };
  if (drawModules) block.code = encodeBarcode(e.symbology, data);
  if (textSize) block.text = { value: printableText(data, font), size: textSize };
  return block;
}

/** Maps a point of a block's local frame (u along the text, v across, both mm) into label coordinates. */
export function toLabel(b: { x: number; y: number; w: number; h: number; rotate: Rotation }, u: number, v: number): [number, number] {
  switch (b.rotate) {
    case 90:
      return [b.x + b.w - v, b.y + u];
    case 180:
      return [b.x + b.w - u, b.y + b.h - v];
    case 270:
      return [b.x + v, b.y + b.h - u];
    default:
      return [b.x + u, b.y + v];
  }
}

/**
 * A local rectangle as a label-space rectangle {x, y, w, h} (rotations are multiples of 90°, so it stays upright).
 * toLabel's mapping written out for both corners, without its pairs: ZPL calls this for every field of every label.
 */
export function rectToLabel(b: Parameters<typeof toLabel>[0], u: number, v: number, du: number, dv: number) {
  const u2 = u + du;
  const v2 = v + dv;
  switch (b.rotate) {
    case 90:
      return { x: b.x + b.w - Math.max(v, v2), y: b.y + Math.min(u, u2), w: Math.abs(dv), h: Math.abs(du) };
    case 180:
      return { x: b.x + b.w - Math.max(u, u2), y: b.y + b.h - Math.max(v, v2), w: Math.abs(du), h: Math.abs(dv) };
    case 270:
      return { x: b.x + Math.min(v, v2), y: b.y + b.h - Math.max(u, u2), w: Math.abs(dv), h: Math.abs(du) };
    default:
      return { x: b.x + Math.min(u, u2), y: b.y + Math.min(v, v2), w: Math.abs(du), h: Math.abs(dv) };
  }
}

/** Where a text line starts along the text direction, for its alignment. */
export function lineStart(block: TextBlock, width: number): number {
  const room = block.rotate === 90 || block.rotate === 270 ? block.h : block.w;
  return block.align === 'center' ? (room - width) / 2 : block.align === 'right' ? room - width : 0;
}

/** Visits the dark modules of a barcode as local rectangles (u, v, du, dv in mm). */
export function forEachModule(b: BarcodeBlock, visit: (u: number, v: number, du: number, dv: number) => void): void {
  const m = b.moduleMm;
  forEachModuleInModules(b, (u, v, du, dv) => visit(u * m, v * m, du * m, dv * m));
}

/**
 * A barcode's modules as a bitmap, one bit a module (1 dark), rows of whole bytes, most significant bit first: a
 * linear code is one row, stretched to its bars' height. `offsetMm` is where the first module starts along the
 * block (a linear code sits centred in its box), `heightMm` the height the rows fill.
 */
export interface ModuleBitmap {
  cols: number;
  rows: number;
  bits: Uint8Array;
  offsetMm: number;
  heightMm: number;
}

export function moduleBitmap(b: BarcodeBlock): ModuleBitmap {
  if (!b.code) throw new Error('barcode laid out without its modules');
  if (b.code.kind === 'linear') {
    const cols = b.code.widths.reduce((sum, w) => sum + w, 0);
    const bits = new Uint8Array((cols + 7) >> 3);
    let u = 0;
    b.code.widths.forEach((w, i) => {
      if (i % 2 === 0) for (let k = u; k < u + w; k++) bits[k >> 3]! |= 0x80 >> (k & 7);
      u += w;
    });
    return { cols, rows: 1, bits, offsetMm: b.offsetX, heightMm: b.symbolH };
  }
  const { cols, rows, cells } = b.code;
  const stride = (cols + 7) >> 3;
  const bits = new Uint8Array(stride * rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) if (cells[r * cols + c]) bits[r * stride + (c >> 3)]! |= 0x80 >> (c & 7);
  }
  return { cols, rows, bits, offsetMm: 0, heightMm: rows * b.moduleMm };
}

/** The same rectangles in modules (whole numbers but for a linear code's quiet offset and height). */
export function forEachModuleInModules(b: BarcodeBlock, visit: (u: number, v: number, du: number, dv: number) => void): void {
  if (!b.code) throw new Error('barcode laid out without its modules');
  if (b.code.kind === 'linear') {
    const height = b.symbolH / b.moduleMm;
    let u = b.offsetX / b.moduleMm;
    b.code.widths.forEach((w, i) => {
      if (i % 2 === 0) visit(u, 0, w, height);
      u += w;
    });
    return;
  }
  const { cols, rows, cells } = b.code;
  for (let r = 0; r < rows; r++) {
    let c = 0;
    while (c < cols) {
      if (!cells[r * cols + c]) {
        c++;
        continue;
      }
      const start = c;
      while (c < cols && cells[r * cols + c]) c++;
      visit(start, r, c - start, 1);
    }
  }
}
