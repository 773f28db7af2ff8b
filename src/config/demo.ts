// The virtual printers of demo mode: hot folders under the data folder, one per kind of bench device.
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PrinterEntry } from './schema.js';

export function demoPrinters(dataDir: string): PrinterEntry[] {
  const folder = (id: string) => pathToFileURL(join(resolve(dataDir), 'virtual-printers', id)).href;
  return [
    { id: 'tags', name: 'Tag printer (virtual, ZPL)', driver: 'folder', uri: folder('tags'), dpmm: 8, media: { widthMm: 76, heightMm: 25 }, options: { formats: ['zpl'], create: true } },
    { id: 'labels', name: 'Label printer (virtual, PDF)', driver: 'folder', uri: folder('labels'), dpmm: 8, media: { widthMm: 101.6, heightMm: 152.4 }, options: { formats: ['pdf', 'png'], create: true } },
    // Datasheets are A4 pages: they go to paper, not onto the label printer's 4x6 in stock.
    { id: 'office', name: 'Office printer (virtual, PDF)', driver: 'folder', uri: folder('office'), dpmm: 8, media: { widthMm: 210, heightMm: 297 }, options: { formats: ['pdf'], create: true } },
    { id: 'receipt', name: 'Traveler printer (virtual, ESC/POS)', driver: 'folder', uri: folder('receipt'), dpmm: 8, options: { formats: ['escpos'], create: true } },
    { id: 'marken', name: 'Marken hot folder (virtual)', driver: 'folder', uri: folder('marken'), dpmm: 8, options: { formats: ['file'], create: true } },
  ];
}
