// Document layouts in templates/documents: what a shop may change on datasheets without touching src/.
import { z } from 'zod';

const placeholderText = z.string().max(500);

const page = {
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/),
  version: z.number().int().min(1),
  name: z.string().min(1),
  page: z.strictObject({ size: z.enum(['A4', 'Letter']).default('A4'), marginMm: z.number().min(5).max(40).default(12) }).prefault({}),
  /** A PNG in templates/images, drawn top left. */
  logo: z.string().regex(/^[\w.-]+\.png$/).optional(),
  /** Lines top right: shop name, address, phone. */
  headerLines: z.array(placeholderText).max(6).default(['{{shop.name}}']),
  footer: placeholderText.default('{{shop.name}} · printed {{printedAt}}'),
};

export const columnSchema = z.strictObject({
  title: z.string().max(40),
  value: placeholderText,
  /** Relative width; columns share the table width in proportion. */
  weight: z.number().positive().max(20).default(1),
  align: z.enum(['left', 'right', 'center']).default('left'),
});

export const workOrderDatasheetSchema = z.strictObject({
  ...page,
  kind: z.literal('workorder-datasheet'),
  title: placeholderText.default('Work order {{workOrder.number}}'),
  columns: z.array(columnSchema).min(1).max(14),
  show: z.strictObject({ barcode: z.boolean().default(true), notes: z.boolean().default(true) }).prefault({}),
});

export const assemblyDatasheetSchema = z.strictObject({
  ...page,
  kind: z.literal('assembly-datasheet'),
  title: placeholderText.default('Hose assembly {{assembly.partNumber}}'),
  show: z
    .strictObject({
      barcode: z.boolean().default(true),
      hose: z.boolean().default(true),
      ends: z.boolean().default(true),
      crimp: z.boolean().default(true),
      tests: z.boolean().default(true),
      bom: z.boolean().default(true),
      notes: z.boolean().default(true),
      drawing: z.boolean().default(true),
    })
    .prefault({}),
});

export const kitDatasheetSchema = z.strictObject({
  ...page,
  kind: z.literal('kit-datasheet'),
  title: placeholderText.default('Hose kit {{kit.partNumber}}'),
  columns: z.array(columnSchema).min(1).max(14),
  show: z.strictObject({ barcode: z.boolean().default(true), crimp: z.boolean().default(true) }).prefault({}),
});

export const fileLayoutSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/),
  version: z.number().int().min(1),
  name: z.string().min(1),
  kind: z.enum(['marken', 'pts']),
  /** Delimited (CSV-like) or fixed-width columns. */
  format: z.enum(['delimited', 'fixed']).default('delimited'),
  delimiter: z.string().min(1).max(3).default(';'),
  header: z.boolean().default(true),
  /** Prefix of a first line saying where the file came from; omit for formats that cannot carry comments. */
  commentPrefix: z.string().max(4).optional(),
  lineEnding: z.enum(['\r\n', '\n']).default('\r\n'),
  encoding: z.enum(['utf8', 'latin1']).default('utf8'),
  fileName: placeholderText,
  /** One row per: assembly (each line, or each assembly of a kit) or label (one row per piece). */
  rowPer: z.enum(['assembly', 'piece']).default('assembly'),
  columns: z.array(z.strictObject({ title: z.string().max(40), value: placeholderText, widthChars: z.number().int().min(1).max(200).optional() })).min(1),
});

export const documentTemplateSchema = z.discriminatedUnion('kind', [workOrderDatasheetSchema, assemblyDatasheetSchema, kitDatasheetSchema]);

export type Column = z.infer<typeof columnSchema>;
export type WorkOrderDatasheetDef = z.infer<typeof workOrderDatasheetSchema>;
export type AssemblyDatasheetDef = z.infer<typeof assemblyDatasheetSchema>;
export type KitDatasheetDef = z.infer<typeof kitDatasheetSchema>;
export type DocumentTemplateDef = z.infer<typeof documentTemplateSchema>;
export type FileLayoutDef = z.infer<typeof fileLayoutSchema>;
