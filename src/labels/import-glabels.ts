// glabels 3 documents (.glabels, plain or gzipped XML) to layout templates: text, barcodes, boxes, lines and images
// with their merge fields as {{placeholders}}; anything that cannot be carried over is said, not dropped silently.
import { gunzipSync } from 'node:zlib';
import { StationError } from '../errors.js';
import { lazy } from '../lib/lazy.js';
import { BASELINE } from './layout.js';
import type { LabelElement } from './template-schema.js';

// Loaded with the first import: a station that never imports a glabels document does without it.
const xmlLib = lazy<typeof import('fast-xml-parser')>('fast-xml-parser');

type Node = Record<string, unknown> & { ':@'?: Record<string, string> };

export interface ImportedImage {
  name: string;
  png: Uint8Array;
}

export interface GlabelsResult {
  template: Record<string, unknown>;
  report: string[];
  images: ImportedImage[];
}

const PT = 25.4 / 72;
/** A glabels document, unpacked, is at most this large (images included). */
const MAX_XML = 20_000_000;
/** glabels keeps text this far inside its box (3 pt). */
const TEXT_MARGIN_MM = 3 * PT;
/** DejaVu's line (ascent + descent) and ascent, in ems: where pango puts a line and its baseline. */
const GLABELS_LINE = 1.164;
const GLABELS_ASCENT = 0.928;

/** "76mm", "3in", "12.5pt", "1cm" or a bare number of points, in mm. */
export function toMm(value: string | undefined, what: string): number {
  const m = /^\s*(-?[\d.]+)\s*(mm|cm|in|pt|pc)?\s*$/.exec(value ?? '');
  if (!m) throw new StationError('IMPORT_FAILED', `${what}: "${value ?? ''}" is not a length glabels writes (like 76mm or 3in).`, { status: 422 });
  const n = Number(m[1]);
  return { mm: n, cm: n * 10, in: n * 25.4, pt: n * PT, pc: n * 12 * PT }[m[2] ?? 'pt']!;
}

const round = (n: number) => Math.round(n * 100) / 100;
const children = (node: Node, name: string): Node[] => ((node[name] as Node[] | undefined) ?? []);
const tag = (node: Node): string => Object.keys(node).find((k) => k !== ':@')!;

/** The rotation of a glabels affine matrix (a0..a5), when it is a plain quarter turn; undefined otherwise. */
function rotation(a: Record<string, string>): 0 | 90 | 180 | 270 | undefined {
  const [a0, a1, a2, a3] = ['a0', 'a1', 'a2', 'a3'].map((k) => Math.round(Number(a[k] ?? (k === 'a0' || k === 'a3' ? 1 : 0)) * 1000) / 1000);
  if (a0 === 1 && a1 === 0 && a2 === 0 && a3 === 1) return 0;
  if (a0 === 0 && a1 === 1 && a2 === -1 && a3 === 0) return 90;
  if (a0 === -1 && a1 === 0 && a2 === 0 && a3 === -1) return 180;
  if (a0 === 0 && a1 === -1 && a2 === 1 && a3 === 0) return 270;
  return undefined;
}

const SYMBOLOGY: Record<string, string> = { code128: 'code128', 'code128a': 'code128', 'code128b': 'code128', 'code128c': 'code128', iec16022: 'datamatrix', datamatrix: 'datamatrix', qrcode: 'qr', iec18004: 'qr', 'ean128': 'gs1-128' };

