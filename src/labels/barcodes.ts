// The only user of bwip-js: encodes barcode data into bars or cells, and says clearly when data cannot be encoded.
import { lazy } from '../lib/lazy.js';
import { StationError } from '../errors.js';
import type { Symbology } from './template-schema.js';
import { dataMatrixSize, encodeDataMatrix } from './datamatrix.js';
import { code128Encodable, code128Modules, encodeCode128 } from './code128.js';
import { encodeQr } from './qr.js';

export interface LinearCode {
  kind: 'linear';
  /** Widths in modules, alternating bar, space, bar, ... starting with a bar. */
  widths: number[];
  modules: number;
}

export interface MatrixCode {
  kind: 'matrix';
  cols: number;
  rows: number;
  /** Row-major, true for a dark cell. */
  cells: Uint8Array;
}

export type EncodedBarcode = LinearCode | MatrixCode;

const bwipjs = lazy<typeof import('bwip-js')>('bwip-js');

const BCID: Record<Symbology, string> = {
  code128: 'code128',
  'gs1-128': 'gs1-128',
  qr: 'qrcode',
  datamatrix: 'datamatrix',
  'gs1-datamatrix': 'gs1datamatrix',
};

/** Linear codes need this many empty modules on each side to scan. */
export const QUIET_ZONE_MODULES = 10;

/**
 * Symbols drawn lately, for a barcode every label of a batch repeats (a work order's number). Small: a serial's symbol
 * is new on every tag and never met again, and up to 5,000 of them (the limit before 12-05) were ~2 MB the PDF thread
 * held after two 1,000-tag jobs. Cleared when full, so a repeated symbol is drawn again once per that many new ones.
 */
const MEMO_LIMIT = 256;
const memo = new Map<string, EncodedBarcode>();
const sizes = new Map<string, BarcodeSize>();

const shapeOf = (ch: string) => (ch <= '9' ? '0' : ch <= 'Z' ? 'A' : 'a');

export type BarcodeSize = { kind: 'linear'; modules: number } | { kind: 'matrix'; cols: number; rows: number };

/**
 * The symbol's size without drawing it, for ZPL (the printer draws the bars). Our own encoders count it directly.
 * bwip-js's choose modes by character class, so data of the same shape (digits, capitals, small letters in the same
 * places) has the same size: a batch of serials is encoded once, not once per tag.
 */
export function barcodeSize(symbology: Symbology, data: string): BarcodeSize {
  requireData(symbology, data);
  if (symbology === 'code128' && code128Encodable(data)) return { kind: 'linear', modules: code128Modules(data) };
  if (symbology === 'datamatrix') {
    try {
      const side = dataMatrixSize(data);
      return { kind: 'matrix', cols: side, rows: side };
    } catch {
      // too long: encodeBarcode below says so in the station's words
    }
  }
  const shape = `${symbology}\u0000${data.replace(/[0-9A-Za-z]/g, shapeOf)}`;
  let size = sizes.get(shape);
  if (!size) {
    // A ZPL printer encodes QR codes itself, choosing modes per part of the data: bwip-js's mixed-mode encoder gives
    // the size it would choose at best; our single-mode encoder can be a version larger.
    const code = symbology === 'qr' ? withBwip(symbology, data) : encodeBarcode(symbology, data);
    size = code.kind === 'linear' ? { kind: 'linear', modules: code.modules } : { kind: 'matrix', cols: code.cols, rows: code.rows };
    if (sizes.size > 5000) sizes.clear();
    sizes.set(shape, size);
  }
  return size;
}

function requireData(symbology: Symbology, data: string): void {
  if (data === '') throw new StationError('BARCODE_EMPTY', `A ${symbology} barcode has no data to encode.`, { status: 422, hint: 'Check the data the template binds to it.' });
}

export function encodeBarcode(symbology: Symbology, data: string): EncodedBarcode {
  const key = `${symbology}\u0000${data}`;
  const hit = memo.get(key);
  if (hit) return hit;
  requireData(symbology, data);
  const encoded = ours(symbology, data) ?? withBwip(symbology, data);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, encoded);
  return encoded;
}

/**
 * Our own encoders, where a label has a symbol of its own on every tag: bwip-js (a PostScript interpreter underneath)
 * took ~1 ms per Data Matrix, ~5.5 ms per QR code and ~0.12 ms per Code 128. Undefined for what they do not cover.
 */
function ours(symbology: Symbology, data: string): EncodedBarcode | undefined {
  const tooLong = (err: unknown, hint: string) =>
    new StationError('BARCODE_INVALID', `"${data.slice(0, 40)}${data.length > 40 ? '…' : ''}" cannot be encoded as ${symbology}: ${(err as Error).message}.`, { status: 422, hint });
  if (symbology === 'datamatrix') {
    try {
      const m = encodeDataMatrix(data);
      return { kind: 'matrix', cols: m.size, rows: m.size, cells: m.cells };
    } catch (err) {
      throw tooLong(err, 'Bind less data to the barcode (a Data Matrix holds up to 3,116 digits or 1,556 other characters).');
    }
  }
  if (symbology === 'qr') {
    try {
      const q = encodeQr(data);
      return { kind: 'matrix', cols: q.size, rows: q.size, cells: q.cells };
    } catch (err) {
      throw tooLong(err, 'Bind less data to the barcode (a QR code at level M holds up to 2,331 bytes).');
    }
  }
  if (symbology === 'code128' && code128Encodable(data)) {
    const widths = encodeCode128(data);
    return { kind: 'linear', widths, modules: widths.reduce((a, b) => a + b, 0) };
  }
  return undefined;
}

/** bwip-js: GS1 symbols (application identifiers checked), Code 128 beyond ASCII, and QR sizes for ZPL. */
function withBwip(symbology: Symbology, data: string): EncodedBarcode {
  let raw;
  try {
    raw = bwipjs().raw(BCID[symbology], data, (symbology === 'qr' ? { eclevel: 'M' } : {}) as never)[0]!;
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).replace(/^bwipp\.\w+#\d+:\s*/, '');
    throw new StationError('BARCODE_INVALID', `"${data}" cannot be encoded as ${symbology}: ${reason}.`, {
      status: 422,
      hint: symbology.startsWith('gs1') ? 'GS1 data is written as (AI)value, e.g. (01)09501101530003(10)LOT42.' : 'Check the data bound to the barcode.',
    });
  }
  if ('sbs' in raw) {
    const widths = raw.sbs as number[];
    return { kind: 'linear', widths, modules: widths.reduce((a, b) => a + b, 0) };
  }
  const { pixs, pixx, pixy } = raw as { pixs: number[]; pixx: number; pixy: number };
  return { kind: 'matrix', cols: pixx, rows: pixy, cells: Uint8Array.from(pixs) };
}
