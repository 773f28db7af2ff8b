// The sandbox's hose-shop catalogue: hoses, crimp fittings, ferrules and crimp specs that look like a real shop's.

export interface SandboxHose {
  _id: string;
  partNumber: string;
  brand: string;
  series: string;
  size: string;
  nominalHoseSize: string;
  description: string;
  spec: string;
  isoSpec?: string;
  DN: number;
  innerDiamInch: number;
  maxWorkingPressure: { value: number; unit: 'psi' | 'bar' };
  couplingSeries: string;
}

export interface SandboxFitting {
  _id: string;
  partNumber: string;
  brand: string;
  description: string;
  couplingSeries: string;
  size: string;
  endType: string;
  angle: number;
}

/** Deterministic 24-hex ids that look like MongoDB ObjectIds. */
export function objectId(kind: number, n: number): string {
  return `6${kind.toString(16)}5f1c0e${n.toString(16).padStart(16, '0')}`.slice(0, 24);
}

interface HoseLine {
  brand: string;
  series: string;
  spec: string;
  isoSpec?: string;
  couplingSeries: string;
  unit: 'psi' | 'bar';
  /** dash size -> max working pressure in `unit` */
  sizes: Record<number, number>;
  description: string;
}

const HOSE_LINES: HoseLine[] = [
  { brand: 'Parker', series: '451TC', spec: 'SAE 100R16', isoSpec: 'EN 857 2SC', couplingSeries: '43', unit: 'psi', sizes: { 4: 5800, 6: 5000, 8: 4000, 12: 3125 }, description: 'Tough Cover compact two-wire braid' },
  { brand: 'Parker', series: '471TC', spec: 'SAE 100R2AT', isoSpec: 'EN 853 2SN', couplingSeries: '43', unit: 'psi', sizes: { 6: 5000, 8: 4000, 10: 3500 }, description: 'Tough Cover two-wire braid' },
  { brand: 'Parker', series: '797TC', spec: 'SAE 100R15', isoSpec: 'ISO 18752-CC', couplingSeries: '77', unit: 'psi', sizes: { 12: 6000, 16: 6000 }, description: 'Compact Spiral, 6000 psi constant pressure' },
  { brand: 'Gates', series: 'G4K', spec: 'SAE 100R12', isoSpec: 'EN 856 R12', couplingSeries: 'GS', unit: 'psi', sizes: { 12: 4000, 16: 4000 }, description: 'GlobalSpiral four-spiral' },
  { brand: 'Manuli', series: 'Rockmaster/4SP', spec: 'EN 856 4SP', couplingSeries: 'Interlock', unit: 'bar', sizes: { 10: 445, 12: 415 }, description: 'Rockmaster four-spiral, mining grade' },
  { brand: 'Alfagomma', series: 'T2 ForceMaster', spec: 'EN 853 2SN', couplingSeries: 'Fit-Fast', unit: 'bar', sizes: { 6: 400, 8: 350 }, description: 'Two-wire braid, ISO 6605 impulse' },
];

const DN: Record<number, number> = { 4: 6, 6: 10, 8: 12, 10: 16, 12: 19, 16: 25 };
const NOMINAL: Record<number, string> = { 4: '1/4"', 6: '3/8"', 8: '1/2"', 10: '5/8"', 12: '3/4"', 16: '1"' };

interface EndStyle {
  code: string;
  endType: string;
  angle: number;
  describe: (size: number) => string;
}

const END_STYLES: EndStyle[] = [
  { code: '06', endType: 'JIC 37° female swivel', angle: 0, describe: () => 'JIC 37° female swivel, straight' },
  { code: '37', endType: 'JIC 37° female swivel', angle: 45, describe: () => 'JIC 37° female swivel, 45° elbow' },
  { code: '39', endType: 'JIC 37° female swivel', angle: 90, describe: () => 'JIC 37° female swivel, 90° elbow' },
  { code: 'J1', endType: 'ORFS female swivel', angle: 0, describe: () => 'ORFS female swivel (SAE J1453), straight' },
  { code: 'J9', endType: 'ORFS female swivel', angle: 90, describe: () => 'ORFS female swivel (SAE J1453), 90° elbow' },
  { code: '01', endType: 'NPTF male', angle: 0, describe: () => 'NPTF male pipe, rigid' },
  { code: 'D9', endType: 'DKOL metric female', angle: 90, describe: (s) => `DKOL 24° metric female, 90°, M${s * 2 + 6}x1.5` },
  { code: '6G', endType: 'SAE flange code 62', angle: 0, describe: () => 'SAE J518 code 62 flange head, straight' },
];

