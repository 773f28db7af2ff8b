import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileText, TemplateSyntaxError } from '../../src/labels/bind.js';
import { loadFonts } from '../../src/labels/fonts.js';
import { layoutText, rectToLabel, toLabel } from '../../src/labels/layout.js';
import { TemplateRegistry } from '../../src/labels/templates.js';
import { textElement } from '../../src/labels/template-schema.js';
import { TEMPLATES_DIR } from '../helpers/labels.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();

describe('placeholders and formatters', () => {
  const data = {
    wo: { number: 'WO-1', due: '2026-12-03T00:00:00Z' },
    a: { length: { value: 1820, unit: 'mm', tolerance: '±10 mm' }, crimp: { value: 24.4, unit: 'mm', plus: 0.1, minus: 0.2 }, rev: 'B', none: '' },
    n: 7,
  };
  it.each([
    ['{{wo.number}}/{{n}}', 'WO-1/7'],
    ['{{ wo.number | lower }}', 'wo-1'],
    ['{{wo.due|date}}', '2026-12-03'],
    ['{{wo.due|date:DD.MM.YYYY}}', '03.12.2026'],
    ['L {{a.length|length}}', 'L 1820 mm ±10 mm'],
    ['{{a.crimp|tolerance}}', '24.40 +0.1/-0.2 mm'],
    ['{{n|pad:4}}', '0007'],
    ['{{a.rev|prefix:" rev "}}', ' rev B'],
    ['{{a.none|prefix:" rev "}}', ''],
    ['{{a.missing|default:-}}', '-'],
    ['{{a.length}}', '1820 mm'],
    ['{{a}}', ''],
  ])('%s -> %s', (text, expected) => {
    expect(compileText(text)(data)).toBe(expected);
  });

  it.each(['{{}}', '{{wo.number', '{{wo.number|shout}}', '{{wo number}}'])('refuses %s when the template loads', (text) => {
    expect(() => compileText(text)).toThrow(TemplateSyntaxError);
  });
});

describe('text layout', () => {
  const fonts = loadFonts(join(TEMPLATES_DIR, 'fonts'));
  const el = (over: object) => textElement.parse({ type: 'text', x: 0, y: 0, w: 30, h: 4, size: 3, text: '', ...over });
  it('shrinks a long value to fit its box, down to the minimum size', () => {
    const block = layoutText(el({ overflow: 'shrink' }), 'A rather long customer part number 1234-5678-90', fonts.regular);
    expect(block.lines).toHaveLength(1);
    expect(block.size).toBeLessThan(3);
    expect(fonts.regular.width(block.lines[0]!) * block.size).toBeLessThanOrEqual(30.001);
  });
  it('wraps up to its line limit and ends with an ellipsis when even that is not enough', () => {
    const block = layoutText(el({ h: 8, maxLines: 2, overflow: 'ellipsis' }), 'word '.repeat(40), fonts.regular);
    expect(block.lines).toHaveLength(2);
    expect(block.lines[1]).toMatch(/\.\.\.$/);
  });
  it('replaces control characters and glyphs the font lacks, so every output shows the same text', () => {
    const block = layoutText(el({ w: 60 }), 'a\u0007b 漢 Ø', fonts.regular);
    expect(block.lines).toEqual(['a b \u25a1 Ø']);
  });
});

describe('label geometry', () => {
  it('puts a rotated block\'s local rectangle where its corners go, for every rotation', () => {
    let seed = 3;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), (seed % 2000) / 10 - 50);
    for (const rotate of [0, 90, 180, 270] as const) {
      for (let k = 0; k < 50; k++) {
        const b = { x: rnd(), y: rnd(), w: Math.abs(rnd()), h: Math.abs(rnd()), rotate };
        const [u, v, du, dv] = [rnd(), rnd(), rnd(), rnd()];
        const [ax, ay] = toLabel(b, u, v);
        const [bx, by] = toLabel(b, u + du, v + dv);
        const r = rectToLabel(b, u, v, du, dv);
        for (const [got, want] of [[r.x, Math.min(ax, bx)], [r.y, Math.min(ay, by)], [r.w, Math.abs(bx - ax)], [r.h, Math.abs(by - ay)]] as const) expect(got).toBeCloseTo(want, 9);
      }
    }
  });
});

describe('template loading', () => {
  it('reports each broken template with its file and problem, and keeps the good ones', () => {
    const root = join(dir, 'broken');
    mkdirSync(join(root, 'labels'), { recursive: true });
    cpSync(join(TEMPLATES_DIR, 'labels', 'hose-tag.json'), join(root, 'labels', 'hose-tag.json'));
    const good = { id: 'x', version: 1, name: 'x', kind: 'layout', subject: 'assembly', size: { widthMm: 50, heightMm: 20 } };
    const files: Record<string, string> = {
      'syntax.json': '{ "id": "syntax", ',
      'no-elements.json': JSON.stringify({ ...good, id: 'no-elements', elements: [] }),
      'bad-symbology.json': JSON.stringify({ ...good, id: 'bad-symbology', elements: [{ type: 'barcode', symbology: 'pdf417', x: 0, y: 0, w: 10, h: 10, data: 'x' }] }),
      'bad-formatter.json': JSON.stringify({ ...good, id: 'bad-formatter', elements: [{ type: 'text', x: 0, y: 0, w: 10, h: 3, size: 2, text: '{{a|shout}}' }] }),
      'outside.json': JSON.stringify({ ...good, id: 'outside', elements: [{ type: 'text', x: 45, y: 0, w: 10, h: 3, size: 2, text: 'x' }] }),
      'zz-dup.json': JSON.stringify({ ...good, id: 'hose-tag', elements: [{ type: 'text', x: 0, y: 0, w: 10, h: 3, size: 2, text: 'x' }] }),
      'raw-bad.json': JSON.stringify({ ...good, id: 'raw-bad', kind: 'zpl', zplFile: 'raw-bad.zpl' }),
      'raw-two.json': JSON.stringify({ ...good, id: 'raw-two', kind: 'zpl', zplFile: 'raw-two.zpl' }),
    };
    for (const [name, body] of Object.entries(files)) writeFileSync(join(root, 'labels', name), body);
    writeFileSync(join(root, 'labels', 'raw-bad.zpl'), '^XA^FO{{x}},10^FDhello^FS^XZ');
    writeFileSync(join(root, 'labels', 'raw-two.zpl'), '^XA^FDone^FS^XZ^XA^FDtwo^FS^XZ');
    const registry = TemplateRegistry.load(join(root, 'labels'));
    expect(registry.list().map((t) => t.def.id)).toEqual(['hose-tag']);
    const byFile = Object.fromEntries(registry.problems.map((p) => [p.file, p.problem]));
    expect(byFile['syntax.json']).toMatch(/not valid JSON/);
    expect(byFile['no-elements.json']).toMatch(/elements: /);
    expect(byFile['bad-symbology.json']).toMatch(/elements\[0\]\.symbology/);
    expect(byFile['bad-formatter.json']).toMatch(/elements\[0\] \(text\): unknown formatter "shout"/);
    expect(byFile['outside.json']).toMatch(/elements\[0\] \(text\) reaches past the 50x20 mm label/);
    expect(byFile['zz-dup.json']).toMatch(/id "hose-tag" is already used by hose-tag\.json/);
    expect(byFile['raw-bad.json']).toMatch(/only allowed inside \^FD/);
    expect(byFile['raw-two.json']).toMatch(/exactly one label/);
    expect(() => registry.get('bad-formatter')).toThrow(/broken: .*unknown formatter/);
  });
});
