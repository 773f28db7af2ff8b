// The page size a PDF states, read without loading a PDF library: GoldLeaf's datasheets are A4 or Letter, its labels 2x3
// or 4x6 in, and the station sends each to a printer whose stock takes it.
import { inflateSync } from 'node:zlib';

const POINTS_PER_MM = 72 / 25.4;
const NUMBER = String.raw`(-?\d+(?:\.\d+)?|-?\.\d+)`;
const BOX = new RegExp(String.raw`/MediaBox\s*\[\s*${NUMBER}\s+${NUMBER}\s+${NUMBER}\s+${NUMBER}\s*\]`);
/** Compressed object streams looked into for a page; a PDF's pages are in its first few. */
const MOST_STREAMS = 8;

export interface PageSize {
  widthMm: number;
  heightMm: number;
}

/**
 * The size in mm of the first /MediaBox in the file (a page's, or the page tree's that its pages inherit), written in
 * the clear or in one of the first compressed object streams (PDF 1.5 writers keep pages there); undefined where none
 * can be read.
 */
export function pdfPageSize(bytes: Uint8Array): PageSize | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const clear = boxIn(buf, 0);
  if (clear) return clear;
  let from = 0;
  for (let n = 0; n < MOST_STREAMS; n++) {
    const at = buf.indexOf('/ObjStm', from);
    if (at < 0) return undefined;
    from = at + 7;
    const start = streamStart(buf, at);
    const end = start < 0 ? -1 : buf.indexOf('endstream', start);
    if (end < 0) continue;
    try {
      const found = boxIn(inflateSync(buf.subarray(start, end)), 0);
      if (found) return found;
    } catch {
      // Not a Flate stream, or a damaged one: look further.
    }
  }
  return undefined;
}

function boxIn(buf: Buffer, from: number): PageSize | undefined {
  const at = buf.indexOf('/MediaBox', from);
  if (at < 0) return undefined;
  const box = BOX.exec(buf.toString('latin1', at, at + 160));
  if (!box) return undefined;
  const [x0, y0, x1, y1] = box.slice(1, 5).map(Number) as [number, number, number, number];
  const widthMm = Math.abs(x1 - x0) / POINTS_PER_MM;
  const heightMm = Math.abs(y1 - y0) / POINTS_PER_MM;
  return widthMm > 0 && heightMm > 0 ? { widthMm: round(widthMm), heightMm: round(heightMm) } : undefined;
}

/** Where the data of the stream whose dictionary holds `at` begins: after "stream" and its end of line. */
function streamStart(buf: Buffer, at: number): number {
  const kw = buf.indexOf('stream', at);
  if (kw < 0) return -1;
  let i = kw + 6;
  if (buf[i] === 0x0d) i++;
  if (buf[i] === 0x0a) i++;
  return i;
}

const round = (n: number) => Math.round(n * 10) / 10;