export function buildCatalog() {
  const hoses: SandboxHose[] = [];
  let h = 0;
  for (const line of HOSE_LINES) {
    for (const [dash, wp] of Object.entries(line.sizes)) {
      const size = Number(dash);
      hoses.push({
        _id: objectId(1, ++h),
        partNumber: `${line.series.replace(/\s.*$/, '').replace('/', '-')}-${size}`,
        brand: line.brand,
        series: line.series,
        size: `-${size}`,
        nominalHoseSize: NOMINAL[size]!,
        description: `${line.brand} ${line.series} ${NOMINAL[size]} ${line.description}`,
        spec: line.spec,
        ...(line.isoSpec ? { isoSpec: line.isoSpec } : {}),
        DN: DN[size]!,
        innerDiamInch: Number((size / 16).toFixed(4)),
        maxWorkingPressure: { value: wp, unit: line.unit },
        couplingSeries: line.couplingSeries,
      });
    }
  }
  const fittings: SandboxFitting[] = [];
  const ferrules: Array<{ _id: string; partNumber: string; brand: string; description: string }> = [];
  let f = 0;
  const series = [...new Set(HOSE_LINES.map((l) => `${l.brand}|${l.couplingSeries}`))];
  for (const key of series) {
    const [brand, cs] = key.split('|') as [string, string];
    const sizes = [...new Set(hoses.filter((x) => x.couplingSeries === cs).map((x) => Number(x.size.slice(1))))];
    for (const size of sizes) {
      for (const style of END_STYLES) {
        fittings.push({
          _id: objectId(2, ++f),
          partNumber: `1${style.code}${cs.slice(0, 2).toUpperCase()}-${size}-${size}`,
          brand,
          description: style.describe(size),
          couplingSeries: cs,
          size: `-${size}`,
          endType: style.endType,
          angle: style.angle,
        });
      }
      // Two-piece series have a separate ferrule (Manuli Interlock); one-piece series do not.
      if (cs === 'Interlock') ferrules.push({ _id: objectId(3, ferrules.length + 1), partNumber: `MF0020-${size}`, brand, description: `Interlock ferrule -${size}` });
    }
  }
  const crimpSpecs = new Map<string, unknown[]>();
  for (const hose of hoses) {
    const size = Number(hose.size.slice(1));
    const od = 8 + size * 2.05; // a plausible crimped diameter, mm
    const ferrule = ferrules.find((x) => x.partNumber === `MF0020-${size}`);
    crimpSpecs.set(hose._id, [
      {
        couplingSeries: hose.couplingSeries,
        couplingSeriesBrand: hose.brand,
        ...(ferrule ? { ferruleBrand: hose.brand, ferrulePartNumber: ferrule.partNumber } : {}),
        dieSize: `${hose.couplingSeries === '77' ? '86' : '83'}C-${String(size).padStart(2, '0')}`,
        ...(hose.couplingSeries === 'Interlock' ? { spacerRing: `SR-${size}` } : {}),
        insertLength: { value: Number((22 + size * 1.6).toFixed(1)), unit: 'mm' },
        crimpDiam: { value: Number(od.toFixed(2)), unit: 'mm', tolerancePlus: 0.1, toleranceMinus: 0.2 },
        crimpStretchPerEnd: { value: size >= 12 ? 2 : 1, unit: 'mm' },
        ...(hose.couplingSeries === 'Interlock' ? { skiveExternal: { value: Number((30 + size).toFixed(1)), unit: 'mm', tolerance: 1 } } : {}),
        ...(hose.couplingSeries === 'Interlock' ? { skiveInternal: { value: Number((20 + size).toFixed(1)), unit: 'mm', tolerance: 1 } } : {}),
      },
    ]);
  }
  return { hoses, fittings, ferrules, crimpSpecs };
}
