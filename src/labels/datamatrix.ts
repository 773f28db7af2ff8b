// Data Matrix ECC 200 (ISO/IEC 16022), square symbols 10x10 to 144x144, ASCII encodation.
//
// Every hose tag carries one, with a different serial each, so it is encoded once per label: bwip-js (a PostScript
// interpreter underneath) takes about 1 ms per symbol, which alone capped PDF tags near 1,000 per second. This
// encoder takes a few microseconds. It uses ASCII encodation only (digit pairs packed, bytes above 127 by Upper
// Shift, UTF-8 announced by ECI 26), so a symbol is never smaller than a printer's own encoder would make it: the
// size ZPL asks for (^BX columns and rows) always fits whatever encodation the printer chooses.

import { reedSolomon } from './reed-solomon.js';

/** [symbol size, data region size, data codewords, error correction codewords, interleaved blocks] */
const SIZES: ReadonlyArray<readonly [number, number, number, number, number]> = [
  [10, 8, 3, 5, 1],
  [12, 10, 5, 7, 1],
  [14, 12, 8, 10, 1],
  [16, 14, 12, 12, 1],
  [18, 16, 18, 14, 1],
  [20, 18, 22, 18, 1],
  [22, 20, 30, 20, 1],
  [24, 22, 36, 24, 1],
  [26, 24, 44, 28, 1],
  [32, 14, 62, 36, 1],
  [36, 16, 86, 42, 1],
  [40, 18, 114, 48, 1],
  [44, 20, 144, 56, 1],
  [48, 22, 174, 68, 1],
  [52, 24, 204, 84, 2],
  [64, 14, 280, 112, 2],
  [72, 16, 368, 144, 4],
  [80, 18, 456, 192, 4],
  [88, 20, 576, 224, 4],
  [96, 22, 696, 272, 4],
  [104, 24, 816, 336, 6],
  [120, 18, 1050, 408, 6],
  [132, 20, 1304, 496, 8],
  [144, 22, 1558, 620, 10],
];

export const DATAMATRIX_MAX_CODEWORDS = 1558;

export interface DataMatrix {
  size: number;
  /** Row-major, 1 for a dark module. */
  cells: Uint8Array;
}

/** Codewords for the data in ASCII encodation; throws a RangeError when it cannot fit the largest symbol. */
export function dataMatrixCodewords(text: string): number[] {
  const bytes = new TextEncoder().encode(text);
  const out: number[] = [];
  if (bytes.some((b) => b > 127)) out.push(241, 27); // ECI 000026: the bytes that follow are UTF-8
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const next = bytes[i + 1];
    if (isDigit(b) && next !== undefined && isDigit(next)) {
      out.push(130 + (b - 48) * 10 + (next - 48));
      i++;
    } else if (b > 127) {
      out.push(235, b - 127);
    } else {
      out.push(b + 1);
    }
  }
  return out;
}

const isDigit = (b: number) => b >= 48 && b <= 57;

function sizeFor(codewords: number) {
  const spec = SIZES.find((s) => s[2] >= codewords);
  if (!spec) throw new RangeError(`${codewords} codewords is more than the largest Data Matrix holds (${DATAMATRIX_MAX_CODEWORDS})`);
  return spec;
}

/**
 * The side of the smallest square symbol for the data, without drawing it: what a ZPL layout needs, once per tag.
 * ASCII data is counted as dataMatrixCodewords encodes it (a digit pair is one codeword), without the array.
 */
export function dataMatrixSize(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 127) return sizeFor(dataMatrixCodewords(text).length)[0];
    if (isDigit(c) && i + 1 < text.length && isDigit(text.charCodeAt(i + 1))) i++;
    count++;
  }
  return sizeFor(count)[0];
}

/** The smallest square symbol for the data, with its modules. */
export function encodeDataMatrix(text: string): DataMatrix {
  const data = dataMatrixCodewords(text);
  const [size, region, capacity, eccTotal, blocks] = sizeFor(data.length);
  const codewords = withErrorCorrection(pad(data, capacity), eccTotal, blocks);
  const mapSize = size - (size / (region + 2)) * 2;
  return { size, cells: drawSymbol(size, region, place(mapSize, codewords)) };
}

function pad(data: number[], capacity: number): number[] {
  const out = data.slice();
  if (out.length < capacity) out.push(129);
  while (out.length < capacity) {
    const r = ((149 * (out.length + 1)) % 253) + 1;
    const v = 129 + r;
    out.push(v <= 254 ? v : v - 254);
  }
  return out;
}

// Reed-Solomon over GF(256) with the field polynomial x^8 + x^5 + x^3 + x^2 + 1 (301), roots from a^1.
const rs = reedSolomon(301, 1);

