// Layout measures text with our own reader of a font's character map and widths; fontkit (which pdf-lib embeds fonts
// with) is the reference it must agree with, character for character, in every font the station uses.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import { describe, expect, it } from 'vitest';
import { FontFormatError, readFontMetrics } from '../../src/labels/font-metrics.js';
import { TEMPLATES_DIR } from '../helpers/labels.js';

const FONTS = [
  join(TEMPLATES_DIR, 'fonts', 'DejaVuSansCondensed.ttf'),
  join(TEMPLATES_DIR, 'fonts', 'DejaVuSansCondensed-Bold.ttf'),
  // scripts/setup-tests.sh installs these: the fallbacks for Chinese and Japanese, and for symbols (a format 12 map)
  '/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf',
  '/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf',
];

// The Basic Multilingual Plane and the symbol and emoji blocks past it.
const CODE_POINTS = [...range(0, 0xffff), ...range(0x1d400, 0x1d7ff), ...range(0x1f000, 0x1faff), 0x10ffff];

function* range(from: number, to: number) {
  for (let cp = from; cp <= to; cp++) yield cp;
}

/**
 * A copy of the font whose full-repertoire maps (format 12) are hidden, so that its BMP map (format 4) is read; with
 * `wrapped`, that map's 16-bit length also says less than it holds, as in big CJK fonts where the field overflowed.
 */
function bmpMapOnly(bytes: Uint8Array, wrapped = false): Uint8Array {
  const copy = bytes.slice();
  const view = new DataView(copy.buffer);
  const tables = view.getUint16(4);
  for (let i = 0; i < tables; i++) {
    if (String.fromCharCode(...copy.subarray(12 + i * 16, 16 + i * 16)) !== 'cmap') continue;
    const cmap = view.getUint32(12 + i * 16 + 8);
    for (let j = 0; j < view.getUint16(cmap + 2); j++) {
      const record = cmap + 4 + j * 8;
      const sub = cmap + view.getUint32(record + 4);
      if (view.getUint16(sub) === 12) view.setUint16(record, 1); // a Macintosh map: not read
      if (view.getUint16(sub) === 4 && wrapped) view.setUint16(sub + 2, 16 + view.getUint16(sub + 6) * 4); // past the end codes: short
    }
  }
  return copy;
}

function compare(path: string, map: (bytes: Uint8Array) => Uint8Array, codePoints: Iterable<number>) {
  expect(existsSync(path)).toBe(true);
  const bytes = new Uint8Array(readFileSync(path));
  const ours = readFontMetrics(map(bytes));
  const reference = fontkit.create(bytes) as ReturnType<typeof fontkit.create> & { getGlyph(id: number): { advanceWidth: number } };
  expect(ours.unitsPerEm).toBe(reference.unitsPerEm);
  const widths = new Map<number, number>();
  let mapped = 0;
  const differ: string[] = [];
  for (const cp of codePoints) {
    const glyph = reference.hasGlyphForCodePoint(cp) ? reference.glyphForCodePoint(cp).id : 0;
    if (glyph) mapped++;
    let width = widths.get(glyph);
    if (width === undefined) widths.set(glyph, (width = reference.getGlyph(glyph).advanceWidth));
    if (ours.glyphFor(cp) !== glyph || ours.advance(ours.glyphFor(cp)) !== width) differ.push(cp.toString(16));
  }
  expect(differ.slice(0, 10)).toEqual([]);
  expect(mapped).toBeGreaterThan(3000); // the fonts are real: thousands of characters, not an empty map agreeing
}

describe('font metrics', () => {
  it.each(FONTS)('maps every character and measures every glyph as fontkit does: %s', (path) => {
    compare(path, (bytes) => bytes, CODE_POINTS);
  });

  it.each(FONTS.slice(0, 3))('reads the BMP map (format 4) of a font without a full one as fontkit reads its full map: %s', (path) => {
    compare(path, bmpMapOnly, range(0, 0xffff));
  });

  it.each(FONTS.slice(0, 3))('reads a BMP map whose length field wrapped as fontkit does: %s', (path) => {
    compare(path, (bytes) => bmpMapOnly(bytes, true), range(0, 0xffff));
  });

  it('refuses what is not a font, and a font cut short, with a reason', () => {
    expect(() => readFontMetrics(new TextEncoder().encode('<html>not a font</html>'))).toThrow(new FontFormatError('not a TrueType or OpenType font'));
    const whole = new Uint8Array(readFileSync(FONTS[0]!));
    expect(() => readFontMetrics(whole.subarray(0, 2000))).toThrow(/lies past its end/);
    expect(() => readFontMetrics(new Uint8Array(2))).toThrow(FontFormatError);
  });
});
