// The label fonts (DejaVu Sans Condensed, in templates/fonts): loaded once, measured per character for layout.
import { lazy } from '../lib/lazy.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Weight = 'regular' | 'bold';

const fontkit = lazy<typeof import('@pdf-lib/fontkit')>('@pdf-lib/fontkit');

const FILES: Record<Weight, string> = { regular: 'DejaVuSansCondensed.ttf', bold: 'DejaVuSansCondensed-Bold.ttf' };

export interface LabelFont {
  bytes: Uint8Array;
  /** Width of a text at size 1 (multiply by the size in mm). */
  width(text: string): number;
  /** Characters the font cannot draw are replaced before layout, so every output shows the same text. */
  hasGlyph(codePoint: number): boolean;
  ascent: number;
  capHeight: number;
}

const cache = new Map<string, Record<Weight, LabelFont>>();

export function loadFonts(fontsDir: string): Record<Weight, LabelFont> {
  const cached = cache.get(fontsDir);
  if (cached) return cached;
  const load = (weight: Weight): LabelFont => {
    const bytes = new Uint8Array(readFileSync(join(fontsDir, FILES[weight])));
    const font = fontkit().create(bytes);
    const scale = 1 / font.unitsPerEm;
    const widths = new Map<number, number>();
    const advance = (cp: number) => {
      let w = widths.get(cp);
      if (w === undefined) {
        w = font.glyphForCodePoint(cp).advanceWidth * scale;
        widths.set(cp, w);
      }
      return w;
    };
    const glyphs = new Map<number, boolean>();
    return {
      bytes,
      width(text) {
        let total = 0;
        for (const ch of text) total += advance(ch.codePointAt(0)!);
        return total;
      },
      hasGlyph(cp) {
        let has = glyphs.get(cp);
        if (has === undefined) {
          has = font.hasGlyphForCodePoint(cp);
          glyphs.set(cp, has);
        }
        return has;
      },
      ascent: font.ascent * scale,
      capHeight: font.capHeight * scale,
    };
  };
  const fonts = { regular: load('regular'), bold: load('bold') };
  cache.set(fontsDir, fonts);
  return fonts;
}
