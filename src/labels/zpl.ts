// Compiles laid-out labels to ZPL: native text and barcode commands, every value escaped so data can never become a command.
import type { GrayImage } from './images.js';
import { rectToLabel, type BarcodeBlock, type Primitive, type TextBlock } from './layout.js';
import type { TextBitmap } from './preview.js';

/** The ^FH escape character used for every field. */
const ESC = '_';
/** What zplEscape escapes: the prefixes ^ and ~, the escape character, the backslash, control bytes. */
const NEEDS_ESCAPE = /[\^~_\\\u0000-\u001f\u007f]/;
const ESCAPED = new RegExp(NEEDS_ESCAPE.source, 'g');

/**
 * Escapes a value for a ^FH_ field: the characters that could end a field or start a command
 * (^ ~), the escape itself (_), the backslash, and every control byte become _XX hex.
 * UTF-8 text passes through (^CI28 is set on every label).
 */
export function zplEscape(value: string): string {
  // Most values (a serial, "3 of 12") have nothing to escape: they are given back as they are, without a new string.
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(ESCAPED, (ch) => `${ESC}${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** Escape characters ^BX may use: printable, not a ZPL prefix, not our ^FH character, not a parameter separator. */
const BX_ESCAPES = ['#', '`', '{', '}', '$', '@', '!', '*', '+', '=', '?', '[', ']', '|', '%', '&'];

const ORIENTATION: Record<number, string> = { 0: 'N', 90: 'R', 180: 'I', 270: 'B' };

export interface ZplContext {
  dpmm: number;
  images: (src: string) => GrayImage;
  /** Line `i` of a block drawn as dots, for text the printer's own font cannot draw. */
  textBitmap: (block: TextBlock, i: number) => TextBitmap;
}

/**
 * What a Zebra's resident scalable font draws with ^CI28: code page 1252 (Latin-1 and the Windows extras). Anything
 * else in a line (Chinese, Japanese, the minus sign, emoji) is printed as a graphic of that line, drawn like the preview.
 */
const CP1252_EXTRAS = new Set([0x20ac, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x017d, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x017e, 0x0178]);
export function printerFontDraws(text: string): boolean {
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if ((cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff) || CP1252_EXTRAS.has(cp)) continue;
    return false;
  }
  return true;
}

export const dots = (mm: number, dpmm: number) => Math.max(0, Math.round(mm * dpmm));

/** What starts every label: UTF-8, its width and length in dots, no home offset. */
export const zplHeader = (size: { widthMm: number; heightMm: number }, dpmm: number) => ['^XA', '^CI28', `^PW${dots(size.widthMm, dpmm)}`, `^LL${dots(size.heightMm, dpmm)}`, '^LH0,0'];

/** The ZPL fields that draw one primitive. */
export function primitiveFields(p: Primitive, ctx: ZplContext): string[] {
  const { dpmm } = ctx;
  switch (p.kind) {
    case 'text':
      return textFields(p, ctx);
    case 'barcode':
      return barcodeFields(p, ctx);
    case 'line': {
      // The stroke is centred on the line's path, as in the preview and the PDF: a horizontal line at y = 14 mm,
      // 0.5 mm thick, covers 13.75 to 14.25 mm.
      const t = Math.max(1, dots(p.thickness, dpmm));
      const w = dots(Math.abs(p.x2 - p.x1), dpmm);
      const h = dots(Math.abs(p.y2 - p.y1), dpmm);
      const x = dots(Math.min(p.x1, p.x2) - (w === 0 ? p.thickness / 2 : 0), dpmm);
      const y = dots(Math.min(p.y1, p.y2) - (h === 0 ? p.thickness / 2 : 0), dpmm);
      if (w === 0 || h === 0) return [`^FO${Math.max(0, x)},${Math.max(0, y)}^GB${Math.max(w, t)},${Math.max(h, t)},${t}^FS`];
      return [`^FO${Math.max(0, dots(Math.min(p.x1, p.x2) - p.thickness / 2, dpmm))},${y}^GD${w + t},${h},${t},B,${(p.x2 - p.x1) * (p.y2 - p.y1) > 0 ? 'L' : 'R'}^FS`];
    }
    case 'box': {
      const w = Math.max(1, dots(p.w, dpmm));
      const h = Math.max(1, dots(p.h, dpmm));
      const t = p.fill ? Math.min(w, h) : Math.max(1, dots(p.thickness, dpmm));
      return [`^FO${dots(p.x, dpmm)},${dots(p.y, dpmm)}^GB${w},${h},${t}^FS`];
    }
    case 'image':
      return [imageField(p, ctx)];
  }
}

function textFields(b: TextBlock, { dpmm, textBitmap }: ZplContext): string[] {
  const o = ORIENTATION[b.rotate]!;
  const h = Math.max(1, dots(b.size, dpmm));
  const along = b.rotate === 90 || b.rotate === 270 ? b.h : b.w;
  const justify = b.align === 'center' ? 'C' : b.align === 'right' ? 'R' : 'L';
  return b.lines.map((line, i) => {
    if (!printerFontDraws(line)) {
      const bits = textBitmap(b, i);
      return gfField(dots(bits.x, dpmm), dots(bits.y, dpmm), graphicBits(bits.width, bits.height, (x, y) => bits.dark[y * bits.width + x] === 1));
    }
    const r = rectToLabel(b, 0, i * b.lineHeight, along, b.size);
    // Alignment is left to the printer inside ^FB: it knows the widths of its own font.
    return `^FO${dots(r.x, dpmm)},${dots(r.y, dpmm)}^A0${o},${h},${h}^FB${dots(along, dpmm)},1,0,${justify}^FH${ESC}^FD${zplEscape(line)}^FS`;
  });
}

function barcodeFields(b: BarcodeBlock, ctx: ZplContext): string[] {
  const { dpmm } = ctx;
  const o = ORIENTATION[b.rotate]!;
  const origin = rectToLabel(b, b.offsetX, 0, b.symbolW, b.symbolH);
  const at = `^FO${dots(origin.x, dpmm)},${dots(origin.y, dpmm)}`;
  const out: string[] = [];
  switch (b.symbology) {
    case 'code128':
      // Automatic mode: the printer picks subsets as bwip-js does (same width as the preview), and ">" is plain data.
      out.push(`^BY${b.moduleDots},3${at}^BC${o},${dots(b.symbolH, dpmm)},N,N,N,A^FH${ESC}^FD${zplEscape(b.data)}^FS`);
      break;
    case 'gs1-128':
      out.push(`^BY${b.moduleDots},3${at}^BC${o},${dots(b.symbolH, dpmm)},N,N,N,D^FH${ESC}^FD${zplEscape(b.data)}^FS`);
      break;
    case 'qr':
      out.push(`${at}^BQ${o},2,${Math.min(10, b.moduleDots)}^FH${ESC}^FDMA,${zplEscape(b.data)}^FS`);
      break;
    case 'datamatrix':
    case 'gs1-datamatrix': {
      const code = b.size.kind === 'matrix' ? b.size : undefined;
      // Quality 200 treats one character of the data as an escape. We pick one the data does not contain (never "~",
      // which starts printer control commands), so the data is never reinterpreted; GS1 uses it for FNC1.
      const escape = b.symbology === 'gs1-datamatrix' ? '#' : (BX_ESCAPES.find((c) => !b.data.includes(c)) ?? '#');
      const payload = b.symbology === 'gs1-datamatrix' ? gs1ForDataMatrix(b.data) : b.data.includes(escape) ? b.data.replaceAll(escape, `${escape}d${escape.charCodeAt(0).toString().padStart(3, '0')}`) : b.data;
      out.push(`${at}^BX${o},${b.moduleDots},200,${code?.cols ?? ''},${code?.rows ?? ''},6,${escape}^FH${ESC}^FD${zplEscape(payload)}^FS`);
      break;
    }
  }
  if (b.text) {
    const along = b.rotate === 90 || b.rotate === 270 ? b.h : b.w;
    const r = rectToLabel(b, 0, b.symbolH + b.text.size * 0.1, along, b.text.size);
    const h = Math.max(1, dots(b.text.size, dpmm));
    out.push(`^FO${dots(r.x, dpmm)},${dots(r.y, dpmm)}^A0${o},${h},${h}^FB${dots(along, dpmm)},1,0,C^FH${ESC}^FD${zplEscape(b.text.value)}^FS`);
  }
  return out;
}

/** "(01)0950...(10)LOT" -> "#10950...#1LOT": FNC1 first and between element strings. */
function gs1ForDataMatrix(data: string): string {
  const pairs = [...data.matchAll(/\((\d{2,4})\)([^()]*)/g)].map((m) => `${m[1]}${m[2]}`);
  return `#1${pairs.join('#1')}`;
}

/** An image element's dots: one bit per dot, rows of whole bytes, as hex (as every ZPL printer reads it). */
export function imageBits(p: Extract<Primitive, { kind: 'image' }>, { dpmm, images }: ZplContext): GraphicBits {
  const w = Math.max(1, dots(p.w, dpmm));
  const h = Math.max(1, dots(p.h, dpmm));
  const img = images(p.src);
  return graphicBits(w, h, (x, y) => {
    const sy = Math.min(img.height - 1, Math.floor((y * img.height) / h));
    const sx = Math.min(img.width - 1, Math.floor((x * img.width) / w));
    return !!img.dark[sy * img.width + sx];
  });
}

function imageField(p: Extract<Primitive, { kind: 'image' }>, ctx: ZplContext): string {
  return gfField(dots(p.x, ctx.dpmm), dots(p.y, ctx.dpmm), imageBits(p, ctx));
}

export interface GraphicBits {
  bytesPerRow: number;
  total: number;
  hex: string;
}

function graphicBits(w: number, h: number, dark: (x: number, y: number) => boolean): GraphicBits {
  const bytesPerRow = Math.ceil(w / 8);
  let hex = '';
  for (let row = 0; row < h; row++) {
    for (let bx = 0; bx < bytesPerRow; bx++) {
      let byte = 0;
      for (let bit = 0; bit < 8; bit++) {
        const col = bx * 8 + bit;
        if (col < w && dark(col, row)) byte |= 0x80 >> bit;
      }
      hex += byte.toString(16).toUpperCase().padStart(2, '0');
    }
  }
  return { bytesPerRow, total: bytesPerRow * h, hex };
}

/** A ^GF field: the dots at (x, y), carried in the label. */
function gfField(x: number, y: number, bits: GraphicBits): string {
  return `^FO${x},${y}^GFA,${bits.total},${bits.total},${bits.bytesPerRow},${bits.hex}^FS`;
}
