import bwipjs from 'bwip-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { code128Modules, code128Values, encodeCode128 } from '../../src/labels/code128.js';
import { decodeBarcodes } from '../helpers/barcodes.js';

/** Bars as a PNG: 2 px per module, 10-module quiet zones, 40 px high. */
function toPng(widths: number[]): Uint8Array {
  const modules = widths.reduce((a, b) => a + b, 0) + 20;
  const png = new PNG({ width: modules * 2, height: 40 });
  png.data.fill(255);
  let x = 10;
  widths.forEach((w, i) => {
    if (i % 2 === 0)
      for (let px = x * 2; px < (x + w) * 2; px++)
        for (let y = 0; y < 40; y++) png.data.fill(0, (y * png.width + px) * 4, (y * png.width + px) * 4 + 3);
    x += w;
  });
  return new Uint8Array(PNG.sync.write(png));
}

const bwipModules = (data: string) => (bwipjs.raw('code128', data, {} as never)[0] as { sbs: number[] }).sbs.reduce((a, b) => a + b, 0);

describe('Code 128 encoder', () => {
  it('starts in C for digits, switches for letters, and shifts for a single odd character', () => {
    expect(code128Values('123456').slice(0, -1)).toEqual([105, 12, 34, 56]);
    expect(code128Values('BP260001234').slice(0, 3)).toEqual([104, 34, 48]);
    expect(code128Values('ab\ncd').slice(0, -1)).toEqual([104, 65, 66, 98, 74, 67, 68]);
  });

  it('scans back every symbol value: all digit pairs, printable ASCII and control characters', async () => {
    const digits = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0')).join('');
    const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
    // zxing shows control characters by name.
    const cases = [[digits], [printable], ['CTRL\x01\x02\x1f\x7fEND', 'CTRL<SOH><STX><US><DEL>END'], ['BP260001234'], ['7'], ['WO-24005/10']];
    for (const [text, shown] of cases) {
      const found = await decodeBarcodes(toPng(encodeCode128(text!)));
      expect(found).toEqual([{ format: 'Code128', text: shown ?? text }]);
    }
  });

  it('is as short as bwip-js for every kind of data, so ZPL and PDF widths stay equal', () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const alphabets = ['0123456789', 'ABCDEFGHIJ0123456789-', 'abcxyz0123456789', 'AB\n\t0123456789az'];
    for (let k = 0; k < 400; k++) {
      const alphabet = alphabets[k % alphabets.length]!;
      const text = Array.from({ length: 1 + rnd(24) }, () => alphabet[rnd(alphabet.length)]).join('');
      expect(encodeCode128(text).reduce((a, b) => a + b, 0), JSON.stringify(text)).toBe(bwipModules(text));
      expect(code128Modules(text), JSON.stringify(text)).toBe(bwipModules(text));
    }
  });
});
