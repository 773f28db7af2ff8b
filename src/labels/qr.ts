// QR Code model 2 (ISO/IEC 18004), versions 1 to 40, error correction level M, for drawn labels (PDF, previews).
//
// bwip-js took ~5.5 ms per QR code: a 4x6 label's QR alone capped a 1,000-label PDF at ~180 labels per second. This
// takes a fraction of a millisecond. One mode for the whole data (numeric, alphanumeric, or bytes as UTF-8, with
// ECI 26 when there is anything beyond ASCII), so a symbol can be a version larger than a mixed-mode encoder's; ZPL
// printers encode their own (^BQ), so this only draws.

import { reedSolomon } from './reed-solomon.js';

export interface QrCode {
  size: number;
  /** Row-major, 1 for a dark module. */
  cells: Uint8Array;
}

/** [error correction codewords per block, blocks in group 1, data codewords each, blocks in group 2, data each] at level M. */
const BLOCKS_M: ReadonlyArray<readonly [number, number, number, number, number]> = [
  [10, 1, 16, 0, 0], [16, 1, 28, 0, 0], [26, 1, 44, 0, 0], [18, 2, 32, 0, 0], [24, 2, 43, 0, 0],
  [16, 4, 27, 0, 0], [18, 4, 31, 0, 0], [22, 2, 38, 2, 39], [22, 3, 36, 2, 37], [26, 4, 43, 1, 44],
  [30, 1, 50, 4, 51], [22, 6, 36, 2, 37], [22, 8, 37, 1, 38], [24, 4, 40, 5, 41], [24, 5, 41, 5, 42],
  [28, 7, 45, 3, 46], [28, 10, 46, 1, 47], [26, 9, 43, 4, 44], [26, 3, 44, 11, 45], [26, 3, 41, 13, 42],
  [26, 17, 42, 0, 0], [28, 17, 46, 0, 0], [28, 4, 47, 14, 48], [28, 6, 45, 14, 46], [28, 8, 47, 13, 48],
  [28, 19, 46, 4, 47], [28, 22, 45, 3, 46], [28, 3, 45, 23, 46], [28, 21, 45, 7, 46], [28, 19, 47, 10, 48],
  [28, 2, 46, 29, 47], [28, 10, 46, 23, 47], [28, 14, 46, 21, 47], [28, 14, 46, 23, 47], [28, 12, 47, 26, 48],
  [28, 6, 47, 34, 48], [28, 29, 46, 14, 47], [28, 13, 46, 32, 47], [28, 40, 47, 7, 48], [28, 18, 47, 31, 48],
];

export const qrBlocks = (version: number) => BLOCKS_M[version - 1]!;

/** Modules available for codewords in a version (all but function patterns, format and version information). */
export function rawDataModules(version: number): number {
  let n = (16 * version + 128) * version + 64;
  if (version >= 2) {
    const align = Math.floor(version / 7) + 2;
    n -= (25 * align - 10) * align - 55;
    if (version >= 7) n -= 36;
  }
  return n;
}

const dataCodewords = (version: number) => {
  const [, b1, d1, b2, d2] = qrBlocks(version);
  return b1 * d1 + b2 * d2;
};

const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

type Mode = 'numeric' | 'alphanumeric' | 'byte';
const MODE_BITS: Record<Mode, number> = { numeric: 0b0001, alphanumeric: 0b0010, byte: 0b0100 };
/** Bits of the character count, for versions 1-9, 10-26 and 27-40. */
const COUNT_BITS: Record<Mode, readonly [number, number, number]> = { numeric: [10, 12, 14], alphanumeric: [9, 11, 13], byte: [8, 16, 16] };

class Bits {
  readonly bits: number[] = [];
  put(value: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) this.bits.push((value >>> i) & 1);
  }
}

/** The data as a bit stream for a version (mode, count, data), or undefined when it does not fit. */
function encodeData(text: string, version: number): number[] | undefined {
  const mode: Mode = /^\d*$/.test(text) ? 'numeric' : [...text].every((c) => ALNUM.includes(c)) ? 'alphanumeric' : 'byte';
  const countBits = COUNT_BITS[mode][version <= 9 ? 0 : version <= 26 ? 1 : 2];
  const b = new Bits();
  if (mode === 'byte') {
    const bytes = new TextEncoder().encode(text);
    if (bytes.some((x) => x > 127)) b.put(0b0111_00011010, 12); // ECI 26: UTF-8
    if (bytes.length >= 1 << countBits) return undefined;
    b.put(MODE_BITS.byte, 4);
    b.put(bytes.length, countBits);
    for (const x of bytes) b.put(x, 8);
  } else {
    if (text.length >= 1 << countBits) return undefined;
    b.put(MODE_BITS[mode], 4);
    b.put(text.length, countBits);
    if (mode === 'numeric') {
      for (let i = 0; i < text.length; i += 3) {
        const group = text.slice(i, i + 3);
        b.put(Number(group), group.length * 3 + 1);
      }
    } else {
      for (let i = 0; i < text.length; i += 2) {
        if (i + 1 < text.length) b.put(ALNUM.indexOf(text[i]!) * 45 + ALNUM.indexOf(text[i + 1]!), 11);
        else b.put(ALNUM.indexOf(text[i]!), 6);
      }
    }
  }
  return b.bits.length <= dataCodewords(version) * 8 ? b.bits : undefined;
}