/** Appends the error correction codewords; large symbols interleave their data into several blocks. */
function withErrorCorrection(data: number[], eccTotal: number, blocks: number): number[] {
  const eccPerBlock = eccTotal / blocks;
  const out = data.concat(new Array<number>(eccTotal).fill(0));
  for (let b = 0; b < blocks; b++) {
    const rem = rs.remainder(data.filter((_, i) => i % blocks === b), eccPerBlock);
    for (let j = 0; j < eccPerBlock; j++) out[data.length + b + j * blocks] = rem[j]!;
  }
  return out;
}

/** The standard's module placement: codeword bits laid diagonally over the mapping matrix (Annex F of 16022). */
function place(n: number, codewords: number[]): Uint8Array {
  // 0 = not yet placed; otherwise codeword index * 8 + bit + 1, or -1 / -2 for the fixed light / dark corner.
  const map = new Int32Array(n * n);
  const module = (row: number, col: number, cw: number, bit: number) => {
    if (row < 0) {
      row += n;
      col += 4 - ((n + 4) % 8);
    }
    if (col < 0) {
      col += n;
      row += 4 - ((n + 4) % 8);
    }
    map[row * n + col] = cw * 8 + bit + 1;
  };
  const utah = (row: number, col: number, cw: number) => {
    module(row - 2, col - 2, cw, 0);
    module(row - 2, col - 1, cw, 1);
    module(row - 1, col - 2, cw, 2);
    module(row - 1, col - 1, cw, 3);
    module(row - 1, col, cw, 4);
    module(row, col - 2, cw, 5);
    module(row, col - 1, cw, 6);
    module(row, col, cw, 7);
  };
  const corner = (cw: number, spots: ReadonlyArray<readonly [number, number]>) => spots.forEach(([r, c], bit) => module(r, c, cw, bit));
  let cw = 0;
  let row = 4;
  let col = 0;
  do {
    if (row === n && col === 0) corner(cw++, [[n - 1, 0], [n - 1, 1], [n - 1, 2], [0, n - 2], [0, n - 1], [1, n - 1], [2, n - 1], [3, n - 1]]);
    if (row === n - 2 && col === 0 && n % 4 !== 0) corner(cw++, [[n - 3, 0], [n - 2, 0], [n - 1, 0], [0, n - 4], [0, n - 3], [0, n - 2], [0, n - 1], [1, n - 1]]);
    if (row === n - 2 && col === 0 && n % 8 === 4) corner(cw++, [[n - 3, 0], [n - 2, 0], [n - 1, 0], [0, n - 2], [0, n - 1], [1, n - 1], [2, n - 1], [3, n - 1]]);
    if (row === n + 4 && col === 2 && n % 8 === 0) corner(cw++, [[n - 1, 0], [n - 1, n - 1], [0, n - 3], [0, n - 2], [0, n - 1], [1, n - 3], [1, n - 2], [1, n - 1]]);
    do {
      if (row < n && col >= 0 && map[row * n + col] === 0) utah(row, col, cw++);
      row -= 2;
      col += 2;
    } while (row >= 0 && col < n);
    row += 1;
    col += 3;
    do {
      if (row >= 0 && col < n && map[row * n + col] === 0) utah(row, col, cw++);
      row += 2;
      col -= 2;
    } while (row < n && col >= 0);
    row += 3;
    col += 1;
  } while (row < n || col < n);
  if (map[n * n - 1] === 0) {
    map[n * n - 1] = map[n * n - n - 2] = -2;
    map[n * n - 2] = map[n * n - n - 1] = -1;
  }
  const bits = new Uint8Array(n * n);
  for (let i = 0; i < bits.length; i++) {
    const m = map[i]!;
    if (m === -2) bits[i] = 1;
    else if (m > 0) bits[i] = (codewords[(m - 1) >> 3]! >> (7 - ((m - 1) & 7))) & 1;
  }
  return bits;
}

/** Surrounds each data region with its finder (solid left and bottom edges) and clock track (alternating top and right). */
function drawSymbol(size: number, region: number, bits: Uint8Array): Uint8Array {
  const mapSize = size - (size / (region + 2)) * 2;
  const cells = new Uint8Array(size * size);
  const block = region + 2;
  for (let r = 0; r < size; r++) {
    const lr = r % block;
    for (let c = 0; c < size; c++) {
      const lc = c % block;
      let dark: boolean;
      if (lr === block - 1 || lc === 0) dark = true;
      else if (lr === 0) dark = lc % 2 === 0;
      else if (lc === block - 1) dark = lr % 2 === 1;
      else dark = bits[(Math.floor(r / block) * region + lr - 1) * mapSize + Math.floor(c / block) * region + lc - 1] === 1;
      cells[r * size + c] = dark ? 1 : 0;
    }
  }
  return cells;
}
