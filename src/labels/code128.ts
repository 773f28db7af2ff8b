// Code 128 (ISO/IEC 15417) for ASCII data, with the fewest symbol characters: the serial under every hose tag.
//
// bwip-js took ~0.12 ms per symbol, a tenth of a PDF tag's time once Data Matrix was fast. The width of a Code 128
// symbol depends only on how many symbol characters it has, and every minimal encoding has the same number, so this
// gives the same width as bwip-js and as a printer's own automatic mode (ZPL ^BC...,A), which the label layout relies
// on. GS1-128 and data beyond ASCII stay with bwip-js.

/** Bar and space widths of symbol values 0 to 106 (106, the stop, has a seventh element: its final bar). */
const PATTERNS = (
  '212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 221312 231212 112232 122132 122231 113222 ' +
  '123122 123221 223211 221132 221231 213212 223112 312131 311222 321122 321221 312212 322112 322211 212123 212321 ' +
  '232121 111323 131123 131321 112313 132113 132311 211313 231113 231311 112133 112331 132131 113123 113321 133121 ' +
  '313121 211331 231131 213113 213311 213131 311123 311321 331121 312113 312311 332111 314111 221411 431111 111224 ' +
  '111422 121124 121421 141122 141221 112214 112412 122114 122411 142112 142211 241211 221114 413111 241112 134111 ' +
  '111242 121142 121241 114212 124112 124211 411212 421112 421211 212141 214121 412121 111143 111341 131141 114113 ' +
  '114311 411113 411311 113141 114131 311141 411131 211412 211214 211232 2331112'
)
  .split(' ')
  .map((p) => [...p].map(Number));

const SHIFT = 98;
const CODE = { C: 99, B: 100, A: 101 } as const;
const START = { A: 103, B: 104, C: 105 } as const;
const STOP = 106;

type CodeSet = 'A' | 'B' | 'C';

const inA = (c: number) => c < 96;
const inB = (c: number) => c >= 32 && c < 128;
const valueA = (c: number) => (c < 32 ? c + 64 : c - 32);
const isDigit = (c: number) => c >= 48 && c <= 57;

/** True when this encoder handles the data (ASCII only); otherwise use bwip-js. */
export const code128Encodable = (data: string) => data.length > 0 && /^[\x00-\x7f]*$/.test(data);

// Sets by index in the planning tables.
const A = 0;
const B = 1;
const C = 2;
const SET_NAMES: readonly CodeSet[] = ['A', 'B', 'C'];

interface Plan {
  /** cost[i * 3 + set]: fewest symbol characters for s[i..] when the symbol is in `set` before s[i]. */
  cost: Float64Array;
  /** The step that achieves it: the set to switch to first (-1: none), characters consumed, shifted (1) or not. */
  switchTo: Int8Array;
  used: Int8Array;
  shifted: Int8Array;
}

/** Fewest symbol characters, by dynamic programming from the end of the data (typed arrays: one per tag). */
function plan(s: readonly number[]): Plan {
  const n = s.length;
  const p: Plan = { cost: new Float64Array((n + 1) * 3), switchTo: new Int8Array(n * 3), used: new Int8Array(n * 3), shifted: new Int8Array(n * 3) };
  const direct = new Float64Array(3);
  const directUsed = new Int8Array(3);
  const directShift = new Int8Array(3);
  for (let i = n - 1; i >= 0; i--) {
    const c = s[i]!;
    // Encoding s[i..] in each set without switching first; Infinity where the set cannot take s[i].
    const pair = i + 1 < n && isDigit(c) && isDigit(s[i + 1]!);
    direct[C] = pair ? 1 + p.cost[(i + 2) * 3 + C]! : Infinity;
    directUsed[C] = 2;
    directShift[C] = 0;
    for (const set of [A, B]) {
      const native = set === A ? inA(c) : inB(c);
      direct[set] = (native ? 1 : 2) + p.cost[(i + 1) * 3 + set]!; // 2: a shift to the other of A and B
      directUsed[set] = 1;
      directShift[set] = native ? 0 : 1;
    }
    for (let set = 0; set < 3; set++) {
      let best = direct[set]!;
      let to = -1;
      for (let other = 0; other < 3; other++) {
        if (other !== set && 1 + direct[other]! < best) {
          best = 1 + direct[other]!;
          to = other;
        }
      }
      const k = i * 3 + set;
      const via = to < 0 ? set : to;
      p.cost[k] = best;
      p.switchTo[k] = to;
      p.used[k] = directUsed[via]!;
      p.shifted[k] = directShift[via]!;
    }
  }
  return p;
}

const codes = (data: string) => [...data].map((ch) => ch.charCodeAt(0));
/** The start character picks the first set for free: the one with the cheapest rest. */
const firstSet = (cost: Float64Array) => (cost[C]! < Math.min(cost[A]!, cost[B]!) ? C : cost[A]! < cost[B]! ? A : B);

/**
 * The symbol's width in modules (without quiet zones), without drawing it: what a ZPL layout needs, once per tag. The
 * same dynamic programming as plan(), keeping only the two positions it looks ahead to, so it allocates nothing (the
 * plan's arrays were a sixth of what a ZPL tag allocated).
 */
export function code128Modules(data: string): number {
  const n = data.length;
  // Fewest symbol characters for data[i + 1..] and data[i + 2..], per set before them.
  let a1 = 0;
  let b1 = 0;
  let c1 = 0;
  let c2 = 0;
  for (let i = n - 1; i >= 0; i--) {
    const c = data.charCodeAt(i);
    const dC = i + 1 < n && isDigit(c) && isDigit(data.charCodeAt(i + 1)) ? 1 + c2 : Infinity;
    const dA = (inA(c) ? 1 : 2) + a1;
    const dB = (inB(c) ? 1 : 2) + b1;
    c2 = c1;
    a1 = Math.min(dA, 1 + dB, 1 + dC);
    b1 = Math.min(dB, 1 + dA, 1 + dC);
    c1 = Math.min(dC, 1 + dA, 1 + dB);
  }
  // The start character picks the cheapest set for free.
  return 11 * (2 + Math.min(a1, b1, c1)) + 13; // start, data, check; the stop is 13 modules
}

/** Symbol values from the start character to the check character (the stop is added when drawing). */
export function code128Values(data: string): number[] {
  const s = codes(data);
  const p = plan(s);
  let set = firstSet(p.cost);
  const values: number[] = [START[SET_NAMES[set]!]];
  for (let i = 0; i < s.length; ) {
    const k = i * 3 + set;
    if (p.switchTo[k]! >= 0) {
      set = p.switchTo[k]!;
      values.push(CODE[SET_NAMES[set]!]);
    }
    const c = s[i]!;
    if (set === C) values.push((c - 48) * 10 + (s[i + 1]! - 48));
    else if (p.shifted[k]) values.push(SHIFT, set === A ? c - 32 : valueA(c));
    else values.push(set === A ? valueA(c) : c - 32);
    i += p.used[k]!;
  }
  values.push(values.reduce((sum, v, k) => sum + v * Math.max(1, k), 0) % 103);
  return values;
}

/** Bar and space widths in modules, starting with a bar, without quiet zones. */
export function encodeCode128(data: string): number[] {
  return [...code128Values(data), STOP].flatMap((v) => PATTERNS[v]!);
}
