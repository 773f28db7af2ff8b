// The only user of bwip-js: encodes barcode data into bars or cells, and says clearly when data cannot be encoded.
import { lazy } from '../lib/lazy.js';
import { StationError } from '../errors.js';
import type { Symbology } from './template-schema.js';
import { dataMatrixSize, encodeDataMatrix } from './datamatrix.js';
import { code128Encodable, code128Modules, encodeCode128 } from './code128.js';

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
  if (symbology === 'code128' && code128Encodable(data)) return { kind: 'linear', modules: code128Modules(data) };
  if (symbology === 'datamatrix' && data !== '') {
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
    const code = encodeBarcode(symbology, data);
    size = code.kind === 'linear' ? { kind: 'linear', modules: code.modules } : { kind: 'matrix', cols: code.cols, rows: code.rows };
    if (sizes.size > 5000) sizes.clear();
    sizes.set(shape, size);
  }
  return size;
}

export function encodeBarcode(symbology: Symbology, data: string): EncodedBarcode {
  const key = `${symbology}\u0000${data}`;
  const hit = memo.get(key);
  if (hit) return hit;
  if (data === '') throw new StationError('BARCODE_EMPTY', `A ${symbology} barcode has no data to encode.`, { status: 422, hint: 'Check the data the template binds to it.' });
  if (symbology === 'datamatrix') {
    // Our own encoder: one symbol per tag, and bwip-js takes ~1 ms for each (see datamatrix.ts).
    let m;
    try {
      m = encodeDataMatrix(data);
    } catch (err) {
      throw new StationError('BARCODE_INVALID', `"${data.slice(0, 40)}${data.length > 40 ? '…' : ''}" cannot be encoded as datamatrix: ${(err as Error).message}.`, {
        status: 422,
        hint: 'Bind less data to the barcode (a Data Matrix holds up to 3,116 digits or 1,556 other characters).',
      });
    }
    return remember(key, { kind: 'matrix', cols: m.size, rows: m.size, cells: m.cells });
  }
  if (symbology === 'code128' && code128Encodable(data)) {
    const widths = encodeCode128(data); // ours for ASCII, like Data Matrix: one per tag (see code128.ts)
    return remember(key, { kind: 'linear', widths, modules: widths.reduce((a, b) => a + b, 0) });
  }
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
  let encoded: EncodedBarcode;
  if ('sbs' in raw) {
    const widths = raw.sbs as number[];
    encoded = { kind: 'linear', widths, modules: widths.reduce((a, b) => a + b, 0) };
  } else {
    const { pixs, pixx, pixy } = raw as { pixs: number[]; pixx: number; pixy: number };
    encoded = { kind: 'matrix', cols: pixx, rows: pixy, cells: Uint8Array.from(pixs) };
  }
  return remember(key, encoded);
}

function remember(key: string, encoded: EncodedBarcode): EncodedBarcode {
  if (memo.size > 5000) memo.clear();
  memo.set(key, encoded);
  return encoded;
}
