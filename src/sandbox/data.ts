// Demo data for the GoldLeaf sandbox: customers, assemblies, kits and work orders of a busy hose shop.
import { buildCatalog, objectId, type SandboxFitting, type SandboxHose } from './catalog.js';

export type Doc = Record<string, unknown> & { _id: string };

export interface SandboxData {
  hoses: Map<string, Doc>;
  fittings: Map<string, Doc>;
  ferrules: Map<string, Doc>;
  crimpSpecs: Map<string, unknown[]>;
  customers: Map<string, Doc>;
  assemblies: Map<string, Doc>;
  kits: Map<string, Doc>;
  workOrders: Map<string, Doc>;
}

/** A small seeded generator, so every demo start shows the same shop. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CUSTOMERS = [
  { name: 'Hydraulik Müller GmbH', erpId: 'C-1001', domain: 'hydraulik-mueller.de', po: '4500' },
  { name: "Société d'Équipements Lévêque", erpId: 'C-1002', domain: 'leveque-equipements.fr', po: 'BC-' },
  { name: 'Ø-Flow Hydraulics ApS', erpId: 'C-1003', domain: 'oflow.dk', po: 'OF' },
  { name: 'Construcciones Peñalara S.L.', erpId: 'C-1004', domain: 'penalara.es', po: 'PED-' },
  { name: 'Northfield Agricultural Co.', erpId: 'C-1005', domain: 'northfield-ag.com', po: 'NF' },
  { name: 'Baker Mining Services', erpId: 'C-1006', domain: 'bakermining.com.au', po: 'BMS-' },
  { name: 'Åkermans Skogsmaskiner AB', erpId: 'C-1007', domain: 'akermans.se', po: 'ÅK' },
  { name: 'Lakeside Marine & Crane', erpId: 'C-1008', domain: 'lakesidemarine.ca', po: 'LMC' },
];

const STATUS_PLAN = [
  ...Array(22).fill('Released'),
  'Draft', 'Draft', 'Under editing', 'Completed', 'Completed', 'Cancelled', 'Draft', 'Under editing',
] as string[];

export function buildSandboxData(today: Date = new Date()): SandboxData {
  const random = rng(20261126);
  const pick = <T,>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const catalog = buildCatalog();
  const stamp = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
  const day = (offset: number) => new Date(stamp.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
  const created = new Date(stamp.getTime() - 20 * 86_400_000).toISOString();

  const customers = CUSTOMERS.map((c, i) => ({ _id: objectId(4, i + 1), name: c.name, erpId: c.erpId, domain: c.domain, created }));

  const assemblies: Doc[] = [];
  const fittingsFor = (hose: SandboxHose) => catalog.fittings.filter((f) => f.couplingSeries === hose.couplingSeries && f.size === hose.size);
  for (let n = 0; n < 46; n++) {
    const hose = catalog.hoses[n % catalog.hoses.length]!;
    const options = fittingsFor(hose);
    const end1: SandboxFitting = options[n % 3 === 0 ? 0 : Math.floor(random() * options.length)]!;
    const end2: SandboxFitting = pick(options);
    const inches = n % 7 === 3;
    const length = inches ? Math.round(12 + random() * 96) : Math.round((300 + random() * 2700) / 5) * 5;
    const unit = inches ? 'inch' : 'mm';
    const customer = customers[n % customers.length]!;
    const ferrule = catalog.ferrules.find((f) => f.partNumber.endsWith(hose.size));
    const bothAngled = end1.angle > 0 && end2.angle > 0;
    const fittingAllowance = 38 + Number(hose.size.slice(1)) * 2; // mm of each fitting beyond the hose cut
    assemblies.push({
      _id: objectId(5, n + 1),
      partNumber: `HA-${(1040 + n).toString()}`,
      revision: n % 5 === 0 ? 'B' : 'A',
      description: `${hose.partNumber} ${end1.endType}${end1.angle ? ` ${end1.angle}°` : ''} / ${end2.endType}${end2.angle ? ` ${end2.angle}°` : ''}, ${length} ${inches ? 'in' : 'mm'}`,
      hose: hose._id,
      hoseBrand: hose.brand,
      hosePartNumber: hose.partNumber,
      length,
      lengthUnit: unit,
      lengthTolerance: inches ? '±0.25 in' : length > 1500 ? '±10 mm' : '±5 mm',
      definedByCutLength: false,
      cutLength: inches ? Number((length - (2 * fittingAllowance) / 25.4).toFixed(2)) : length - 2 * fittingAllowance,
      end1: end1._id,
      end2: end2._id,
      end1PartNumber: end1.partNumber,
      end2PartNumber: end2.partNumber,
      ...(ferrule ? { ferrule1: ferrule._id, ferrule2: ferrule._id } : {}),
      ...(bothAngled ? { orientation: pick([0, 45, 90, 180, 270]) } : {}),
      customerPartNumber: `${customer.erpId.slice(2)}-${(7700 + n * 13).toString()}`,
      customerName: customer.name,
      status: 'Released',
      proofTest: n % 4 === 0,
      burstTest: false,
      printText: `${customer.name.split(' ')[0]} ${hose.partNumber} MWP ${hose.maxWorkingPressure.value} ${hose.maxWorkingPressure.unit.toUpperCase()}`,
      productionNotes: n % 6 === 0 ? 'Protective spiral guard over full length; cap both ends after cleaning.' : n % 9 === 1 ? 'Clean with projectile to ISO 4406 18/16/13.' : undefined,
      WeightLbs: Number((0.4 + length / (inches ? 40 : 1000) * 0.9).toFixed(2)),
      created,
      lastModified: created,
    });
  }
  for (const a of assemblies) if (a.productionNotes === undefined) delete a.productionNotes;

  const kits: Doc[] = [
    ['KIT-EX220-BOOM', 'Excavator EX220 boom circuit'],
    ['KIT-TR45-LOADER', 'Tractor TR45 front loader set'],
    ['KIT-CR12-SLEW', 'Crane CR12 slewing ring supply'],
    ['KIT-FM8-HARVESTER', 'Forwarder FM8 harvester head hoses'],
  ].map(([partNumber, description], k) => ({
    _id: objectId(6, k + 1),
    partNumber: partNumber!,
    revision: 'A',
    description: description!,
    customerPartNumber: `K-${900 + k}`,
    customerName: customers[k * 2]!.name,
    customerOrgId: customers[k * 2]!._id,
    status: 'Released',
    hoseAssemblies: Array.from({ length: 3 + (k % 3) }, (_, i) => ({
      number: String(i + 1),
      item: assemblies[(k * 7 + i * 3) % assemblies.length]!._id,
      quantity: 1 + ((k + i) % 3),
      order: i + 1,
      deleted: false,
    })),
    adaptors: [],
    otherItems: [],
    created,
    lastModified: created,
  }));

  const workOrders: Doc[] = STATUS_PLAN.map((status, w) => {
    const customer = customers[(w * 3) % customers.length]!;
    const plan = CUSTOMERS[(w * 3) % CUSTOMERS.length]!;
    const lineCount = w === 4 ? 14 : 1 + Math.floor(random() * 5);
    const po = `${plan.po}${(26000 + w * 37).toString()}`;
    const items = Array.from({ length: lineCount }, (_, i) => {
      const kit = w % 6 === 5 && i === 0;
      const item = kit ? kits[w % kits.length]! : assemblies[(w * 5 + i * 11) % assemblies.length]!;
      return {
        _id: objectId(8, w * 100 + i + 1),
        item: item._id,
        itemType: kit ? 'hoseKit' : 'hoseAssembly',
        quantity: kit ? 1 + (w % 3) : pick([1, 2, 2, 4, 6, 8, 12, 12, 24]),
        lineNumber: (i + 1) * 10,
        purchaseOrder: po,
        salesOrder: `SO-${(81000 + w * 4).toString()}`,
        comments: i === 0 && w % 4 === 1 ? 'Customer collects Friday; tag each assembly.' : '',
        deleted: false,
      };
    });
    if (w === 7) items.push({ ...items[0]!, _id: objectId(8, w * 100 + 99), lineNumber: 999, deleted: true, comments: 'removed by office' });
    return {
      _id: objectId(7, w + 1),
      number: `WO-${(24001 + w).toString()}`,
      description: `${customer.name.split(' ')[0]} ${w % 3 === 0 ? 'replacement hoses' : w % 3 === 1 ? 'machine build' : 'service order'}`,
      status,
      revision: w % 4 === 0 ? '2' : '1',
      comments: w % 5 === 0 ? 'Rush: machine down at customer.' : '',
      dueDate: day(((w * 7) % 21) - 3),
      startDate: day(-((w * 3) % 5)),
      customerOrgId: customer._id,
      customerName: customer.name,
      purchaseOrder: po,
      items,
      created,
      lastModified: created,
    };
  });

  const byId = <T extends { _id: string }>(list: readonly T[]) => new Map(list.map((d) => [d._id, d as unknown as Doc]));
  return {
    hoses: byId(catalog.hoses),
    fittings: byId(catalog.fittings),
    ferrules: byId(catalog.ferrules),
    crimpSpecs: catalog.crimpSpecs,
    customers: byId(customers),
    assemblies: byId(assemblies),
    kits: byId(kits),
    workOrders: byId(workOrders),
  };
}

/** Strings that try to break printers, files and pages; "hostile mode" puts them in every text field. */
export const HOSTILE_STRINGS = [
  'ACME^XZ^XA^FO0,0^FDpwned^FS',
  '~JA~JR cancel all',
  'Müller Ø ± µ ° é ü 漢字 😀',
  'bell\u0007 esc\u001b@ gs\u001dV0 nul\u0000 cr\r lf\n',
  '"quoted";semi;colon\r\nINJECTED;ROW',
  '<script>alert(1)</script> &amp; {{workOrder.number}}',
  '=HYPERLINK("http://example.invalid")',
  'x'.repeat(300),
];

/** Replaces every text field (not ids, references, statuses, dates, units or numbers) with a hostile string. */
export function makeHostile(data: SandboxData): void {
  let n = 0;
  const keep = /^(_id|item|hose|end1|end2|ferrule1|ferrule2|customerOrgId|itemType|status|dueDate|startDate|created|lastModified|unit|lengthUnit|couplingSeries|deleted)$/;
  const walk = (value: unknown, key: string): unknown => {
    if (typeof value === 'string') return keep.test(key) ? value : HOSTILE_STRINGS[n++ % HOSTILE_STRINGS.length];
    if (Array.isArray(value)) return value.map((v) => walk(v, key));
    if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) (value as Record<string, unknown>)[k] = walk(v, k);
      return value;
    }
    return value;
  };
  for (const map of [data.workOrders, data.assemblies, data.kits, data.hoses, data.fittings, data.ferrules, data.customers]) for (const doc of map.values()) walk(doc, '');
  for (const specs of data.crimpSpecs.values()) walk(specs, '');
  const now = new Date().toISOString();
  for (const wo of data.workOrders.values()) wo.lastModified = now;
}
