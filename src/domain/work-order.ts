// The bench's view of a released work order: every line resolved to what a crimper and a label need.

export interface Quantity {
  value: number;
  unit: string;
}

export interface Toleranced extends Quantity {
  /** Upper and lower deviation, both positive numbers (+plus / −minus). */
  plus?: number;
  minus?: number;
}

export interface CrimpData {
  couplingSeries?: string;
  diameter?: Toleranced;
  dieSize?: string;
  spacerRing?: string;
  insertLength?: Quantity;
  skiveExternal?: Toleranced;
  skiveInternal?: Toleranced;
  stretch?: Quantity;
  ferrulePartNumber?: string;
}

export interface AssemblyEnd {
  fittingPartNumber?: string;
  fittingDescription?: string;
  fittingBrand?: string;
  ferrulePartNumber?: string;
  angleDeg?: number;
  crimp?: CrimpData;
}

export interface HoseView {
  partNumber?: string;
  brand?: string;
  size?: string;
  nominalSize?: string;
  description?: string;
  spec?: string;
  maxWorkingPressure?: Quantity;
}

export interface AssemblyView {
  id: string;
  partNumber: string;
  revision?: string;
  description?: string;
  customerPartNumber?: string;
  hose: HoseView;
  end1: AssemblyEnd;
  end2: AssemblyEnd;
  /** Overall length, unless definedByCutLength says it is the cut length. */
  length?: Quantity & { tolerance?: string };
  cutLength?: Quantity;
  definedByCutLength?: boolean;
  /** Clocking angle between the two ends, degrees, where the assembly has one. */
  orientationDeg?: number;
  proofTest?: boolean;
  burstTest?: boolean;
  printText?: string;
  productionNotes?: string;
}

export interface KitView {
  id: string;
  partNumber: string;
  revision?: string;
  description?: string;
  customerPartNumber?: string;
  assemblies: Array<{ quantity: number; assembly: AssemblyView }>;
}

export interface LineView {
  id: string;
  lineNumber: number;
  quantity: number;
  purchaseOrder?: string;
  salesOrder?: string;
  comments?: string;
  kind: 'assembly' | 'kit' | 'other';
  itemId?: string;
  assembly?: AssemblyView;
  kit?: KitView;
  /** Why the item could not be resolved, when it could not. */
  problem?: string;
}

export interface WorkOrderView {
  id: string;
  number: string;
  status: string;
  released: boolean;
  description?: string;
  revision?: string;
  comments?: string;
  dueDate?: string;
  startDate?: string;
  customer?: { id?: string; name?: string };
  purchaseOrder?: string;
  lines: LineView[];
}

export interface CachedWorkOrder extends WorkOrderView {
  syncedAt: string;
  /** GoldLeaf's newer copy could not be read: this is the last good one, since when and why. */
  stale?: { since: string; reason: string };
  firstReleasedAt?: string;
  leftReleasedAt?: string;
}
