import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BackgroundThread } from '../../src/background/thread.js';
import { StationError } from '../../src/errors.js';
import { PdfRenderer } from '../../src/labels/pdf-render.js';
import { labelTemplateSchema } from '../../src/labels/template-schema.js';
import { pdfWords } from '../helpers/barcodes.js';

const templates = join(import.meta.dirname, '../../templates');
// The thread is given templates as the station validated them.
const def = labelTemplateSchema.parse(JSON.parse(readFileSync(join(templates, 'labels/hose-tag.json'), 'utf8')));
const thread = new BackgroundThread({ maxHeapMb: 24 });
const small = new PdfRenderer(thread, { fontsDirs: [join(templates, 'fonts')], fallbackFonts: [] });
afterAll(() => thread.close());

describe('the PDF drawing thread', () => {
  it('fails a document too big for its memory with a plain error, and draws the next one on a new thread', async () => {
    const tooBig = small.render({ def, data: Array.from({ length: 20_000 }, (_, i) => ({ serial: `BP${i}` })), dpmm: 8, title: 'too big', images: [] });
    const err = await tooBig.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StationError);
    expect((err as StationError).code).toBe('PDF_RENDER_FAILED');
    expect((err as StationError).message).toMatch(/too big to draw/);
    expect((err as StationError).hint).toMatch(/fewer labels/);

    const pdf = await small.render({ def, data: [{ serial: 'BP000000042' }], dpmm: 8, title: 'after', images: [] });
    expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe('%PDF-');
    expect(pdfWords(pdf).map((w) => w.text)).toContain('BP000000042');
  });

  it('says which template cannot be drawn as PDF', async () => {
    const zplOnly = labelTemplateSchema.parse({ id: 'raw', version: 1, name: 'Raw', kind: 'zpl', subject: 'workorder', size: { widthMm: 50, heightMm: 25 }, zpl: '^XA^FO10,10^FDx^FS^XZ' });
    await expect(small.render({ def: zplOnly, data: [{}], dpmm: 8, title: 'raw', images: [] })).rejects.toThrow(/raw ZPL design/);
  });
});
