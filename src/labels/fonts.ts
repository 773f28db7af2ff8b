// The label fonts (DejaVu Sans Condensed, in templates/fonts), with fallback fonts for characters they lack (Chinese,
// Japanese, symbols): loaded once, measured per character for layout.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { folders } from '../lib/template-folders.js';
import { readFontMetrics, type FontMetrics } from './font-metrics.js';

export type Weight = 'regular' | 'bold';

const FILES: Record<Weight, string> = { regular: 'DejaVuSansCondensed.ttf', bold: 'DejaVuSansCondensed-Bold.ttf' };

/** Drawn for a character no font has, so the gap is visible rather than a "?" that reads like data. */
export const MISSING_GLYPH = '\u25a1';

/** A font used for characters the label font lacks. */
export interface FallbackFont {
  path: string;
  bytes: Uint8Array;
  metrics: FontMetrics;
}

export interface LabelFont {
  bytes: Uint8Array;
  /** Width of a text at size 1 (multiply by the size in mm), each character measured in the font that draws it. */
  width(text: string): number;
  /** Whether this font or a fallback can draw the character. */
  hasGlyph(codePoint: number): boolean;
  /** 0 when this font draws the character, i when fallback i - 1 does, -1 when none does. */
  fontFor(codePoint: number): number;
  /** The fallback fonts, loaded on first need. */
  fallbacks(): readonly FallbackFont[];
  /** Files of this font and its fallbacks, for renderers that load fonts themselves (the preview). */
  files(): string[];
  /** Characters asked for that no font has (for a warning). */
  readonly missing: Set<number>;
}

const cache = new Map<string, Record<Weight, LabelFont>>();

/** Other font files in the fonts folders (the shop's first), then the configured ones that exist, in that order. */
function fallbackFiles(fontsDirs: readonly string[], extra: readonly string[]): string[] {
  const own = new Set(Object.values(FILES));
  const local = fontsDirs.flatMap((dir) => {
    try {
      return readdirSync(dir)
        .filter((f) => /\.(ttf|otf)$/i.test(f) && !own.has(f))
        .sort()
        .map((f) => join(dir, f));
    } catch {
      return []; // no folder: no local fallbacks
    }
  });
  return [...local, ...extra.filter((f) => existsSync(f))];
}

/** The label fonts from the first of `fontsDirs` that has them (a shop's folder, then the shipped one). */
export function loadFonts(fontsDirs: string | readonly string[], extraFallbacks: readonly string[] = []): Record<Weight, LabelFont> {
  const dirs = folders(fontsDirs);
  const key = `${dirs.join('\u0000')}\u0000\u0000${extraFallbacks.join('\u0000')}`;
  const cached = cache.get(key);
  if (cached) return cached;
  // Parsed on first need: most labels never need them, and a CJK font is megabytes.
  let loaded: FallbackFont[] | undefined;
  const fallbacks = () =>
    (loaded ??= fallbackFiles(dirs, extraFallbacks).flatMap((path) => {
      try {
        const bytes = new Uint8Array(readFileSync(path));
        return [{ path, bytes, metrics: readFontMetrics(bytes) }];
      } catch {
        return []; // an unreadable font is skipped; its characters show as missing
      }
    }));
  const load = (weight: Weight): LabelFont => {
    const path = dirs.map((dir) => join(dir, FILES[weight])).find((f) => existsSync(f)) ?? join(dirs.at(-1)!, FILES[weight]);
    const bytes = new Uint8Array(readFileSync(path));
    const metrics = readFontMetrics(bytes);
    const widths = new Map<number, number>();
    const owners = new Map<number, number>();
    const missing = new Set<number>();
    const fontFor = (cp: number): number => {
      let owner = owners.get(cp);
      if (owner === undefined) {
        owner = metrics.glyphFor(cp) ? 0 : fallbacks().findIndex((f) => f.metrics.glyphFor(cp)) + 1 || -1;
        if (owner === -1) missing.add(cp);
        owners.set(cp, owner);
      }
      return owner;
    };
    const advance = (cp: number) => {
      let w = widths.get(cp);
      if (w === undefined) {
        const owner = fontFor(cp);
        const m = owner > 0 ? fallbacks()[owner - 1]!.metrics : metrics;
        w = m.advance(m.glyphFor(cp)) / m.unitsPerEm;
        widths.set(cp, w);
      }
      return w;
    };
    return {
      bytes,
      width(text) {
        let total = 0;
        for (const ch of text) total += advance(ch.codePointAt(0)!);
        return total;
      },
      hasGlyph: (cp) => fontFor(cp) >= 0,
      fontFor,
      fallbacks,
      files: () => [path, ...fallbacks().map((f) => f.path)],
      missing,
    };
  };
  const fonts = { regular: load('regular'), bold: load('bold') };
  cache.set(key, fonts);
  return fonts;
}
