// Zod schemas of the GoldLeaf objects the station reads: they keep unknown fields and tolerate missing optional ones.
import { z } from 'zod';
import { StationError } from '../errors.js';
import { formatPath } from '../config/load.js';

const text = z.string().nullish();
/** Numbers sometimes arrive as numeric strings; accept both. */
const num = z.union([z.number(), z.string().trim().regex(/^-?\d+(\.\d+)?$/).transform(Number)]).nullish();
const flag = z.boolean().nullish();
/** A reference is an id, or the object itself when GoldLeaf embeds (populates) it. */
export const ref = z.union([z.string(), z.looseObject({ _id: z.string() })]).nullish();
/** {value, unit} measures as in ItemProperties.crimpSpecs. */
const measure = z.looseObject({ value: num, unit: text, tolerance: num, tolerancePlus: num, toleranceMinus: num }).nullish();

export const workOrderItemSchema = z.looseObject({
  _id: text,
  item: ref,
  itemType: text,
  quantity: num,
  lineNumber: num,
  purchaseOrder: text,
  salesOrder: text,
  comments: text,
  deleted: flag,
});

export const workOrderSchema = z.looseObject({
  _id: z.string().min(1),
  number: z.union([z.string().min(1), z.number().transform(String)]),
  status: text,
  description: text,
  revision: text,
  comments: text,
  dueDate: text,
  startDate: text,
  customerOrgId: ref,
  customerName: text,
  purchaseOrder: text,
  items: z.array(z.unknown()).nullish(),
});

export const hoseAssemblySchema = z.looseObject({
  _id: z.string().min(1),
  partNumber: z.string().min(1),
  revision: text,
  description: text,
  hose: ref,
  hoseBrand: text,
  hosePartNumber: text,
  length: num,
  lengthUnit: z.union([z.string(), z.looseObject({ unit: z.string() }).transform((u) => u.unit)]).nullish(),
  lengthTolerance: z.union([z.string(), z.number().transform(String)]).nullish(),
  definedByCutLength: flag,
  cutLength: num,
  end1: ref,
  end2: ref,
  end1PartNumber: text,
  end2PartNumber: text,
  ferrule1: ref,
  ferrule2: ref,
  orientation: num,
  customerPartNumber: text,
  customerRevision: text,
  customerName: text,
  status: text,
  proofTest: flag,
  burstTest: flag,
  printText: text,
  productionNotes: text,
  comments: text,
  tag: text,
});

export const hoseSchema = z.looseObject({
  _id: z.string().min(1),
  partNumber: z.string().min(1),
  brand: text,
  size: z.union([z.string(), z.number().transform(String)]).nullish(),
  nominalHoseSize: text,
  description: text,
  series: text,
  spec: text,
  saeSpec: text,
  isoSpec: text,
  DN: num,
  innerDiamInch: num,
  maxWorkingPressure: measure,
  workingPressure: z.union([measure, num]),
});

export const crimpSpecSchema = z.looseObject({
  couplingSeries: text,
  couplingSeriesBrand: text,
  ferruleBrand: text,
  ferrulePartNumber: text,
  dieSize: z.union([z.string(), z.number().transform(String)]).nullish(),
  spacerRing: text,
  insertLength: measure,
  crimpDiam: measure,
  crimpStretchPerEnd: measure,
  skiveExternal: measure,
  skiveInternal: measure,
});

export const fittingSchema = z.looseObject({
  _id: z.string().min(1),
  partNumber: z.string().min(1),
  brand: text,
  description: text,
  couplingSeries: text,
  size: z.union([z.string(), z.number().transform(String)]).nullish(),
  endType: text,
  angle: num,
});

export const ferruleSchema = z.looseObject({ _id: z.string().min(1), partNumber: z.string().min(1), brand: text, description: text });

export const hoseKitLineSchema = z.looseObject({ item: ref, itemType: text, number: z.union([z.string(), z.number()]).nullish(), quantity: num, order: num, comments: text, deleted: flag });

export const hoseKitSchema = z.looseObject({
  _id: z.string().min(1),
  partNumber: z.string().min(1),
  revision: text,
  description: text,
  customerPartNumber: text,
  customerRevision: text,
  customerName: text,
  status: text,
  comments: text,
  hoseAssemblies: z.array(hoseKitLineSchema).nullish(),
  adaptors: z.array(z.unknown()).nullish(),
  otherItems: z.array(z.unknown()).nullish(),
});

export const customerSchema = z.looseObject({ _id: z.string().min(1), name: text, erpId: text, domain: text });

export type WorkOrderDoc = z.infer<typeof workOrderSchema>;
export type WorkOrderItemDoc = z.infer<typeof workOrderItemSchema>;
export type HoseAssemblyDoc = z.infer<typeof hoseAssemblySchema>;
export type HoseDoc = z.infer<typeof hoseSchema>;
export type CrimpSpecDoc = z.infer<typeof crimpSpecSchema>;
export type FittingDoc = z.infer<typeof fittingSchema>;
export type HoseKitDoc = z.infer<typeof hoseKitSchema>;
export type Measure = z.infer<typeof measure>;

/** Validates a GoldLeaf answer; the error names the endpoint and the first fields that do not fit. */
export function parseResponse<S extends z.ZodType>(endpoint: string, schema: S, data: unknown): z.infer<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const fields = result.error.issues.slice(0, 3).map((i) => `${formatPath(i.path)}: ${i.message}`);
  throw new StationError('GOLDLEAF_BAD_RESPONSE', `GoldLeaf's answer to ${endpoint} does not have the expected shape (${fields.join('; ')}).`, {
    status: 502,
    retryable: false,
    hint: 'The station keeps serving its cached data. If GoldLeaf changed its API, report this message.',
    details: { endpoint, fields },
  });
}

/** The id of a reference, whether it came as an id or as an embedded object. */
export function refId(value: z.infer<typeof ref>): string | undefined {
  if (!value) return undefined;
  return typeof value === 'string' ? value : value._id;
}
