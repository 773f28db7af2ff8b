// The label template format: a layout in millimetres, bound to work-order data with {{...}} placeholders.
import { z } from 'zod';

const mm = z.number().min(0).max(1000);
const rotation = z.union([z.literal(0), z.literal(90), z.literal(180), z.literal(270)]).default(0);
/** Show the element only when this data path has a value (e.g. "assembly.orientationDeg"). */
const when = z.string().min(1).optional();

const box = { x: mm, y: mm, w: mm.positive(), h: mm.positive() };

export const textElement = z.strictObject({
  type: z.literal('text'),
  ...box,
  text: z.string(),
  /** Character height in mm. */
  size: z.number().min(0.8).max(100),
  weight: z.enum(['regular', 'bold']).default('regular'),
  align: z.enum(['left', 'center', 'right']).default('left'),
  maxLines: z.number().int().min(1).max(20).default(1),
  /** What to do when the text does not fit: shrink it (down to minSize), or cut it with an ellipsis. */
  overflow: z.enum(['shrink', 'ellipsis']).default('shrink'),
  minSize: z.number().min(0.8).max(100).optional(),
  rotate: rotation,
  when,
});

export const SYMBOLOGIES = ['code128', 'gs1-128', 'qr', 'datamatrix', 'gs1-datamatrix'] as const;
export type Symbology = (typeof SYMBOLOGIES)[number];

export const barcodeElement = z.strictObject({
  type: z.literal('barcode'),
  ...box,
  symbology: z.enum(SYMBOLOGIES),
  data: z.string().min(1),
  /** Narrowest bar or one cell, in mm; the engine picks the largest that fits when absent. */
  moduleMm: z.number().min(0.1).max(5).optional(),
  /** Print the data as text under a linear barcode. */
  humanReadable: z.boolean().default(false),
  rotate: rotation,
  when,
});

export const lineElement = z.strictObject({
  type: z.literal('line'),
  x1: mm,
  y1: mm,
  x2: mm,
  y2: mm,
  thickness: z.number().min(0.1).max(20).default(0.3),
  when,
});

export const boxElement = z.strictObject({
  type: z.literal('box'),
  ...box,
  thickness: z.number().min(0.1).max(20).default(0.3),
  fill: z.boolean().default(false),
  when,
});

export const imageElement = z.strictObject({
  type: z.literal('image'),
  ...box,
  /** A PNG file in templates/images/. */
  src: z.string().regex(/^[\w.-]+\.png$/, 'expected a PNG file name in templates/images/, e.g. "logo.png"'),
  when,
});

export const labelElement = z.discriminatedUnion('type', [textElement, barcodeElement, lineElement, boxElement, imageElement]);

const common = {
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'expected lower-case letters, digits and dashes'),
  version: z.number().int().min(1),
  name: z.string().min(1),
  /** What one label is for: each assembly of a line, each kit, or the work order itself. */
  subject: z.enum(['assembly', 'kit', 'workorder']),
  size: z.strictObject({ widthMm: z.number().positive().max(300), heightMm: z.number().positive().max(1000) }),
  /** Fields the template reads from data sent with each print (explicit data, e.g. from an ERP), beyond work-order fields. */
  fields: z.array(z.string().regex(/^[A-Za-z_]\w*$/, 'expected a field name like partNumber')).max(100).optional(),
};

export const layoutTemplateSchema = z.strictObject({ ...common, kind: z.literal('layout'), elements: z.array(labelElement).min(1) });

/**
 * A design from a label designer: ZPL with {{...}} placeholders inside ^FD fields, in a file next to the template
 * (shipped templates) or in the template itself (templates kept in the station's store).
 */
export const zplTemplateSchema = z
  .strictObject({
    ...common,
    kind: z.literal('zpl'),
    zplFile: z.string().regex(/^[\w.-]+\.zpl$/, 'expected a .zpl file name next to the template').optional(),
    zpl: z.string().min(7).max(1_000_000).optional(),
  })
  .refine((t) => (t.zplFile === undefined) !== (t.zpl === undefined), { message: 'give either zplFile (a file next to the template) or zpl (the ZPL itself), not both' });

export const labelTemplateSchema = z.discriminatedUnion('kind', [layoutTemplateSchema, zplTemplateSchema]);

export type TextElement = z.infer<typeof textElement>;
export type BarcodeElement = z.infer<typeof barcodeElement>;
export type LabelElement = z.infer<typeof labelElement>;
export type LayoutTemplate = z.infer<typeof layoutTemplateSchema>;
export type LabelTemplateDef = z.infer<typeof labelTemplateSchema>;