// Reed-Solomon over GF(256) with x^8 + x^4 + x^3 + x^2 + 1 (0x11d), roots from a^0.
const rs = reedSolomon(0x11d, 0);

/** Data codewords padded, split into blocks, each with its error correction, interleaved as the symbol stores them. */
function codewords(bits: number[], version: number): number[] {
  const capacity = dataCodewords(version);
  const stream = bits.slice();
  stream.push(...new Array<number>(Math.min(4, capacity * 8 - stream.length)).fill(0)); // terminator
  while (stream.length % 8) stream.push(0);
  const data: number[] = [];
  for (let i = 0; i < stream.length; i += 8) data.push(stream.slice(i, i + 8).reduce((v, bit) => (v << 1) | bit, 0));
  for (let pad = 0; data.length < capacity; pad++) data.push(pad % 2 ? 0x11 : 0xec);

  const [ecLength, b1, d1, b2, d2] = qrBlocks(version);
  const blocks: Array<{ data: number[]; ec: Uint8Array }> = [];
  let at = 0;
  for (let i = 0; i < b1 + b2; i++) {
    const length = i < b1 ? d1 : d2;
    const part = data.slice(at, at + length);
    at += length;
    blocks.push({ data: part, ec: rs.remainder(part, ecLength) });
  }
  const out: number[] = [];
  for (let i = 0; i < Math.max(d1, d2); i++) for (const blk of blocks) if (i < blk.data.length) out.push(blk.data[i]!);
  for (let i = 0; i < ecLength; i++) for (const blk of blocks) out.push(blk.ec[i]!);
  return out;
}

function alignmentPositions(version: number): number[] {
  if (version === 1) return [];
  const count = Math.floor(version / 7) + 2;
  const size = version * 4 + 17;
  const step = version === 32 ? 26 : Math.ceil((version * 4 + 4) / (count * 2 - 2)) * 2;
  const positions = [6];
  for (let pos = size - 7; positions.length < count; pos -= step) positions.splice(1, 0, pos);
  return positions;
}

/** BCH code of `value` (`dataBits` long) with the generator polynomial `poly` of degree `degree`. */
function bch(value: number, poly: number, degree: number): number {
  let rem = value << degree;
  for (let i = 31 - Math.clz32(rem); i >= degree; i--) if ((rem >>> i) & 1) rem ^= poly << (i - degree);
  return (value << degree) | rem;
}

class Matrix {
  readonly dark: Uint8Array;
  readonly fixed: Uint8Array;
  constructor(readonly size: number) {
    this.dark = new Uint8Array(size * size);
    this.fixed = new Uint8Array(size * size);
  }
  set(row: number, col: number, dark: boolean): void {
    if (row < 0 || col < 0 || row >= this.size || col >= this.size) return;
    this.dark[row * this.size + col] = dark ? 1 : 0;
    this.fixed[row * this.size + col] = 1;
  }
}

function functionPatterns(m: Matrix, version: number): void {
  const n = m.size;
  for (let i = 0; i < n; i++) {
    m.set(6, i, i % 2 === 0);
    m.set(i, 6, i % 2 === 0);
  }
  for (const [r, c] of [[3, 3], [3, n - 4], [n - 4, 3]] as const) {
    for (let dr = -4; dr <= 4; dr++)
      for (let dc = -4; dc <= 4; dc++) {
        const d = Math.max(Math.abs(dr), Math.abs(dc));
        m.set(r + dr, c + dc, d !== 2 && d !== 4); // finder rings; the outermost ring is the light separator
      }
  }
  const align = alignmentPositions(version);
  for (const r of align)
    for (const c of align) {
      if ((r === 6 && c === 6) || (r === 6 && c === n - 7) || (r === n - 7 && c === 6)) continue; // under the finders
      for (let dr = -2; dr <= 2; dr++) for (let dc = -2; dc <= 2; dc++) m.set(r + dr, c + dc, Math.max(Math.abs(dr), Math.abs(dc)) !== 1);
    }
  format(m, 0); // reserve the format areas (written for real once the mask is chosen)
  if (version >= 7) {
    const bits = bch(version, 0x1f25, 12);
    for (let i = 0; i < 18; i++) {
      const dark = ((bits >>> i) & 1) === 1;
      const a = n - 11 + (i % 3);
      const b = Math.floor(i / 3);
      m.set(a, b, dark);
      m.set(b, a, dark);
    }
  }
}

