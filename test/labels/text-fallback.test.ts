// Text the printer's own font cannot draw, and text too long for its box: nothing is lost, the start always shows.
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LabelEngine } from '../../src/labels/engine.js';
import { SerialStore } from '../../src/labels/serials.js';
import { openStore } from '../../src/store/store.js';
import { pdfText, renderZpl } from '../helpers/barcodes.js';
import { TEMPLATES_DIR } from '../helpers/labels.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
// Debian's fonts-droid-fallback (Chinese, Japanese) and fonts-symbola (symbols, emoji); scripts/setup-tests.sh installs them.
const FALLBACKS = ['/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf', '/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf'];
const SIZE = { widthMm: 76, heightMm: 25 };
const CUSTOMER = { x: 2, y: 2, w: 60, h: 5 };

let engine: LabelEngine;
beforeAll(() => {
  const root = join(dir, 'fallback');
  mkdirSync(join(root, 'labels'), { recursive: true });
  cpSync(join(TEMPLATES_DIR, 'fonts'), join(root, 'fonts'), { recursive: true });
  cpSync(join(TEMPLATES_DIR, 'images'), join(root, 'images'), { recursive: true });
  writeFileSync(
    join(root, 'labels', 'intl.json'),
    JSON.stringify({
      id: 'intl',
      version: 1,
      name: 'international tag',
      kind: 'layout',
      subject: 'workorder',
      size: SIZE,
      elements: [
        { type: 'text', ...CUSTOMER, size: 4, text: '{{workOrder.customer.name}}' },
        { type: 'text', x: 2, y: 9, w: 40, h: 3, size: 2.5, text: 'CPN {{assembly.customerPartNumber}}' },
        { type: 'text', x: 2, y: 14, w: 60, h: 3, size: 2.5, text: 'Plain {{po}}' },
      ],
    }),
  );
  engine = new LabelEngine({ templatesDir: root, serials: new SerialStore(openStore(join(dir, 'f.db')), 'T'), shopName: 'Shop', stationName: 'Bench', fallbackFonts: FALLBACKS });
});

const LONG = `${'ABCDEFGHIJ'.repeat(200)}`;
const data = { workOrder: { customer: { name: 'Müller 日本 🚀' } }, assembly: { customerPartNumber: LONG }, po: 'PO-77 Ø ±0.2' };

/** Dark pixels of a PNG inside a box given in mm. */
function darkIn(png: Uint8Array, dpmm: number, box: { x: number; y: number; w: number; h: number }): Set<number> {
  const img = PNG.sync.read(Buffer.from(png));
  const dark = new Set<number>();
  const scale = img.width / (SIZE.widthMm * dpmm);
  for (let y = Math.floor(box.y * dpmm); y < Math.ceil((box.y + box.h) * dpmm); y++) {
    for (let x = Math.floor(box.x * dpmm); x < Math.ceil((box.x + box.w) * dpmm); x++) {
      const i = (Math.floor(y * scale) * img.width + Math.floor(x * scale)) * 4;
      if (img.data[i]! + img.data[i + 1]! + img.data[i + 2]! < 3 * 128 && img.data[i + 3]! > 128) dark.add(y * 10_000 + x);
    }
  }
  return dark;
}

describe('text beyond the printer font', () => {
  it('prints a line with characters outside code page 1252 as a graphic drawn like the preview; plain lines stay printer text', async () => {
    const template = engine.templates.get('intl');
    const zpl = Buffer.from((await engine.render(template, [data], 'zpl', 8, 'x.zpl')).bytes).toString('utf8');
    expect(zpl.match(/\^GFA,/g)).toHaveLength(1);
    expect(zpl).not.toContain('日本');
    expect(zpl).toContain('^FDPlain PO-77 Ø ±0.2^FS'); // Latin-1 stays the printer's own font
    const printed = darkIn((await renderZpl(zpl, SIZE.widthMm, SIZE.heightMm, 8))[0]!, 8, CUSTOMER);
    const preview = darkIn((await engine.preview('intl', data, 'png', 8)).bytes, 8, CUSTOMER);
    // Every glyph has ink (the CJK and the rocket too), and the printed dots are the preview's.
    expect(preview.size).toBeGreaterThan(300);
    const common = [...preview].filter((p) => printed.has(p)).length;
    expect(common / preview.size).toBeGreaterThan(0.95);
    expect(common / printed.size).toBeGreaterThan(0.95);
  });

  it('draws the same characters in the PDF with the fallback fonts, readable as text', async () => {
    const template = engine.templates.get('intl');
    const text = pdfText((await engine.render(template, [data], 'pdf', 8, 'x.pdf')).bytes);
    expect(text).toContain('Müller 日本 🚀');
  });

  it('shows a character no font has as a box, never as data-like "?"', async () => {
    const template = engine.templates.get('intl');
    const zpl = Buffer.from((await engine.render(template, [{ ...data, po: 'A\u{10FFFD}B' }], 'zpl', 8, 'x.zpl')).bytes).toString('utf8');
    expect(zpl.match(/\^GFA,/g)).toHaveLength(2);
    expect(zpl).not.toMatch(/\^FDPlain A\?B/);
  });
});

describe('text too long for its box', () => {
  it('shrinks, then keeps the start and cuts the end with an ellipsis, in ZPL and PDF alike', async () => {
    const template = engine.templates.get('intl');
    const zpl = Buffer.from((await engine.render(template, [data], 'zpl', 8, 'x.zpl')).bytes).toString('utf8');
    const line = /\^FD(CPN [^^]*)\^FS/.exec(zpl)![1]!;
    expect(line).toMatch(/^CPN ABCDEFGHIJABCDEFGHIJ[A-J]*\.\.\.$/);
    expect(line.length).toBeGreaterThan(30);
    const pdf = pdfText((await engine.render(template, [data], 'pdf', 8, 'x.pdf')).bytes);
    expect(pdf).toContain(line);
  });

  it('lays out a 20,000-character value quickly', async () => {
    const template = engine.templates.get('intl');
    const started = performance.now();
    await engine.render(template, [{ ...data, assembly: { customerPartNumber: 'X'.repeat(20_000) } }], 'zpl', 8, 'x.zpl');
    // Not a timing assertion on the product, a guard against the old quadratic cut (seconds): generous on purpose.
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
