// Templates brought from elsewhere, by file name: glabels 3 documents, ZPL from a label designer, or our own JSON.
import { StationError } from '../errors.js';
import { importGlabels, type ImportedImage } from './import-glabels.js';
import { importZpl } from './import-zpl.js';

export interface Imported {
  template: Record<string, unknown>;
  /** What could not be carried over, or was changed on the way, in words. */
  report: string[];
  images?: ImportedImage[];
}

/** An id from a file name: lower case, digits and dashes. */
function idFrom(fileName: string): string {
  const base = fileName.replace(/\.[^.]*$/, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return /^[a-z0-9]/.test(base) ? base : `imported-${base || 'label'}`;
}

export function importTemplate(fileName: string, content: Buffer, id = idFrom(fileName)): Imported {
  const ext = /\.([^.]+)$/.exec(fileName.toLowerCase())?.[1];
  if (ext === 'glabels') return importGlabels(content, id);
  if (ext === 'zpl' || ext === 'prn' || ext === 'txt') return importZpl(content, id);
  if (ext === 'json') {
    let template: Record<string, unknown>;
    try {
      template = JSON.parse(content.toString('utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new StationError('IMPORT_FAILED', `${fileName} is not valid JSON (${(err as Error).message}).`, { status: 422 });
    }
    return { template: { ...template, id, version: 1 }, report: [] };
  }
  throw new StationError('IMPORT_FAILED', `"${fileName}" is not a file this station reads.`, { status: 422, hint: 'Import a .glabels file (glabels 3), a .zpl or .prn file (ZebraDesigner, print to file), or a .json template.' });
}
