// Fonts for the PDF canvas: one parsed font shared by every document, text shaped once per piece, and font subsets
// written at once rather than through fontkit's timer-driven stream.
import type { PDFFont } from 'pdf-lib';
import { lazy } from '../lib/lazy.js';

const fontkit = lazy<typeof import('@pdf-lib/fontkit')>('@pdf-lib/fontkit');

const LATIN = /^[\x20-\x7e\u00a0-\u024f]*$/;
const PIECES = /[A-Za-z\u00c0-\u024f]+|[^]/g;

/**
 * pdf-lib parses a font anew for every document, and shaping text then decodes the font's layout tables again each
 * time (most of a datasheet's cost). The parsed font is read-only, so one per font file serves every document.
 */
const parsedFonts = new WeakMap<Uint8Array, ReturnType<ReturnType<typeof fontkit>['create']>>();
export const sharedFontkit = () => ({
  ...fontkit(),
  create(bytes: Uint8Array, postscriptName?: string) {
    let font = parsedFonts.get(bytes);
    if (!font) {
      font = fontkit().create(bytes, postscriptName);
      // Shaping the same string gives the same glyphs: remember runs across documents (headers, column titles). Tags
      // repeat the same words with a new serial and count each, so Latin text is shaped in pieces (runs of letters,
      // which ligatures may join, and single other characters) and a new serial costs a few lookups. Other scripts
      // are shaped whole. Only the glyphs are used: the PDF places them by their advance widths.
      const layout = font.layout.bind(font);
      type Run = ReturnType<typeof layout>;
      const runs = new Map<string, Run>();
      const shaped = (text: string, features?: Parameters<typeof layout>[1]): Run => {
        const key = features ? `${JSON.stringify(features)}\u0000${text}` : text;
        let run = runs.get(key);
        if (!run) {
          run = layout(text, features);
          if (runs.size > 5000) runs.clear();
          runs.set(key, run);
        }
        return run;
      };
      font.layout = (text: string, features?: Parameters<typeof layout>[1]) => {
        if (features || text.length < 2 || !LATIN.test(text)) return shaped(text, features);
        const glyphs: Run['glyphs'] = [];
        const positions: Run['positions'] = [];
        for (const piece of text.match(PIECES) ?? []) {
          const run = shaped(piece);
          glyphs.push(...run.glyphs);
          positions.push(...run.positions);
        }
        return { glyphs, positions } as Run;
      };
      parsedFonts.set(bytes, font);
    }
    return font;
  },
});
/** The parts of pdf-lib's font subset embedder and fontkit's subset that writing the subset needs. */
interface SubsetEmbedder {
  subset: FontSubset;
  serializeFont(): Promise<Uint8Array>;
}
interface FontSubset {
  encode(stream: SubsetStream): void;
  encodeStream(this: unknown): SubsetStream;
}
interface SubsetStream {
  push(chunk: Uint8Array | null): boolean;
  flush(): void;
}

let SubsetStreamClass: (new () => SubsetStream) | undefined;

/**
 * The font subset's bytes, written at once. pdf-lib reads them from fontkit's stream, whose events go through a
 * bundled process.nextTick that waits a timer tick (1 ms or more) each time: ~5 ms of waiting per document, more
 * than a datasheet takes to draw. fontkit's encoder writes to that stream class synchronously; we take its chunks
 * as they are pushed.
 */
function encodeSubset(subset: FontSubset): Uint8Array {
  // The stream class is fontkit's own (restructure's EncodeStream); encodeStream on an empty subset hands it over.
  SubsetStreamClass ??= Object.getPrototypeOf(subset).encodeStream.call({ encode() {} }).constructor as new () => SubsetStream;
  const stream = new SubsetStreamClass();
  const chunks: Uint8Array[] = [];
  stream.push = (chunk) => (chunk && chunks.push(chunk), true);
  subset.encode(stream);
  stream.flush();
  return Buffer.concat(chunks);
}

/** Makes pdf-lib write this font's subset at once; if fontkit's internals change, pdf-lib's own (slower) way still works. */
export function writeSubsetAtOnce(font: PDFFont): void {
  const embedder = (font as unknown as { embedder: SubsetEmbedder }).embedder;
  const streamed = embedder.serializeFont.bind(embedder);
  embedder.serializeFont = () => {
    try {
      return Promise.resolve(encodeSubset(embedder.subset));
    } catch {
      return streamed();
    }
  };
}