export function importGlabels(file: Buffer, id: string): GlabelsResult {
  let xml: string;
  try {
    xml = file[0] === 0x1f && file[1] === 0x8b ? gunzipSync(file, { maxOutputLength: MAX_XML }).toString('utf8') : file.toString('utf8');
  } catch (err) {
    const big = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    throw new StationError('IMPORT_FAILED', big ? `The glabels file unpacks to more than ${MAX_XML / 1e6} MB: no label document is that large.` : `The glabels file is compressed but cannot be unpacked (${(err as Error).message}).`, { status: 422 });
  }
  // glabels never writes a DOCTYPE; one here could only define entities that expand without end.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new StationError('IMPORT_FAILED', 'The glabels file declares a DOCTYPE or entities, which glabels never writes: not imported.', { status: 422 });
  let doc: Node[];
  try {
    doc = new (xmlLib().XMLParser)({ ignoreAttributes: false, attributeNamePrefix: '', preserveOrder: true, trimValues: false }).parse(xml) as Node[];
  } catch (err) {
    throw new StationError('IMPORT_FAILED', `The glabels file is not readable XML (${(err as Error).message}).`, { status: 422 });
  }
  const root = doc.find((n) => tag(n) === 'Glabels-document');
  if (!root) throw new StationError('IMPORT_FAILED', 'This is not a glabels 3 document (no <Glabels-document>).', { status: 422, hint: 'Save it from glabels 3 (File, Save As).' });
  const body = children(root, 'Glabels-document');
  const template = body.find((n) => tag(n) === 'Template');
  const shape = template ? children(template, 'Template').find((n) => /^Label-/.test(tag(n))) : undefined;
  if (!shape) throw new StationError('IMPORT_FAILED', 'The glabels file has no label shape (<Template> with <Label-rectangle>).', { status: 422 });
  const report: string[] = [];
  const size = { widthMm: round(toMm(shape[':@']?.width, 'label width')), heightMm: round(toMm(shape[':@']?.height, 'label height')) };
  if (tag(shape) !== 'Label-rectangle') report.push(`The label is a ${tag(shape).slice(6).toLowerCase()}: it is printed as a ${size.widthMm} x ${size.heightMm} mm rectangle.`);

  const images: ImportedImage[] = [];
  for (const data of body.filter((n) => tag(n) === 'Data')) {
    for (const file of children(data, 'Data').filter((n) => tag(n) === 'File' || tag(n) === 'Pixdata')) {
      const a = file[':@'] ?? {};
      const text = children(file, tag(file)).map((t) => String(t['#text'] ?? '')).join('').replace(/\s+/g, '');
      if (a.name && /png$/i.test(a.mimetype ?? a.name) && text) images.push({ name: a.name.replace(/[^\w.-]/g, '_'), png: new Uint8Array(Buffer.from(text, 'base64')) });
    }
  }

  const fields = new Set<string>();
  const elements: LabelElement[] = [];
  const objects = body.find((n) => tag(n) === 'Objects');
  for (const [i, obj] of (objects ? children(objects, 'Objects') : []).entries()) {
    const kind = tag(obj);
    if (kind === '#text') continue;
    const a = obj[':@'] ?? {};
    const where = `object ${i + 1} (${kind.replace('Object-', '')})`;
    const rotate = rotation(a);
    if (rotate === undefined) report.push(`${where}: it is skewed or scaled; placed without that.`);
    const box = { x: round(toMm(a.x, `${where} x`)), y: round(toMm(a.y, `${where} y`)) };
    const wh = () => ({ w: round(toMm(a.w, `${where} width`)), h: round(toMm(a.h, `${where} height`)) });
    if (kind === 'Object-text') {
      const spans = children(obj, kind).filter((n) => tag(n) === 'Span');
      let text = '';
      let font: Record<string, string> = {};
      const walk = (nodes: Node[]) => {
        for (const n of nodes) {
          const t = tag(n);
          if (t === '#text') text += String(n['#text']);
          else if (t === 'Field') {
            const name = (n[':@']?.name ?? '').trim();
            fields.add(name);
            text += `{{${name}}}`;
          } else if (t === 'Span') {
            font = { ...font, ...(n[':@'] ?? {}) };
            walk(children(n, 'Span'));
          }
        }
      };
      walk(spans);
      const lines = text.split('\n');
      if (font.font_family && !/dejavu/i.test(font.font_family)) report.push(`${where}: font "${font.font_family}" is printed in DejaVu Sans Condensed (the label font).`);
      if (font.font_italic === 'True') report.push(`${where}: italic is printed upright.`);
      if (font.color && !/^0x000000ff$/i.test(font.color)) report.push(`${where}: colour ${font.color} is printed black.`);
      if (a.valign && a.valign !== 'Top') report.push(`${where}: vertical alignment ${a.valign} is printed at the top of its box.`);
      // Placed as glabels 3.4 prints it: the text starts 3 pt inside its box (and a right-aligned one ends 3 pt
      // inside); the first line's top is the box's top, so its baseline is one font ascent below; an auto-shrinking
      // text whose line is taller than the box is made smaller in half-point steps; and an auto-shrinking text is
      // printed from the left whatever its alignment.
      const shrink = a.auto_shrink === 'True';
      const boxMm = wh();
      const boxPt = boxMm.h / PT;
      let points = Number(font.font_size ?? 10);
      if (!(points > 0)) points = 10;
      if (shrink && points * GLABELS_LINE > boxPt) points = Math.max(1, Math.floor(((points * 0.75 * boxPt) / (points * GLABELS_LINE)) * 2) / 2) / 0.75;
      const sizeMm = round(Math.max(0.8, points * PT));
      let align: 'left' | 'center' | 'right' = a.justify === 'Center' ? 'center' : a.justify === 'Right' ? 'right' : 'left';
      if (shrink && align !== 'left') {
        report.push(`${where}: glabels prints a text that shrinks to fit from the left, so it is carried over left-aligned (it was set to ${align}); change it in the designer if ${align} was meant.`);
        align = 'left';
      }
      const drop = round(sizeMm * (GLABELS_ASCENT - BASELINE));
      elements.push({
        type: 'text',
        x: round(box.x + TEXT_MARGIN_MM),
        y: round(box.y + drop),
        w: round(Math.max(1, boxMm.w - 2 * TEXT_MARGIN_MM)),
        h: round(Math.max(sizeMm, boxMm.h - drop)),
        text: lines.join(' '),
        size: sizeMm,
        weight: /bold/i.test(font.font_weight ?? '') ? 'bold' : 'regular',
        align,
        maxLines: Math.max(1, lines.length),
        overflow: shrink ? 'shrink' : 'ellipsis',
        ...(shrink ? { minSize: 0.8 } : {}),
        rotate: rotate ?? 0,
      } as LabelElement);
    } else if (kind === 'Object-barcode') {
      const style = (a.style ?? '').toLowerCase().replace(/[^a-z0-9]/g, '');
      const symbology = SYMBOLOGY[style];
      if (!symbology) {
        report.push(`${where}: ${a.style} barcodes are not made here (Code 128, Data Matrix, QR and GS1-128 are); left out.`);
        continue;
      }
      const data = a.field ? `{{${a.field}}}` : (a.data ?? '');
      if (a.field) fields.add(a.field);
      if (!data) {
        report.push(`${where}: it has no data; left out.`);
        continue;
      }
      elements.push({ type: 'barcode', ...box, ...wh(), symbology, data, humanReadable: a.text === 'True' && (symbology === 'code128' || symbology === 'gs1-128'), rotate: rotate ?? 0 } as LabelElement);
    } else if (kind === 'Object-box' || kind === 'Object-ellipse') {
      if (kind === 'Object-ellipse') report.push(`${where}: an ellipse is printed as its box.`);
      const filled = a.fill_color !== undefined && !/00$/i.test(a.fill_color);
      elements.push({ type: 'box', ...box, ...wh(), thickness: Math.max(0.1, round(toMm(a.line_width ?? '0.25mm', `${where} line width`))), fill: filled } as LabelElement);
    } else if (kind === 'Object-line') {
      const dx = toMm(a.dx, `${where} dx`);
      const dy = toMm(a.dy, `${where} dy`);
      elements.push({ type: 'line', x1: box.x, y1: box.y, x2: round(box.x + dx), y2: round(box.y + dy), thickness: Math.max(0.1, round(toMm(a.line_width ?? '0.25mm', `${where} line width`))) } as LabelElement);
    } else if (kind === 'Object-image') {
      const src = (a.src ?? '').split('/').at(-1)!.replace(/[^\w.-]/g, '_');
      if (!/\.png$/i.test(src)) {
        report.push(`${where}: image "${a.src ?? a.field ?? ''}" is not a PNG (or comes from a merge field); left out.`);
        continue;
      }
      if (!images.some((img) => img.name === src)) report.push(`${where}: the document does not carry ${src}; upload it in the designer.`);
      elements.push({ type: 'image', ...box, ...wh(), src } as LabelElement);
    } else {
      report.push(`${where}: this kind of object is not made here; left out.`);
    }
  }
  if (elements.length === 0) throw new StationError('IMPORT_FAILED', 'Nothing in the glabels file could be carried over.', { status: 422, details: { report } });
  const merge = body.find((n) => tag(n) === 'Merge')?.[':@'];
  if (fields.size) report.push(`Merge fields ${[...fields].join(', ')} are read from the data printed with (a job with explicit data, e.g. from an ERP); in the designer, bind them to work-order fields instead where you want.`);
  if (merge?.src) report.push(`The merge source ${merge.src} stays with glabels: data comes with each print.`);
  return {
    template: {
      id,
      version: 1,
      name: template?.[':@']?.description || `${template?.[':@']?.brand ?? 'glabels'} ${template?.[':@']?.part ?? id}`.trim(),
      kind: 'layout',
      subject: 'assembly',
      size,
      ...(fields.size ? { fields: [...fields] } : {}),
      elements,
    },
    report,
    images,
  };
}
