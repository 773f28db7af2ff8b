import { execFileSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeLabelData, encodeLabelData } from '../../src/queue/label-data-codec.js';

describe('label data codec', () => {
  it('gives back every label as it was: shared objects, equal copies, fields some labels lack, values that differ', () => {
    const wo = { number: 'WO-1', customer: { name: 'Acme' } };
    const labels = Array.from({ length: 300 }, (_, i) => ({
      wo, // the same object in every label
      shop: { name: 'Hose & Co' }, // an equal copy in every label
      serial: `BP${i}`,
      of: `${i + 1} of 300`,
      ...(i % 7 === 0 ? { note: 'rush' } : {}),
      cut: i < 150 ? 10 : 12,
      blank: undefined,
    }));
    const decoded = decodeLabelData(encodeLabelData(labels)) as Array<Record<string, unknown>>;
    expect(decoded).toEqual(JSON.parse(JSON.stringify(labels)));
    expect(decoded.filter((l) => 'note' in l)).toHaveLength(43);
  });

  it('keeps what every label shares once', () => {
    const wo = { number: 'WO-1', lines: Array.from({ length: 50 }, (_, i) => ({ line: i, text: 'x'.repeat(40) })) };
    const labels = Array.from({ length: 1000 }, (_, i) => ({ wo, serial: `BP${i}` }));
    const packed = JSON.parse(gunzipSync(encodeLabelData(labels)).toString()) as { shared: Record<string, unknown>; rows: unknown[] };
    expect(Object.keys(packed.shared)).toEqual(['wo']);
    expect(packed.rows[999]).toEqual({ serial: 'BP999' });
  });

  it('keeps a list of other values as a list', () => {
    expect(decodeLabelData(encodeLabelData(['a', 1, null]))).toEqual(['a', 1, null]);
    expect(decodeLabelData(encodeLabelData([{ a: 1 }, 'b']))).toEqual([{ a: 1 }, 'b']);
  });

  it('writes gzip every reader takes: one small label as it is, many compressed', () => {
    const one = [{ wo: { number: 'WO-7' }, serial: 'BP1', note: 'Ø 1/2" hose, 120 °C, 5 µm — “rush”' }];
    const small = encodeLabelData(one);
    // What an older bench does with it (from the ledger), and gzip itself.
    expect(JSON.parse(gunzipSync(small).toString('utf8'))).toEqual({ v: 2, shared: one[0], rows: [{}] });
    expect(JSON.parse(execFileSync('gzip', ['-dc'], { input: small }).toString('utf8')).shared).toEqual(one[0]);
    expect(decodeLabelData(small)).toEqual(one);
    expect(small.includes(Buffer.from('"serial":"BP1"'))).toBe(true); // kept as it is: too small to be worth compressing
    const many = Array.from({ length: 200 }, (_, i) => ({ ...one[0], serial: `BP${i}`, of: `${i + 1} of 200` }));
    const big = encodeLabelData(many);
    expect(big.length).toBeLessThan(JSON.stringify(many).length / 10);
    expect(JSON.parse(execFileSync('gzip', ['-dc'], { input: big }).toString('utf8')).rows).toHaveLength(200);
    expect(decodeLabelData(big)).toEqual(many);
  });
});
