// Compiles laid-out labels to ZPL: native text and barcode commands, every value escaped so data can never become a command.
import { createHash } from 'node:crypto';
import type { GrayImage } from './images.js';
import type { LabelFont, Weight } from './fonts.js';
import { boundValue, layoutBound, rectToLabel, type BarcodeBlock, type CompiledLayout, type Primitive, type TextBlock } from './layout.js';
import type { TextBitmap } from './preview.js';

/** The ^FH escape character used for every field. */
const ESC = '_';

/**
 * Escapes a value for a ^FH_ field: the characters that could end a field or start a command
 * (^ ~), the escape itself (_), the backslash, and every control byte become _XX hex.
 * UTF-8 text passes through (^CI28 is set on every label).
 */
export function zplEscape(value: string): string {
  return value.replace(/[\^~_\\\u0000-\u001f\u007f]/g, (ch) => `${ESC}${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
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

const dots = (mm: number, dpmm: number) => Math.max(0, Math.round(mm * dpmm));

const header = (size: { widthMm: number; heightMm: number }, dpmm: number) => ['^XA', '^CI28', `^PW${dots(size.widthMm, dpmm)}`, `^LL${dots(size.heightMm, dpmm)}`, '^LH0,0'];

export function labelToZpl(primitives: Primitive[], size: { widthMm: number; heightMm: number }, ctx: ZplContext): string {
  const parts = header(size, ctx.dpmm);
  for (const p of primitives) parts.push(...primitiveFields(p, ctx));
  parts.push('^XZ');
  return parts.join('\n') + '\n';
}

/** The ZPL fields that draw one primitive. */
function primitiveFields(p: Primitive, ctx: ZplContext): string[] {
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

/** Distinct values kept per element: more than a batch's shared fields, fewer than a long run of serials. */
const FRAGMENT_CACHE_LIMIT = 256;

/**
 * Makes a layout template's labels as ZPL, one label after another. The labels of a batch differ in a few fields (the
 * serial, "3 of 12"): each element's fields are built and encoded once per distinct value it shows, and a label is
 * its bindings plus a copy of those bytes (building the label as a string and encoding it again cost more than the
 * rest). Makes exactly what labelToZpl makes of the laid-out label.
 */
export class ZplLabelMaker {
  private readonly head: Buffer;
  private static readonly TAIL = Buffer.from('\n^XZ\n');
  private readonly fragments: Array<Map<string, Buffer>>;
  private readonly parts: Buffer[] = [];
  /** Per element, what the last label gave it to read (its root fields' values) and what it drew of them. */
  private readonly last: Array<{ inputs: unknown[]; fragment: Buffer } | undefined>;

  /** Graphics the labels recall (with storedGraphics), by the image element that draws them. */
  private readonly graphics = new Map<number, StoredGraphic>();

  /**
   * With `storedGraphics`, images are stored in the printer once (see prefix()) and recalled by each label with ^XG
   * (a 30 x 9 mm logo is ~4.3 KB of hex per label otherwise); without, each label carries its own (^GF).
   */
  constructor(
    private readonly compiled: CompiledLayout,
    private readonly fonts: Record<Weight, LabelFont>,
    private readonly ctx: ZplContext,
    private readonly storedGraphics = false,
  ) {
    this.head = Buffer.from(header(compiled.template.size, ctx.dpmm).join('\n'));
    this.fragments = compiled.elements.map(() => new Map());
    this.last = compiled.elements.map(() => undefined);
  }

  /**
   * A new run of labels: what earlier labels gave each element is forgotten (their data may have changed since).
   * Within a run, the labels' data must not change.
   */
  startRun(): void {
    this.last.fill(undefined);
  }

  /**
   * What must reach the printer before any of these labels: the ~DG of each graphic they recall (empty without
   * storedGraphics, or without images). Sent again with every delivery, since a printer switched off forgets them.
   */
  prefix(): Buffer {
    if (!this.storedGraphics) return EMPTY;
    const stores = new Set<string>();
    this.compiled.elements.forEach((element, i) => {
      if (element.element.type === 'image') stores.add(this.graphic(i, layoutBound(element, '', this.fonts, this.ctx.dpmm, false) as Extract<Primitive, { kind: 'image' }>).store);
    });
    return Buffer.from([...stores].join(''));
  }

  private graphic(index: number, p: Extract<Primitive, { kind: 'image' }>): StoredGraphic {
    let graphic = this.graphics.get(index);
    if (!graphic) this.graphics.set(index, (graphic = storedGraphic(imageBits(p, this.ctx))));
    return graphic;
  }

  /** One label as text. */
  label(data: unknown): string {
    this.startRun();
    const parts = this.partsOf(data);
    return Buffer.concat(parts).toString('utf8');
  }

  /** Writes one label into `out` at `at`; returns where it ends, or -1 (nothing written) when it does not fit. */
  labelInto(out: Buffer, at: number, data: unknown): number {
    const parts = this.partsOf(data);
    let length = 0;
    for (const p of parts) length += p.length;
    if (out.length - at < length) return -1;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return at;
  }

  private partsOf(data: unknown): Buffer[] {
    const parts = this.parts;
    parts.length = 0;
    parts.push(this.head);
    const elements = this.compiled.elements;
    const record = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
    for (let i = 0; i < elements.length; i++) {
      const element = elements[i]!;
      // The same root values as the label before (the work order, the line: the same objects): the same fields.
      const last = this.last[i];
      if (last && sameInputs(last.inputs, element.roots, record)) {
        if (last.fragment.length) parts.push(last.fragment);
        continue;
      }
      const value = boundValue(element, data);
      let fragment: Buffer = EMPTY;
      if (value !== undefined) {
        const cache = this.fragments[i]!;
        fragment = cache.get(value) ?? EMPTY;
        if (!cache.has(value)) {
          const p = layoutBound(element, value, this.fonts, this.ctx.dpmm, false);
          const fields = p.kind === 'image' && this.storedGraphics ? [`^FO${dots(p.x, this.ctx.dpmm)},${dots(p.y, this.ctx.dpmm)}^XG${this.graphic(i, p).name},1,1^FS`] : primitiveFields(p, this.ctx);
          fragment = fields.length ? Buffer.from('\n' + fields.join('\n')) : EMPTY;
          if (cache.size >= FRAGMENT_CACHE_LIMIT) cache.clear();
          cache.set(value, fragment);
        }
      }
      this.last[i] = { inputs: element.roots.map((r) => record[r]), fragment };
      if (fragment.length) parts.push(fragment);
    }
    parts.push(ZplLabelMaker.TAIL);
    return parts;
  }
}

const EMPTY: Buffer = Buffer.alloc(0);

function sameInputs(inputs: readonly unknown[], roots: readonly string[], record: Record<string, unknown>): boolean {
  for (let k = 0; k < roots.length; k++) if (record[roots[k]!] !== inputs[k]) return false;
  return true;
}

/** Text blocks are shared between labels of a batch (see layout.ts), so their ZPL is built once per resolution. */
const textZpl = new WeakMap<TextBlock, { dpmm: number; fields: string[] }>();

function textFields(b: TextBlock, ctx: ZplContext): string[] {
  const hit = textZpl.get(b);
  if (hit?.dpmm === ctx.dpmm) return hit.fields;
  const fields = buildTextFields(b, ctx);
  textZpl.set(b, { dpmm: ctx.dpmm, fields });
  return fields;
}

function buildTextFields(b: TextBlock, { dpmm, textBitmap }: ZplContext): string[] {
  const o = ORIENTATION[b.rotate]!;
  const h = Math.max(1, dots(b.size, dpmm));
  const along = b.rotate === 90 || b.rotate === 270 ? b.h : b.w;
  const justify = b.align === 'center' ? 'C' : b.align === 'right' ? 'R' : 'L';
  return b.lines.map((line, i) => {
    if (!printerFontDraws(line)) {
      const bits = textBitmap(b, i);
      return graphicField(dots(bits.x, dpmm), dots(bits.y, dpmm), bits.width, bits.height, (x, y) => bits.dark[y * bits.width + x] === 1);
    }
    const r = rectToLabel(b, 0, i * b.lineHeight, along, b.size);
    // Alignment is left to the printer inside ^FB: it knows the widths of its own font.
    return `^FO${dots(r.x, dpmm)},${dots(r.y, dpmm)}^A0${o},${h},${h}^FB${dots(along, dpmm)},1,0,${justify}^FH${ESC}^FD${zplEscape(line)}^FS`;
  });
}

function barcodeFields(b: BarcodeBlock, ctx: ZplContext): string[] {
  const { dpmm } = ctx;
  const o = ORIENTATION[b.rotate]!;
  const [ox, oy] = originOf(b, b.offsetX, 0, b.symbolW, b.symbolH);
  const at = `^FO${dots(ox, dpmm)},${dots(oy, dpmm)}`;
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
      const payload = b.symbology === 'gs1-datamatrix' ? gs1ForDataMatrix(b.data) : b.data.replaceAll(escape, `${escape}d${escape.charCodeAt(0).toString().padStart(3, '0')}`);
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

/** Label-space top-left of a local rectangle: where ^FO puts a rotated field. */
function originOf(b: BarcodeBlock, u: number, v: number, du: number, dv: number): [number, number] {
  const r = rectToLabel(b, u, v, du, dv);
  return [r.x, r.y];
}

/** "(01)0950...(10)LOT" -> "#10950...#1LOT": FNC1 first and between element strings. */
function gs1ForDataMatrix(data: string): string {
  const pairs = [...data.matchAll(/\((\d{2,4})\)([^()]*)/g)].map((m) => `${m[1]}${m[2]}`);
  return `#1${pairs.join('#1')}`;
}

/** An image element's dots: one bit per dot, rows of whole bytes, as hex (as every ZPL printer reads it). */
function imageBits(p: Extract<Primitive, { kind: 'image' }>, { dpmm, images }: ZplContext): GraphicBits {
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
  const bits = imageBits(p, ctx);
  return `^FO${dots(p.x, ctx.dpmm)},${dots(p.y, ctx.dpmm)}^GFA,${bits.total},${bits.total},${bits.bytesPerRow},${bits.hex}^FS`;
}

interface GraphicBits {
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

/** A ^GF field of w x h dots at (x, y). */
function graphicField(x: number, y: number, w: number, h: number, dark: (x: number, y: number) => boolean): string {
  const bits = graphicBits(w, h, dark);
  return `^FO${x},${y}^GFA,${bits.total},${bits.total},${bits.bytesPerRow},${bits.hex}^FS`;
}

/**
 * A graphic kept in the printer's memory (R:, until it is switched off) for the labels of one job: stored once with
 * ~DG before them, recalled by each with ^XG. Named after its dots, so the same logo at the same size has one name.
 */
export interface StoredGraphic {
  name: string;
  /** The ~DG command that stores it. */
  store: string;
}

function storedGraphic(bits: GraphicBits): StoredGraphic {
  const name = `R:BP${createHash('sha1').update(bits.hex).update(String(bits.bytesPerRow)).digest('hex').slice(0, 6).toUpperCase()}.GRF`;
  return { name, store: `~DG${name},${bits.total},${bits.bytesPerRow},${bits.hex}\n` };
}
