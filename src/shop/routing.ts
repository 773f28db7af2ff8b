// Which bench auto-prints a released work order: the first routing rule that matches it, else the default bench.
// Every bench computes the same answer from the same work order, so it holds while the ledger is away.
import type { ShopConfig } from '../config/schema.js';
import type { WorkOrderView } from '../domain/work-order.js';

function field(wo: WorkOrderView, path: string): string | undefined {
  let value: unknown = wo;
  for (const key of path.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value === undefined || value === null ? undefined : String(value);
}

/** The bench id, or undefined when no rule and no default decide (then the first bench to claim it takes it). */
export function routeRelease(wo: WorkOrderView, routing: ShopConfig['routing']): string | undefined {
  for (const rule of routing.rules) {
    const value = field(wo, rule.field);
    if (value === undefined) continue;
    if (rule.equals !== undefined && value.toLowerCase() !== rule.equals.toLowerCase()) continue;
    if (rule.matches !== undefined && !new RegExp(rule.matches, 'i').test(value)) continue;
    return rule.bench;
  }
  return routing.defaultBench;
}
