// Reads labels back the way a person or a scanner would: ZPL rendered to PNG, PDF rasterised and read, barcodes decoded.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import { ready } from 'zpl-renderer-js';

const require = createRequire(import.meta.url);
let prepared = false;

function prepare() {
  if (prepared) return;
  // Give zxing its wasm from node_modules: it would otherwise try to download it.
  const wasm = readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm'));
  prepareZXingModule({ overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer }, fireImmediately: true });
  prepared = true;
}

export interface Decoded {
  format: string;
  text: string;
}

export interface Located extends Decoded {
  /** The symbol's box in pixels (from its four corners). */
  box: { left: number; top: number; right: number; bottom: number };
}

/** Barcodes with where they are on the picture. */
export async function locateBarcodes(png: Uint8Array): Promise<Located[]> {
  prepare();
  const results = await readBarcodes(png, { formats: [], tryHarder: true, maxNumberOfSymbols: 8 });
  return results
    .filter((r) => r.isValid)
    .map((r) => {
      const p = r.position;
      const xs = [p.topLeft.x, p.topRight.x, p.bottomLeft.x, p.bottomRight.x];
      const ys = [p.topLeft.y, p.topRight.y, p.bottomLeft.y, p.bottomRight.y];
      return { format: r.format, text: r.text, box: { left: Math.min(...xs), top: Math.min(...ys), right: Math.max(...xs), bottom: Math.max(...ys) } };
    });
}

export async function decodeBarcodes(png: Uint8Array): Promise<Decoded[]> {
  prepare();
  const results = await readBarcodes(png, { formats: [], tryHarder: true, maxNumberOfSymbols: 8 });
  return results.filter((r) => r.isValid).map((r) => ({ format: r.format, text: r.text }));
}

/** One PNG per ^XA..^XZ label, drawn by zpl-renderer-js (an independent ZPL implementation). */
export async function renderZpl(zpl: string, widthMm: number, heightMm: number, dpmm: number): Promise<Uint8Array[]> {
  const { api } = await ready;
  const pngs = await api.zplToBase64MultipleAsync(zpl, widthMm, heightMm, dpmm);
  return pngs.map((b64: string) => new Uint8Array(Buffer.from(b64, 'base64')));
}

/** PDF pages as PNGs through poppler's pdftoppm. */
export function pdfToPngs(pdf: Uint8Array, dpi = 300, pages?: { first: number; last: number }): Uint8Array[] {
  const dir = mkdtempSync(join(tmpdir(), 'bp-pdf-'));
  try {
    writeFileSync(join(dir, 'in.pdf'), pdf);
    const range = pages ? ['-f', String(pages.first), '-l', String(pages.last)] : [];
    execFileSync('pdftoppm', ['-r', String(dpi), '-png', ...range, join(dir, 'in.pdf'), join(dir, 'page')]);
    return readdirSync(dir)
      .filter((f) => f.endsWith('.png'))
      .sort()
      .map((f) => new Uint8Array(readFileSync(join(dir, f))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every word of a PDF's first page with its box in mm (poppler's pdftotext -bbox), in reading order. */
export function pdfWords(pdf: Uint8Array): Array<{ text: string; left: number; top: number; right: number; bottom: number }> {
  const xhtml = execFileSync('pdftotext', ['-bbox', '-f', '1', '-l', '1', '-', '-'], { input: pdf }).toString('utf8');
  const mm = (pt: string) => (Number(pt) * 25.4) / 72;
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  return [...xhtml.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((m) => ({
    text: unescape(m[5]!),
    left: mm(m[1]!),
    top: mm(m[2]!),
    right: mm(m[3]!),
    bottom: mm(m[4]!),
  }));
}

/** The text of a PDF as poppler reads it, pages separated by form feeds. */
export function pdfText(pdf: Uint8Array): string {
  return execFileSync('pdftotext', ['-layout', '-', '-'], { input: pdf }).toString('utf8');
}

export function pdfInfo(pdf: Uint8Array): { pages: number; pageSizePt: [number, number] } {
  const out = execFileSync('pdfinfo', ['-'], { input: pdf }).toString('utf8');
  const pages = Number(/Pages:\s+(\d+)/.exec(out)?.[1]);
  const size = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(out);
  return { pages, pageSizePt: [Number(size?.[1]), Number(size?.[2])] };
}

/** A matrix symbol (row-major, 1 = dark) as a PNG a scanner would see: `scale` px per module, `quiet` modules around. */
export function matrixPng(size: number, cells: Uint8Array, scale: number, quiet: number): Uint8Array {
  const side = (size + quiet * 2) * scale;
  const png = new PNG({ width: side, height: side });
  png.data.fill(255);
  for (let r = 0; r < size; r++)
    for (let c = 0; c < size; c++) {
      if (!cells[r * size + c]) continue;
      for (let y = 0; y < scale; y++)
        for (let x = 0; x < scale; x++) {
          const i = (((r + quiet) * scale + y) * side + (c + quiet) * scale + x) * 4;
          png.data[i] = png.data[i + 1] = png.data[i + 2] = 0;
        }
    }
  return new Uint8Array(PNG.sync.write(png));
}
