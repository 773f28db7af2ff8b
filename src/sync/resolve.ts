// Resolves a GoldLeaf work order into the bench's view: lines, assemblies, kits, hoses, fittings and crimp data per end.
import { StationError, describeError } from '../errors.js';
import type { GoldleafClient } from '../goldleaf/client.js';
import {
  parseResponse,
  refId,
  workOrderItemSchema,
  hoseKitLineSchema,
  type CrimpSpecDoc,
  type FittingDoc,
  type HoseAssemblyDoc,
  type HoseDoc,
  type HoseKitDoc,
  type Measure,
  type WorkOrderDoc,
  type WorkOrderItemDoc,
} from '../goldleaf/schemas.js';
import type { AssemblyEnd, AssemblyView, CrimpData, HoseView, KitView, LineView, Quantity, Toleranced, WorkOrderView } from '../domain/work-order.js';

export type SaveRaw = (kind: string, id: string, body: unknown) => void;

/** Resolves within one sync pass; each GoldLeaf object is fetched once per pass however many lines use it. */
export class Resolver {
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(
    private readonly client: GoldleafClient,
    private readonly releasedStatuses: readonly string[],
    private readonly saveRaw: SaveRaw,
    private readonly signal?: AbortSignal,
  ) {}

  isReleased(status: string | null | undefined): boolean {
    if (!status) return false;
    const s = status.trim().toLowerCase();
    return this.releasedStatuses.some((r) => r.trim().toLowerCase() === s);
  }

  async workOrder(doc: WorkOrderDoc): Promise<WorkOrderView> {
    const rawItems = doc.items ?? (await this.client.getWorkOrderItems(doc._id, this.signal));
    const lines: LineView[] = [];
    for (const [index, raw] of rawItems.entries()) {
      let item: WorkOrderItemDoc;
      try {
        item = parseResponse(`work order ${doc.number} line ${index + 1}`, workOrderItemSchema, raw);
      } catch (err) {
        lines.push({ id: `${doc._id}:${index}`, lineNumber: index + 1, quantity: 0, kind: 'other', problem: describeError(err) });
        continue;
      }
      if (item.deleted) continue;
      lines.push(await this.line(doc, item, index));
    }
    lines.sort((a, b) => a.lineNumber - b.lineNumber);
    const customerId = refId(doc.customerOrgId);
    const embeddedCustomer = typeof doc.customerOrgId === 'object' ? (doc.customerOrgId as { name?: unknown }).name : undefined;
    let customerName = doc.customerName ?? (typeof embeddedCustomer === 'string' ? embeddedCustomer : undefined);
    if (!customerName && customerId) customerName = (await this.optional(() => this.fetch('customer', customerId, () => this.client.getCustomer(customerId, this.signal))))?.name ?? undefined;
    return compact({
      id: doc._id,
      number: doc.number,
      status: doc.status ?? '',
      released: this.isReleased(doc.status),
      description: doc.description,
      revision: doc.revision,
      comments: doc.comments,
      dueDate: doc.dueDate,
      startDate: doc.startDate,
      customer: customerId || customerName ? compact({ id: customerId, name: customerName }) : undefined,
      purchaseOrder: doc.purchaseOrder ?? lines.find((l) => l.purchaseOrder)?.purchaseOrder,
      lines,
    }) as WorkOrderView;
  }