/** Format information: level M (00) and the mask, BCH-protected and masked, in both copies; plus the dark module. */
function format(m: Matrix, mask: number): void {
  const n = m.size;
  const bits = bch((0b00 << 3) | mask, 0x537, 10) ^ 0x5412;
  const bit = (i: number) => ((bits >>> i) & 1) === 1;
  // m.set(row, column). The first copy runs down column 8 and along row 8 around the top-left finder.
  for (let i = 0; i <= 5; i++) m.set(i, 8, bit(i));
  m.set(7, 8, bit(6));
  m.set(8, 8, bit(7));
  m.set(8, 7, bit(8));
  for (let i = 9; i < 15; i++) m.set(8, 14 - i, bit(i));
  // The second copy: along row 8 under the top-right finder, and down column 8 beside the bottom-left one.
  for (let i = 0; i < 8; i++) m.set(8, n - 1 - i, bit(i));
  for (let i = 8; i < 15; i++) m.set(n - 15 + i, 8, bit(i));
  m.set(n - 8, 8, true);
}

/** Codeword bits in the zigzag order of the standard: two-column strips from the right, up then down. */
function placeData(m: Matrix, cws: number[]): void {
  const n = m.size;
  let i = 0;
  const total = cws.length * 8;
  for (let right = n - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    for (let vert = 0; vert < n; vert++) {
      for (let j = 0; j < 2; j++) {
        const col = right - j;
        const upward = ((right + 1) & 2) === 0;
        const row = upward ? n - 1 - vert : vert;
        const k = row * n + col;
        if (m.fixed[k]) continue;
        // Remainder bits past the last codeword stay light.
        m.dark[k] = i < total ? (cws[i >>> 3]! >>> (7 - (i & 7))) & 1 : 0;
        i++;
      }
    }
  }
}

/** Whether mask `mask` flips the module at (r, c). */
function masked(mask: number, r: number, c: number): boolean {
  switch (mask) {
    case 0: return (r + c) % 2 === 0;
    case 1: return r % 2 === 0;
    case 2: return c % 3 === 0;
    case 3: return (r + c) % 3 === 0;
    case 4: return (Math.floor(r / 2) + Math.floor(c / 3)) % 2 === 0;
    case 5: return ((r * c) % 2) + ((r * c) % 3) === 0;
    case 6: return (((r * c) % 2) + ((r * c) % 3)) % 2 === 0;
    default: return (((r + c) % 2) + ((r * c) % 3)) % 2 === 0;
  }
}

const FINDER_THEN_LIGHT = 0b10111010000;
const LIGHT_THEN_FINDER = 0b00001011101;

/** The standard's penalty score: runs, 2x2 blocks, finder-like patterns, and the balance of dark and light. */
function penalty(d: Uint8Array, n: number): number {
  let score = 0;
  for (let line = 0; line < n; line++) {
    // The row `line`, then the column `line`.
    for (let dir = 0; dir < 2; dir++) {
      let run = 0;
      let prev = -1;
      let window = 0;
      for (let k = 0; k < n; k++) {
        const v = dir === 0 ? d[line * n + k]! : d[k * n + line]!;
        if (v === prev) run++;
        else {
          if (run >= 5) score += run - 2;
          run = 1;
          prev = v;
        }
        window = ((window << 1) | v) & 0x7ff;
        if (k >= 10 && (window === FINDER_THEN_LIGHT || window === LIGHT_THEN_FINDER)) score += 40;
      }
      if (run >= 5) score += run - 2;
    }
  }
  let dark = 0;
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++) {
      const v = d[r * n + c]!;
      dark += v;
      if (r + 1 < n && c + 1 < n && v === d[r * n + c + 1] && v === d[(r + 1) * n + c] && v === d[(r + 1) * n + c + 1]) score += 3;
    }
  return score + Math.floor(Math.abs(dark * 20 - n * n * 10) / (n * n)) * 10;
}

/** The smallest version at level M that holds the data, with the mask the standard's penalty prefers. */
export function encodeQr(text: string): QrCode {
  let version = 1;
  let bits: number[] | undefined;
  for (; version <= 40; version++) if ((bits = encodeData(text, version))) break;
  if (!bits) throw new RangeError(`${new TextEncoder().encode(text).length} bytes is more than the largest QR code holds at level M`);
  const size = version * 4 + 17;
  const base = new Matrix(size);
  functionPatterns(base, version);
  placeData(base, codewords(bits, version));
  let best: { score: number; cells: Uint8Array } | undefined;
  const m = new Matrix(size);
  for (let mask = 0; mask < 8; mask++) {
    m.dark.set(base.dark);
    m.fixed.set(base.fixed);
    for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) if (!base.fixed[r * size + c] && masked(mask, r, c)) m.dark[r * size + c]! ^= 1;
    format(m, mask);
    const score = penalty(m.dark, size);
    if (!best || score < best.score) best = { score, cells: m.dark.slice() };
  }
  return { size, cells: best!.cells };
}
