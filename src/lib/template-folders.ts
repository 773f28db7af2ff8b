// A shop's templates folder is laid over the one shipped with benchprint: what the shop's folder has is the shop's
// (a template with the same id, a document layout of the same kind, a font or an image of the same name), and what it
// lacks comes from the shipped one. A shop that keeps only its own labels/ still has fonts, datasheets and travelers,
// and a broken file of the shop's is named and skipped while the rest prints.
import { join } from 'node:path';

/** The folders to look in for `sub` (labels, documents, files, fonts, images), the shop's first. */
export function layered(shipped: string, shop: string | undefined, sub: string): string[] {
  const dirs = [...(shop ? [join(shop, sub)] : []), join(shipped, sub)];
  return [...new Set(dirs)];
}

/** One folder or several (the shop's first): always a list. */
export function folders(dirs: string | readonly string[]): readonly string[] {
  return typeof dirs === 'string' ? [dirs] : dirs;
}