  private async line(wo: WorkOrderDoc, item: WorkOrderItemDoc, index: number): Promise<LineView> {
    const itemId = refId(item.item);
    const base = compact({
      id: item._id ?? `${wo._id}:${index}`,
      lineNumber: item.lineNumber ?? index + 1,
      quantity: Math.max(0, Math.round(item.quantity ?? 1)),
      purchaseOrder: item.purchaseOrder,
      salesOrder: item.salesOrder,
      comments: item.comments,
      itemId,
    }) as Omit<LineView, 'kind'>;
    if (!itemId) return { ...base, kind: 'other', problem: 'the line references no item' };
    const type = (item.itemType ?? '').toLowerCase().replace(/[^a-z]/g, '');
    try {
      if (type.includes('kit')) return { ...base, kind: 'kit', kit: await this.kit(itemId) };
      if (type === '' || type.includes('assembly')) {
        try {
          return { ...base, kind: 'assembly', assembly: await this.assembly(itemId) };
        } catch (err) {
          // Without an itemType, a 404 for the assembly may mean the line is a kit.
          if (type !== '' || (err as StationError).code !== 'GOLDLEAF_NOT_FOUND') throw err;
          return { ...base, kind: 'kit', kit: await this.kit(itemId) };
        }
      }
      return { ...base, kind: 'other' };
    } catch (err) {
      if (err instanceof StationError && err.retryable) throw err; // GoldLeaf is failing: keep the previous copy
      return { ...base, kind: 'other', problem: describeError(err) };
    }
  }

  async assembly(id: string): Promise<AssemblyView> {
    const doc = (await this.fetch('hoseassembly', id, () => this.client.getHoseAssembly(id, this.signal))) as HoseAssemblyDoc;
    const hoseId = refId(doc.hose);
    const hose = hoseId ? await this.optional(() => this.fetch('hose', hoseId, () => this.client.getHose(hoseId, this.signal)) as Promise<HoseDoc>) : undefined;
    const specs = hoseId ? ((await this.optional(() => this.fetch('crimpspecs', hoseId, () => this.client.getHoseCrimpSpecs(hoseId, this.signal)))) as CrimpSpecDoc[] | undefined) : undefined;
    const end = async (fittingRef: HoseAssemblyDoc['end1'], ferruleRef: HoseAssemblyDoc['ferrule1'], partNumber: string | null | undefined): Promise<AssemblyEnd> => {
      const fittingId = refId(fittingRef);
      const fitting = fittingId ? ((await this.optional(() => this.fetch('crimpfitting', fittingId, () => this.client.getFitting(fittingId, this.signal)))) as FittingDoc | undefined) : undefined;
      const ferruleId = refId(ferruleRef);
      const ferrule = ferruleId ? await this.optional(() => this.fetch('ferrule', ferruleId, () => this.client.getFerrule(ferruleId, this.signal))) : undefined;
      const ferrulePartNumber = (ferrule as { partNumber?: string } | undefined)?.partNumber;
      const spec = matchCrimpSpec(specs ?? [], fitting?.couplingSeries, ferrulePartNumber);
      return compact({
        fittingPartNumber: fitting?.partNumber ?? partNumber ?? undefined,
        fittingDescription: fitting?.description,
        fittingBrand: fitting?.brand,
        ferrulePartNumber: ferrulePartNumber ?? spec?.ferrulePartNumber ?? undefined,
        angleDeg: fitting?.angle ?? undefined,
        crimp: spec ? crimpData(spec) : undefined,
      }) as AssemblyEnd;
    };
    const hoseView: HoseView = compact({
      partNumber: hose?.partNumber ?? doc.hosePartNumber,
      brand: hose?.brand ?? doc.hoseBrand,
      size: hose?.size,
      nominalSize: hose?.nominalHoseSize,
      description: hose?.description,
      spec: hose?.spec ?? hose?.saeSpec ?? hose?.isoSpec,
      maxWorkingPressure: pressure(hose),
    }) as HoseView;
    const unit = doc.lengthUnit ?? 'mm';
    return compact({
      id: doc._id,
      partNumber: doc.partNumber,
      revision: doc.revision,
      description: doc.description,
      customerPartNumber: doc.customerPartNumber,
      hose: hoseView,
      end1: await end(doc.end1, doc.ferrule1, doc.end1PartNumber),
      end2: await end(doc.end2, doc.ferrule2, doc.end2PartNumber),
      length: doc.length != null ? compact({ value: doc.length, unit, tolerance: doc.lengthTolerance }) : undefined,
      cutLength: doc.cutLength != null ? { value: doc.cutLength, unit } : doc.definedByCutLength && doc.length != null ? { value: doc.length, unit } : undefined,
      definedByCutLength: doc.definedByCutLength,
      orientationDeg: doc.orientation,
      proofTest: doc.proofTest,
      burstTest: doc.burstTest,
      printText: doc.printText,
      productionNotes: doc.productionNotes,
    }) as AssemblyView;
  }

