import bwipjs from 'bwip-js';
import { describe, expect, it } from 'vitest';
import { encodeQr, qrBlocks, rawDataModules } from '../../src/labels/qr.js';
import { decodeBarcodes, matrixPng } from '../helpers/barcodes.js';

const scan = async (text: string) => {
  const q = encodeQr(text);
  return { version: (q.size - 17) / 4, found: await decodeBarcodes(matrixPng(q.size, q.cells, 3, 4)) };
};

describe('QR code encoder', () => {
  it('has a block table that fills every version exactly', () => {
    for (let v = 1; v <= 40; v++) {
      const [ec, b1, d1, b2, d2] = qrBlocks(v);
      expect((b1 + b2) * ec + b1 * d1 + b2 * d2, `version ${v}`).toBe(Math.floor(rawDataModules(v) / 8));
      if (b2) expect(d2, `version ${v}`).toBe(d1 + 1);
    }
  });

  it('scans back in every version, 1 to 40', async () => {
    for (let v = 1; v <= 40; v++) {
      const [, b1, d1, b2, d2] = qrBlocks(v);
      const capacity = b1 * d1 + b2 * d2;
      const countBytes = v <= 9 ? 1 : 2;
      // Bytes that fill the version: 4 bits of mode + the count, then the data.
      const n = capacity - countBytes - 1;
      const text = Array.from({ length: n }, (_, i) => String.fromCharCode(97 + ((i * 7) % 26))).join('');
      const { version, found } = await scan(text);
      expect(version, `version ${v}`).toBe(v);
      expect(found, `version ${v}`).toEqual([{ format: 'QRCode', text }]);
    }
  });

  it('scans back digits, capitals and Unicode in the mode each needs, never larger than one version over bwip-js', async () => {
    for (const text of ['0', '12345678901234567890', 'HA-1085 REV B', 'WO-24010/10 x 6', 'Kühlmittel Ø16 — 350 bar', 'https://shop.example/wo/WO-24010?line=10']) {
      const { version, found } = await scan(text);
      expect(found, text).toEqual([{ format: 'QRCode', text }]);
      const theirs = (bwipjs.raw('qrcode', text, { eclevel: 'M' } as never)[0] as { pixx: number }).pixx;
      expect(version, text).toBeLessThanOrEqual((theirs - 17) / 4 + 1);
    }
  });

  it('says when the data is too long for any version', () => {
    expect(() => encodeQr('x'.repeat(2400))).toThrow(/largest QR code/);
  });
});
