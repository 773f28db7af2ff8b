// Images on labels (a shop logo): PNG files from templates/images, decoded once to 1-bit for ZPL.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lazy } from '../lib/lazy.js';
import { folders } from '../lib/template-folders.js';
import { StationError } from '../errors.js';

const pngjs = lazy<typeof import('pngjs')>('pngjs');

export interface GrayImage {
  width: number;
  height: number;
  /** One byte per pixel: 1 where the printer should burn a dot. */
  dark: Uint8Array;
  /** The file as it is, for PDF and preview. */
  png: Uint8Array;
}

export interface ImageLoader {
  (src: string): GrayImage;
  /** An image of that name changed (uploaded again): read it anew. */
  forget(src: string): void;
}

/** Images by name: uploaded ones (`stored`) first, then files in `imagesDirs` (the shop's folder first). Each is decoded once. */
export function imageLoader(imagesDirs: string | readonly string[], stored: (name: string) => Uint8Array | undefined = () => undefined): ImageLoader {
  const dirs = folders(imagesDirs);
  const cache = new Map<string, GrayImage>();
  const load = (src: string): GrayImage => {
    const hit = cache.get(src);
    if (hit) return hit;
    let png: Buffer;
    let decoded: import('pngjs').PNG;
    try {
      const uploaded = stored(src);
      png = uploaded ? Buffer.from(uploaded) : readFileSync(dirs.map((dir) => join(dir, src)).find((f) => existsSync(f)) ?? join(dirs[0]!, src));
      decoded = pngjs().PNG.sync.read(png);
    } catch (err) {
      throw new StationError('TEMPLATE_IMAGE', `The image ${src} cannot be read from ${dirs.join(' or ')} (${(err as Error).message}).`, {
        status: 422,
        hint: 'Upload it in the label designer, or put a PNG file with that name in templates/images/.',
      });
    }
    const dark = new Uint8Array(decoded.width * decoded.height);
    for (let i = 0; i < dark.length; i++) {
      const [r, g, b, a] = [decoded.data[i * 4]!, decoded.data[i * 4 + 1]!, decoded.data[i * 4 + 2]!, decoded.data[i * 4 + 3]!];
      // Transparent counts as paper; otherwise dark when its luminance is under half.
      dark[i] = a > 127 && 0.299 * r + 0.587 * g + 0.114 * b < 128 ? 1 : 0;
    }
    const image = { width: decoded.width, height: decoded.height, dark, png: new Uint8Array(png) };
    cache.set(src, image);
    return image;
  };
  return Object.assign(load, { forget: (src: string) => void cache.delete(src) });
}
