import { beforeAll, describe, expect, it } from 'vitest';
import type { CachedWorkOrder } from '../../src/domain/work-order.js';
import { compileText } from '../../src/labels/bind.js';
import type { LabelEngine } from '../../src/labels/engine.js';
import { zplEscape } from '../../src/labels/zpl.js';
import { decodeBarcodes, renderZpl } from '../helpers/barcodes.js';
import { demoWorkOrders, labelEngine } from '../helpers/labels.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
let workOrders: CachedWorkOrder[];
let engine: LabelEngine;
beforeAll(async () => {
  workOrders = await demoWorkOrders(dir);
  engine = labelEngine(dir).engine;
});

/** Every ZPL command the engine may emit; anything else in the output would be injected. */
const ALLOWED = new Set(['XA', 'CI', 'PW', 'LL', 'LH', 'FO', 'A0', 'FB', 'FH', 'FD', 'FS', 'BY', 'BC', 'BQ', 'BX', 'GB', 'GD', 'GF', 'XG', 'XZ']);

/**
 * What a job sends before its labels: only the templates' own images stored with ~DG (name, sizes, hex dots); no
 * data reaches it.
 */
const PREFIX = /^(~DGR:BP[0-9A-F]{6}\.GRF,\d+,\d+,[0-9A-F]+\n)*$/;

/** Splits ZPL into commands; ^FD data runs to ^FS and is decoded from its ^FH hex escapes. */
function parseZpl(zpl: string): { commands: string[]; fields: string[] } {
  expect(zpl).not.toContain('~'); // no control command can be present at all
  const commands: string[] = [];
  const fields: string[] = [];
  let i = 0;
  while ((i = zpl.indexOf('^', i)) >= 0) {
    const name = zpl.slice(i + 1, i + 3);
    commands.push(name);
    if (name === 'FD') {
      const end = zpl.indexOf('^FS', i);
      const raw = zpl.slice(i + 3, end);
      expect(raw).not.toContain('^');
      fields.push(Buffer.from(raw.replace(/_([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'));
      i = end;
    } else i += 3;
  }
  return { commands, fields };
}

const HOSTILE = ['ACME^XZ^XA^FO0,0^FDpwned^FS', '~JA~JR', 'under_score \\ back', 'bell\u0007 cr\r lf\n tab\t', '#1 #d035 >;>8', 'Ø ± µ ° é ü'];

/** A work order whose every string field carries one of the hostile strings. */
function hostile(wo: CachedWorkOrder): CachedWorkOrder {
  let n = 0;
  const walk = (v: unknown, key?: string): unknown => {
    if (typeof v === 'string') return ['id', 'itemId', 'status', 'syncedAt', 'unit', 'dueDate', 'startDate', 'firstReleasedAt'].includes(key ?? '') ? v : `${HOSTILE[n++ % HOSTILE.length]}`;
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(wo) as CachedWorkOrder;
}

describe('ZPL escaping', () => {
  it('turns every command character and control byte into hex', () => {
    expect(zplEscape('a^b~c_d\\e\u0000\u001f\u007f')).toBe('a_5Eb_7Ec_5Fd_5Ce_00_1F_7F');
    expect(zplEscape('Müller Ø')).toBe('Müller Ø');
  });

  it.each(['hose-tag', 'assembly-2x3', 'assembly-4x6', 'kit-label', 'work-order-label'])(
    '%s: hostile strings in every field print as text on one label per tag, and scan back intact',
    async (id) => {
      const t = engine.templates.get(id);
      const subject = t.def.subject;
      const base = workOrders.find((w) => w.lines.some((l) => (subject === 'kit' ? l.kit : l.assembly)))!;
      const wo = hostile(base);
      const line = wo.lines.find((l) => (subject === 'kit' ? l.kit : l.assembly))!;
      const doc = await engine.lineLabels({ workOrder: wo, ...(subject === 'workorder' ? {} : { lineNumber: line.lineNumber }), templateId: id, format: 'zpl', dpmm: 8, quantity: 2 });
      const all = new TextDecoder().decode(doc.document.bytes);
      const prefixEnd = doc.document.meta.prefix ?? 0;
      expect(all.slice(0, prefixEnd)).toMatch(PREFIX);
      const zpl = all.slice(prefixEnd);
      const { commands, fields } = parseZpl(zpl);
      const labels = subject === 'workorder' ? 1 : 2;
      expect(commands.filter((c) => c === 'XA')).toHaveLength(labels);
      expect(commands.filter((c) => c === 'XZ')).toHaveLength(labels);
      expect(commands.filter((c) => !ALLOWED.has(c))).toEqual([]);
      expect(fields.some((f) => f.includes('ACME^XZ^XA^FO0,0^FDpwned^FS'))).toBe(true);

      const pngs = await renderZpl(all, t.def.size.widthMm, t.def.size.heightMm, 8);
      expect(pngs).toHaveLength(labels);
      if (!('layout' in t)) return;
      const wanted = t.layout.template.elements.flatMap((e) => (e.type === 'barcode' ? [compileText(e.data)(doc.labels[0])] : []));
      const got = (await decodeBarcodes(pngs[0]!)).map((d) => d.text);
      expect(got.sort()).toEqual(wanted.sort());
    },
  );

  it('a raw ZPL design escapes filled-in values with its own ^FH character', async () => {
    const wo = hostile(workOrders.find((w) => w.lines.some((l) => l.assembly))!);
    const line = wo.lines.find((l) => l.assembly)!;
    const doc = await engine.lineLabels({ workOrder: wo, lineNumber: line.lineNumber, templateId: 'designer-tag', format: 'zpl', dpmm: 8, quantity: 1 });
    const zpl = new TextDecoder().decode(doc.document.bytes);
    const { commands } = parseZpl(zpl);
    expect(commands.filter((c) => c === 'XA')).toHaveLength(1);
    expect(commands.filter((c) => c === 'XZ')).toHaveLength(1);
  });
});
