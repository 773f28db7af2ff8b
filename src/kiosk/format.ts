// Formatting of work-order values for people: lengths, tolerances, pressures, crimp diameters.
import type { Quantity, Toleranced } from '../domain/work-order.js';

const UNIT: Record<string, string> = { inch: 'in', inches: 'in', in: 'in', mm: 'mm', psi: 'psi', bar: 'bar', MPa: 'MPa' };

export function unitLabel(unit: string): string {
  return UNIT[unit] ?? unit;
}

export function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2).replace(/0$/, '');
}

export function formatQuantity(q: Quantity | undefined): string {
  return q ? `${formatNumber(q.value)} ${unitLabel(q.unit)}` : '';
}

/** "25.40 +0.10/−0.20 mm", or "25.40 ±0.20 mm" when both sides match. */
export function formatToleranced(t: Toleranced | undefined): string {
  if (!t) return '';
  const value = t.value.toFixed(2);
  const unit = unitLabel(t.unit);
  if (t.plus === undefined && t.minus === undefined) return `${value} ${unit}`;
  if (t.plus === t.minus) return `${value} ±${formatNumber(t.plus!)} ${unit}`;
  return `${value} +${formatNumber(t.plus ?? 0)}/−${formatNumber(t.minus ?? 0)} ${unit}`;
}
