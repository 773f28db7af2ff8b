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
const SETS: readonly CodeSet[] = ['A', 'B', 'C'];

const inA = (c: number) => c < 96;
const inB = (c: number) => c >= 32 && c < 128;
const valueA = (c: number) => (c < 32 ? c + 64 : c - 32);
const isDigit = (c: number) => c >= 48 && c <= 57;

/** True when this encoder handles the data (ASCII only); otherwise use bwip-js. */
export const code128Encodable = (data: string) => data.length > 0 && /^[\x00-\x7f]*$/.test(data);

/** Symbol values from the start character to the check character (the stop is added when drawing). */
export function code128Values(data: string): number[] {
  const s = [...data].map((ch) => ch.charCodeAt(0));
  const n = s.length;
  // cost[i][set]: fewest symbol characters for s[i..] when the symbol is in `set` before s[i].
  const cost = Array.from({ length: n + 1 }, () => ({ A: 0, B: 0, C: 0 }) as Record<CodeSet, number>);
  // step[i][set]: what to do there: [set to switch to first (or null), characters consumed, shift?]
  const step: Array<Record<CodeSet, [CodeSet | null, number, boolean]>> = new Array(n);
  for (let i = n - 1; i >= 0; i--) {
    const here = {} as Record<CodeSet, number>;
    const how = {} as Record<CodeSet, [CodeSet | null, number, boolean]>;
    // Encoding s[i..] starting in `set` without a switch first; Infinity where that set cannot take s[i].
    const direct = (set: CodeSet): [number, number, boolean] => {
      const c = s[i]!;
      if (set === 'C') return i + 1 < n && isDigit(c) && isDigit(s[i + 1]!) ? [1 + cost[i + 2]!.C, 2, false] : [Infinity, 0, false];
      if (set === 'A' ? inA(c) : inB(c)) return [1 + cost[i + 1]![set], 1, false];
      return [2 + cost[i + 1]![set], 1, true]; // shift: the other of A and B for one character
    };
    for (const set of SETS) {
      const [stay, used, shift] = direct(set);
      here[set] = stay;
      how[set] = [null, used, shift];
      for (const other of SETS) {
        if (other === set) continue;
        const [then, otherUsed, otherShift] = direct(other);
        if (1 + then < here[set]) {
          here[set] = 1 + then;
          how[set] = [other, otherUsed, otherShift];
        }
      }
    }
    cost[i] = here;
    step[i] = how;
  }
  // The start character picks the first set for free: choose the one with the cheapest rest.
  let set = SETS.reduce((best, x) => (n === 0 || cost[0]![x] < cost[0]![best] ? x : best), 'B' as CodeSet);
  const values: number[] = [START[set]];
  for (let i = 0; i < n; ) {
    const [to, used, shift] = step[i]![set];
    if (to) {
      values.push(CODE[to]);
      set = to;
    }
    const c = s[i]!;
    if (set === 'C') values.push((c - 48) * 10 + (s[i + 1]! - 48));
    else if (shift) values.push(SHIFT, set === 'A' ? c - 32 : valueA(c));
    else values.push(set === 'A' ? valueA(c) : c - 32);
    i += used;
  }
  values.push(values.reduce((sum, v, k) => sum + v * Math.max(1, k), 0) % 103);
  return values;
}

/** Bar and space widths in modules, starting with a bar, without quiet zones. */
export function encodeCode128(data: string): number[] {
  return [...code128Values(data), STOP].flatMap((v) => PATTERNS[v]!);
}
