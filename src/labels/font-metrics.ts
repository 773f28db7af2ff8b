// What layout needs of a font, read straight from its tables: which glyph a character maps to (cmap) and how wide that
// glyph is (hmtx, in units of head's unitsPerEm). Layout runs on the main thread for ZPL, previews and datasheets;
// fontkit, which pdf-lib needs to embed fonts in a PDF, costs that thread ~12 MB of heap to parse its own code, for two
// tables a few dozen lines can read.

/** A font's character map and advance widths. */
export interface FontMetrics {
  unitsPerEm: number;
  /** The glyph drawing a character, 0 (.notdef) when the font has none. */
  glyphFor(codePoint: number): number;
  /** A glyph's advance width in font units. */
  advance(glyph: number): number;
}

/** Thrown for a file that is not a TrueType or OpenType font, or one whose tables are cut short. */
export class FontFormatError extends Error {}

/** Reads a TrueType or OpenType font (a collection gives its first font). */
export function readFontMetrics(bytes: Uint8Array): FontMetrics {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = (offset: number, size: number, what: string) => {
    if (offset < 0 || offset + size > bytes.byteLength) throw new FontFormatError(`the font's ${what} lies past its end`);
    return offset;
  };
  let start = 0;
  if (tag(view, at(0, 4, 'header')) === 'ttcf') start = view.getUint32(at(12, 4, 'collection header'));
  const version = view.getUint32(at(start, 12, 'header'));
  if (version !== 0x00010000 && version !== 0x4f54544f /* OTTO */ && version !== 0x74727565 /* true */) {
    throw new FontFormatError('not a TrueType or OpenType font');
  }
  const tables = new Map<string, { offset: number; length: number }>();
  const count = view.getUint16(start + 4);
  for (let i = 0; i < count; i++) {
    const record = at(start + 12 + i * 16, 16, 'table directory');
    tables.set(tag(view, record), { offset: view.getUint32(record + 8), length: view.getUint32(record + 12) });
  }
  const table = (name: string, least: number) => {
    const t = tables.get(name);
    if (!t) throw new FontFormatError(`the font has no ${name} table`);
    at(t.offset, Math.max(least, t.length), `${name} table`);
    return t.offset;
  };

  const unitsPerEm = view.getUint16(table('head', 54) + 18);
  const hMetrics = view.getUint16(table('hhea', 36) + 34);
  if (unitsPerEm === 0 || hMetrics === 0) throw new FontFormatError('the font has no units per em or no advance widths');
  const hmtx = table('hmtx', hMetrics * 4);
  const cmap = table('cmap', 4);
  const lookup = characterMap(view, cmap, cmap + tables.get('cmap')!.length, at);
  return {
    unitsPerEm,
    glyphFor: lookup,
    // Glyphs past the last full metric share its advance (monospaced tails).
    advance: (glyph) => view.getUint16(hmtx + Math.min(glyph, hMetrics - 1) * 4),
  };
}

function tag(view: DataView, offset: number): string {
  return String.fromCharCode(view.getUint8(offset), view.getUint8(offset + 1), view.getUint8(offset + 2), view.getUint8(offset + 3));
}

type Bounds = (offset: number, size: number, what: string) => number;

/** The best Unicode subtable: full repertoire (format 12) before the Basic Multilingual Plane (format 4). */
function characterMap(view: DataView, cmap: number, cmapEnd: number, at: Bounds): (codePoint: number) => number {
  const count = view.getUint16(cmap + 2);
  let bmp: number | undefined;
  let full: number | undefined;
  for (let i = 0; i < count; i++) {
    const record = at(cmap + 4 + i * 8, 8, 'cmap');
    const platform = view.getUint16(record);
    const encoding = view.getUint16(record + 2);
    const sub = cmap + view.getUint32(record + 4);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    if (!unicode) continue;
    const format = view.getUint16(at(sub, 2, 'cmap'));
    if (format === 12) full ??= sub;
    else if (format === 4) bmp ??= sub;
  }
  if (full !== undefined) return format12(view, full, at);
  if (bmp !== undefined) return format4(view, bmp, cmapEnd, at);
  throw new FontFormatError('the font has no Unicode character map');
}

/** Segments of consecutive characters, found by binary search on their last character. */
function format12(view: DataView, sub: number, at: Bounds): (codePoint: number) => number {
  const groups = view.getUint32(at(sub, 16, 'cmap') + 12);
  at(sub + 16, groups * 12, 'cmap');
  return (cp) => {
    let lo = 0;
    let hi = groups - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const g = sub + 16 + mid * 12;
      if (cp > view.getUint32(g + 4)) lo = mid + 1;
      else if (cp < view.getUint32(g)) hi = mid - 1;
      else return view.getUint32(g + 8) + cp - view.getUint32(g);
    }
    return 0;
  };
}

/**
 * The Basic Multilingual Plane in segments, each mapped by a delta or through the glyph array. The glyph array is
 * bounded by the cmap table, not by the subtable's own length: in big CJK fonts that 16-bit field has wrapped.
 */
function format4(view: DataView, sub: number, cmapEnd: number, at: Bounds): (codePoint: number) => number {
  const segments = view.getUint16(at(sub, 14, 'cmap') + 6) / 2;
  const ends = sub + 14;
  const starts = ends + segments * 2 + 2;
  const deltas = starts + segments * 2;
  const rangeOffsets = deltas + segments * 2;
  at(sub, rangeOffsets + segments * 2 - sub, 'cmap');
  return (cp) => {
    if (cp > 0xffff) return 0;
    let lo = 0;
    let hi = segments - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cp > view.getUint16(ends + mid * 2)) lo = mid + 1;
      else hi = mid;
    }
    const start = view.getUint16(starts + lo * 2);
    if (cp < start || cp > view.getUint16(ends + lo * 2)) return 0;
    const delta = view.getUint16(deltas + lo * 2);
    const rangeOffset = view.getUint16(rangeOffsets + lo * 2);
    if (rangeOffset === 0) return (cp + delta) & 0xffff;
    const slot = rangeOffsets + lo * 2 + rangeOffset + (cp - start) * 2;
    if (slot + 2 > Math.min(cmapEnd, view.byteLength)) return 0;
    const glyph = view.getUint16(slot);
    return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
  };
}
