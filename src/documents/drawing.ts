// A simple side view of a hose assembly: hose, both ends (straight or elbow), the overall length dimension.
import type { AssemblyEnd, AssemblyView } from '../domain/work-order.js';
import { formatQuantity } from '../kiosk/format.js';
import type { Flow } from './flow.js';

export async function drawAssembly(flow: Flow, a: AssemblyView, x: number, y: number, w: number, h: number): Promise<void> {
  const page = flow.page;
  const mid = y + h * 0.45;
  const fitting = Math.min(24, w * 0.16);
  const hoseTop = mid - 2.5;
  // Hose between the fittings, as two lines and a light fill pattern of the braid.
  page.line(x + fitting, hoseTop, x + w - fitting, hoseTop, 0.4);
  page.line(x + fitting, hoseTop + 5, x + w - fitting, hoseTop + 5, 0.4);
  for (let u = x + fitting + 3; u < x + w - fitting - 2; u += 6) page.line(u, hoseTop + 0.5, u + 3, hoseTop + 4.5, 0.1, true);
  await end(flow, a.end1, x, mid, fitting, 1);
  await end(flow, a.end2, x + w, mid, fitting, -1);
  // Overall length dimension.
  const dimY = y + h - 1;
  page.line(x, dimY - 3, x, dimY + 1.5, 0.2);
  page.line(x + w, dimY - 3, x + w, dimY + 1.5, 0.2);
  page.line(x, dimY, x + w, dimY, 0.2);
  page.fillRects([
    [x, dimY - 0.5, 2.5, 1],
    [x + w - 2.5, dimY - 0.5, 2.5, 1],
  ]);
  const length = a.length ? `${formatQuantity(a.length)}${a.length.tolerance ? ` ${a.length.tolerance}` : ''}` : 'length not given';
  const size = 3.4;
  const tw = flow.font('bold').width(length) * size;
  await page.text(length, x + (w - tw) / 2, dimY - 1.2, size, 'bold');
  if (a.orientationDeg !== undefined) {
    const text = `orientation ${a.orientationDeg}° (end B relative to end A)`;
    await page.text(text, x + (w - flow.font('regular').width(text) * 2.8) / 2, y + 3, 2.8, 'regular');
  }
}

async function end(flow: Flow, e: AssemblyEnd, edge: number, mid: number, length: number, dir: 1 | -1): Promise<void> {
  const page = flow.page;
  const ferrule = length * 0.55;
  const left = dir === 1 ? edge + length - ferrule : edge - length;
  // Ferrule (crimped part) as a box over the hose end.
  page.box(left, mid - 4, ferrule, 8, 0.35);
  const stemStart = dir === 1 ? edge : edge - (length - ferrule);
  const stemLength = length - ferrule;
  if (e.angleDeg && e.angleDeg > 0) {
    // Elbow: the nut turns up from the stem.
    const nutX = dir === 1 ? edge : edge - 7;
    page.box(dir === 1 ? edge + 7 : edge - stemLength, mid - 2, stemLength - 7 > 0 ? stemLength - 7 : 1, 4, 0.3);
    page.box(nutX, mid - 12, 7, 14, 0.35);
  } else {
    page.box(stemStart, mid - 2, stemLength, 4, 0.3);
    page.box(dir === 1 ? edge : edge - 5, mid - 5, 5, 10, 0.35);
  }
  const label = [e.fittingPartNumber ?? 'fitting', e.angleDeg ? `${e.angleDeg}°` : ''].filter(Boolean).join(' ');
  const crimp = e.crimp?.diameter ? `Ø ${e.crimp.diameter.value.toFixed(2)} ${e.crimp.diameter.unit}` : '';
  const size = 2.8;
  const x = dir === 1 ? edge : edge - Math.max(flow.font('regular').width(label), flow.font('regular').width(crimp)) * size;
  await page.text(label, x, mid + 9, size, 'regular');
  if (crimp) await page.text(crimp, x, mid + 12.5, size, 'regular');
}