  async kit(id: string): Promise<KitView> {
    const doc = (await this.fetch('hosekit', id, () => this.client.getHoseKit(id, this.signal))) as HoseKitDoc;
    const rows = doc.hoseAssemblies ?? (await this.client.getHoseKitItems(id, this.signal));
    const assemblies: KitView['assemblies'] = [];
    for (const [i, raw] of rows.entries()) {
      const line = parseResponse(`hose kit ${doc.partNumber} line ${i + 1}`, hoseKitLineSchema, raw);
      const assemblyId = refId(line.item);
      if (line.deleted || !assemblyId) continue;
      if (line.itemType && !line.itemType.toLowerCase().includes('assembly')) continue;
      assemblies.push({ quantity: Math.max(0, Math.round(line.quantity ?? 1)), assembly: await this.assembly(assemblyId) });
    }
    return compact({ id: doc._id, partNumber: doc.partNumber, revision: doc.revision, description: doc.description, customerPartNumber: doc.customerPartNumber, assemblies }) as KitView;
  }

  private fetch<T>(kind: string, id: string, load: () => Promise<T>): Promise<T> {
    const key = `${kind}:${id}`;
    let pending = this.memo.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = load().then((doc) => {
        this.saveRaw(kind, id, doc);
        return doc;
      });
      this.memo.set(key, pending);
    }
    return pending;
  }

  /** Missing details (a 404 or a malformed object) leave a field empty; a failing GoldLeaf still fails the pass. */
  private async optional<T>(load: () => Promise<T>): Promise<T | undefined> {
    try {
      return await load();
    } catch (err) {
      if (err instanceof StationError && err.retryable) throw err;
      return undefined;
    }
  }
}

function matchCrimpSpec(specs: CrimpSpecDoc[], series: string | null | undefined, ferrule: string | undefined): CrimpSpecDoc | undefined {
  const same = (a?: string | null, b?: string | null) => !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();
  return specs.find((s) => same(s.couplingSeries, series) && (!ferrule || !s.ferrulePartNumber || same(s.ferrulePartNumber, ferrule))) ?? specs.find((s) => same(s.couplingSeries, series));
}

function quantity(m: Measure, fallbackUnit = 'mm'): Quantity | undefined {
  return m?.value != null ? { value: m.value, unit: m.unit ?? fallbackUnit } : undefined;
}

function toleranced(m: Measure): Toleranced | undefined {
  const q = quantity(m);
  if (!q) return undefined;
  const plus = m?.tolerancePlus ?? m?.tolerance;
  const minus = m?.toleranceMinus ?? m?.tolerance;
  return compact({ ...q, plus: plus == null ? undefined : Math.abs(plus), minus: minus == null ? undefined : Math.abs(minus) }) as Toleranced;
}

function crimpData(s: CrimpSpecDoc): CrimpData {
  return compact({
    couplingSeries: s.couplingSeries,
    diameter: toleranced(s.crimpDiam),
    dieSize: s.dieSize,
    spacerRing: s.spacerRing,
    insertLength: quantity(s.insertLength),
    skiveExternal: toleranced(s.skiveExternal),
    skiveInternal: toleranced(s.skiveInternal),
    stretch: quantity(s.crimpStretchPerEnd),
    ferrulePartNumber: s.ferrulePartNumber,
  }) as CrimpData;
}

function pressure(hose: HoseDoc | undefined): Quantity | undefined {
  if (!hose) return undefined;
  const wp = hose.maxWorkingPressure ?? hose.workingPressure;
  if (typeof wp === 'number') return { value: wp, unit: 'psi' };
  return quantity(wp, 'psi');
}

/** Drops undefined and null fields so cached views stay small and templates see "absent", not "null". */
export function compact<T extends Record<string, unknown>>(obj: T): T {
  for (const key of Object.keys(obj)) if (obj[key] === undefined || obj[key] === null) delete obj[key];
  return obj;
}
