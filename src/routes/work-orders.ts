// Released work orders from the local cache, with how fresh the data is: the bench works while GoldLeaf is down.
import type { Operation } from '../http/operations.js';
import { Hono } from 'hono';
import { z } from 'zod';
import { parseRequest } from '../http/validate.js';
import type { AppDeps, AppEnv } from '../deps.js';
import { StationError } from '../errors.js';
import type { CachedWorkOrder } from '../domain/work-order.js';
import { ageSeconds, reachability } from '../sync/types.js';
import { mergeLineTags, otherBenchesTags } from '../shop/line-tags.js';

/** A work order the bench may print: released, or kept printable by config after it left released state. */
export function printableWorkOrder(deps: Pick<AppDeps, 'workOrders' | 'config'>, ref: string): CachedWorkOrder {
  const wo = deps.workOrders.get(ref.trim());
  if (!wo) {
    throw new StationError('WORK_ORDER_NOT_FOUND', `Work order "${ref}" is not among the released work orders this station knows.`, {
      status: 404,
      hint: 'Check the number; if the office released it just now, wait for the next sync or press refresh.',
    });
  }
  if (!wo.released && !deps.config.sync.keepUnreleasedPrintable) {
    throw new StationError('WORK_ORDER_NOT_RELEASED', `Work order ${wo.number} is no longer released in GoldLeaf (since ${wo.leftReleasedAt ?? 'the last sync'}).`, {
      status: 409,
      hint: 'Ask the office whether it should still be built; it can be printed again once it is released.',
    });
  }
  return wo;
}

export const workOrderQuery = z.strictObject({ search: z.string().max(100).optional().meta({ description: 'Part of a number or a customer name.' }) });


/** What this module serves, for the OpenAPI document (the served routes are checked against it). */
export const operations: readonly Operation[] = [
  { method: 'get', path: '/api/v1/workorders', summary: 'Released work orders, soonest due first, with the freshness of the data', scope: 'read', query: workOrderQuery },
  {
    method: 'get',
    path: '/api/v1/workorders/{ref}',
    summary: "One released work order (by id or number) with its resolved lines, and the tags this bench has printed for them (lineTags: per line, tags printed, in the queue and in jobs that need attention, and changedSince: what on the line differs from the data its newest tags were made from; in a shop, other benches' tags too, or otherBenchesUnknown saying why not)",
    scope: 'read',
  },
];

export function workOrderRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  const freshness = () => {
    const snap = deps.sync.snapshot();
    return { state: reachability(snap), syncedAt: snap.lastSuccessAt ?? null, ageSeconds: ageSeconds(snap.lastSuccessAt) ?? null, lastError: snap.lastError ?? null };
  };

  app.get('/', (c) => {
    const { search } = parseRequest('work-order query', workOrderQuery, c.req.query());
    const items = deps.workOrders.list({ includeLeft: deps.config.sync.keepUnreleasedPrintable, ...(search ? { search } : {}) });
    return c.json({ items, total: items.length, source: freshness() });
  });

  app.get('/:ref', async (c) => {
    const wo = printableWorkOrder(deps, c.req.param('ref'));
    const printed = deps.jobs.printedLines;
    // In a shop, other benches' tags too (from the ledger, when it answers in time).
    const others = deps.shop && deps.config.shop ? await otherBenchesTags(deps.shop, deps.config.shop.benchId, wo.number) : undefined;
    const own = printed.forWorkOrder(wo.number);
    const all = others && 'lines' in others ? mergeLineTags(own, others.lines) : own;
    const lineTags = [...all.values()].sort((a, b) => a.lineNumber - b.lineNumber).map((t) => {
      const line = wo.lines.find((l) => l.lineNumber === t.lineNumber);
      const changedSince = line ? printed.changesSince(t, line, wo) : [];
      return { ...t, changedSince };
    });
    return c.json({ ...wo, lineTags, ...(others && 'unknown' in others ? { otherBenchesUnknown: others.unknown } : {}), source: freshness() });
  });

  return app;
}
