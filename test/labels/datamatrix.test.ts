import { describe, expect, it } from 'vitest';
import { dataMatrixCodewords, dataMatrixSize, encodeDataMatrix } from '../../src/labels/datamatrix.js';
import { decodeBarcodes, matrixPng } from '../helpers/barcodes.js';

const decode = async (text: string) => {
  const m = encodeDataMatrix(text);
  return { size: m.size, found: await decodeBarcodes(matrixPng(m.size, m.cells, 4, 2)) };
};

describe('Data Matrix encoder', () => {
  it('packs digit pairs, shifts high bytes and announces UTF-8', () => {
    expect(dataMatrixCodewords('A1')).toEqual([66, 50]);
    expect(dataMatrixCodewords('1234')).toEqual([130 + 12, 130 + 34]);
    expect(dataMatrixCodewords('12a')).toEqual([142, 98]);
    expect(dataMatrixCodewords('Ø')).toEqual([241, 27, 235, 0xc3 - 127, 235, 0x98 - 127]);
  });

  // One string per symbol size, 10x10 up to 144x144 (interleaved blocks from 52x52 on, the uneven blocks of 144x144).
  const capacities = [3, 5, 8, 12, 18, 22, 30, 36, 44, 62, 86, 114, 144, 174, 204, 280, 368, 456, 576, 696, 816, 1050, 1304, 1558];
  const sizes = [10, 12, 14, 16, 18, 20, 22, 24, 26, 32, 36, 40, 44, 48, 52, 64, 72, 80, 88, 96, 104, 120, 132, 144];
  it.each(capacities.map((cap, i) => [sizes[i]!, cap] as const))('fills a %ix%i symbol to capacity and it scans back', async (size, cap) => {
    // Letters only (one codeword each) with a varying pattern, filling the symbol exactly.
    const text = Array.from({ length: cap }, (_, i) => String.fromCharCode(65 + ((i * 7) % 26))).join('');
    const { size: got, found } = await decode(text);
    expect(got).toBe(size);
    expect(dataMatrixSize(text)).toBe(size);
    expect(found).toEqual([{ format: 'DataMatrix', text }]);
  });

  it('pads short data and scans back tag data, punctuation, digits and Unicode', async () => {
    for (const text of ['BP000123|WO-24005|1|H-1234-0400', '0', '00000000000000000000000000001', 'a b\tc~^FD>', 'Kühlmittel Ø16 — 350 bar', '日本語のホース']) {
      const { found } = await decode(text);
      expect(found).toEqual([{ format: 'DataMatrix', text }]);
    }
  });

  it('tells the size a symbol will have without drawing it, the same as drawn, for digits, letters, controls and Unicode', () => {
    let seed = 11;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const alphabets = ['0123456789', 'BP0123456789|-', 'ab\t\u0001 09', '0123456789Øü日'];
    for (let k = 0; k < 300; k++) {
      const alphabet = [...alphabets[k % alphabets.length]!];
      const text = Array.from({ length: 1 + rnd(k < 200 ? 60 : 400) }, () => alphabet[rnd(alphabet.length)]).join('');
      expect(dataMatrixSize(text), JSON.stringify(text)).toBe(encodeDataMatrix(text).size);
    }
  });

  it('says when the data is too long for any symbol', () => {
    expect(() => encodeDataMatrix('x'.repeat(1559))).toThrow(/largest Data Matrix/);
    expect(encodeDataMatrix('1'.repeat(3116)).size).toBe(144);
  });
});
