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
export function printableWorkOrder(deps: Pick<AppDeps, 'workOrders' | 'config' | 'clock'>, ref: string): CachedWorkOrder {
  const wo = deps.workOrders.get(ref.trim());
  if (!wo) {
    throw new StationError('WORK_ORDER_NOT_FOUND', `Work order "${ref}" is not among the released work orders this station knows.`, {
      status: 404,
      hint: 'Check the number; one the office released just now appears with the next sync.',
    });
  }
  if (!wo.released && !deps.config.sync.keepUnreleasedPrintable) {
    throw new StationError('WORK_ORDER_NOT_RELEASED', `Work order ${wo.number} is no longer released in GoldLeaf (${wo.leftReleasedAt ? `this station saw it leave at ${deps.clock.minute(wo.leftReleasedAt)}` : 'since the last sync'}).`, {
      status: 409,
      hint: 'Ask the office whether it should still be built; it can be printed again once it is released.',
    });
  }
  return wo;
}

/**
 * A printable work order, looked for at GoldLeaf too when the bench does not know it: one the office released a
 * moment ago opens (or prints) now, not after the next sync. Says what it found when it is not there either.
 */
export async function findPrintableWorkOrder(deps: Pick<AppDeps, 'workOrders' | 'config' | 'sync' | 'clock'>, ref: string): Promise<CachedWorkOrder> {
  try {
    return printableWorkOrder(deps, ref);
  } catch (err) {
    if (!(err instanceof StationError) || err.code !== 'WORK_ORDER_NOT_FOUND' || !/^\S{1,64}$/.test(ref.trim())) throw err;
  }
  const looked = await deps.sync.lookAgain();
  if (deps.workOrders.get(ref.trim())) return printableWorkOrder(deps, ref);
  const said = {
    asked: [
      `Work order "${ref}" is not among the released work orders in GoldLeaf (asked ${looked.outcome === 'asked' && Date.now() - looked.at >= 1500 ? `${Math.round((Date.now() - looked.at) / 1000)} s ago` : 'just now'}).`,
      'Check the number; one the office has not released yet, or has taken back, cannot be printed.',
    ],
    slow: [`Work order "${ref}" is not among the released work orders this station knows; GoldLeaf is still being asked.`, 'Try again in a moment.'],
    failed: [
      `Work order "${ref}" is not among the released work orders this station knows, and GoldLeaf could not be asked now${looked.outcome === 'failed' ? ` (${looked.error})` : ''}.`,
      'If the office released it just now, it opens once GoldLeaf answers again; the bench prints what it knows meanwhile.',
    ],
  }[looked.outcome];
  throw new StationError('WORK_ORDER_NOT_FOUND', said[0]!, { status: 404, hint: said[1]! });
}

export const workOrderQuery = z.strictObject({
  search: z.string().max(100).optional().meta({ description: 'Part of a number or a customer name.' }),
  limit: z.coerce.number().int().min(1).max(1000).optional().meta({ description: 'At most this many, for a caller that reads them a page at a time (total says how many there are).' }),
  offset: z.coerce.number().int().min(0).default(0).meta({ description: 'Skip this many first (with limit).' }),
});


/** What this module serves, for the OpenAPI document (the served routes are checked against it). */
export const operations: readonly Operation[] = [
  { method: 'get', path: '/api/v1/workorders', summary: 'Released work orders, soonest due first, with the freshness of the data', scope: 'read', query: workOrderQuery },
  {
    method: 'get',
    path: '/api/v1/workorders/{ref}',
    summary: "One released work order (by id or number; one this station does not know yet is asked of GoldLeaf first) with its resolved lines, and the tags this bench has printed for them (lineTags: per line, tags printed, in the queue and in jobs that need attention, and changedSince: what on the line differs from the data its newest tags were made from; in a shop, other benches' tags too, or otherBenchesUnknown saying why not)",
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
    const { search, limit, offset } = parseRequest('work-order query', workOrderQuery, c.req.query());
    const all = deps.workOrders.list({ includeLeft: deps.config.sync.keepUnreleasedPrintable, ...(search ? { search } : {}) });
    const items = all.slice(offset, limit === undefined ? undefined : offset + limit);
    return c.json({ items, total: all.length, ...(limit === undefined && !offset ? {} : { offset, limit: limit ?? null }), source: freshness() });
  });

  app.get('/:ref', async (c) => {
    const wo = await findPrintableWorkOrder(deps, c.req.param('ref'));
    const printed = deps.jobs.printedLines;
    // In a shop, other benches' tags too (from the ledger, when it answers in time).
    const others = deps.shop && deps.config.shop ? await otherBenchesTags(deps.shop, deps.config.shop.benchId, wo.number) : undefined;
    const own = printed.forWorkOrder(wo.number);
    const all = others && 'lines' in others ? mergeLineTags(own, others.lines) : own;
    const lineTags = [...all.values()].sort((a, b) => a.lineNumber - b.lineNumber).map((t) => {
      const line = wo.lines.find((l) => l.lineNumber === t.lineNumber);
      const changedSince = line ? printed.changesSince(t, line, wo) : [];
      // What another bench's tags were made from stays here: what changed since is the answer.
      const { printedWith: _made, ...last } = t.last;
      return { ...t, last, changedSince };
    });
    return c.json({ ...wo, lineTags, ...(others && 'unknown' in others ? { otherBenchesUnknown: others.unknown } : {}), source: freshness() });
  });

  return app;
}
