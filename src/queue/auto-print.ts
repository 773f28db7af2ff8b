// Auto-print on release: queues the configured documents once per released work order, never again on restart or
// re-sync; in a shop, only on the bench the ledger gives the work order to.
import type { AutoPrintConfig } from '../config/schema.js';
import type { CachedWorkOrder } from '../domain/work-order.js';
import { describeError, isStationError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../logger.js';
import type { ShopService } from '../shop/service.js';
import type { PrintQueue } from './queue.js';
import { renderRequest, type PrintRequest, type RequestDeps } from './requests.js';
import type { JobStore } from './job-store.js';

export interface AutoPrint {
  stop: () => void;
  /** Queues a released work order's documents (a shop bench calls it when the ledger gives it one later). */
  printRelease: (wo: CachedWorkOrder) => void;
}

export function startAutoPrint(o: { config: AutoPrintConfig; events: EventBus; queue: PrintQueue; jobs: JobStore; requests: RequestDeps; logger: Logger; shop?: ShopService }): AutoPrint {
  if (!o.config.enabled || o.config.rules.length === 0) return { stop: () => undefined, printRelease: () => undefined };
  let chain = Promise.resolve();
  let stopped = false;
  const retries = new Map<string, { timer: NodeJS.Timeout; attempt: number }>();
  /**
   * A document that could not be queued for a passing reason (no serial numbers until the shop ledger answers, the
   * printer's settings being changed) is tried again later, 5 s then doubling up to 5 min, as long as the work order
   * is released: its job key keeps it to once. Anything else is logged and left to the operator.
   */
  const retryLater = (wo: CachedWorkOrder) => {
    if (stopped) return;
    const attempt = (retries.get(wo.id)?.attempt ?? 0) + 1;
    clearTimeout(retries.get(wo.id)?.timer);
    const delay = Math.min(300_000, 5000 * 2 ** (attempt - 1));
    const timer = setTimeout(() => {
      chain = chain.then(async () => {
        let current: CachedWorkOrder;
        try {
          current = await o.requests.workOrder(wo.id);
        } catch {
          retries.delete(wo.id); // no longer released: nothing to print
          return;
        }
        await print(current, attempt);
      });
    }, delay);
    timer.unref();
    retries.set(wo.id, { timer, attempt });
    o.logger.warn({ workOrder: wo.number, inSeconds: delay / 1000 }, 'auto-print tries this work order again later');
  };
  const print = async (wo: CachedWorkOrder, attempt = 0) => {
    let again = false;
    for (const [r, rule] of o.config.rules.entries()) {
      const requests: Array<[string, PrintRequest]> =
        rule.document === 'labels'
          ? wo.lines.filter((l) => l.assembly || l.kit).map((l) => [`auto:${wo.id}:${r}:${l.lineNumber}`, { kind: 'labels', printer: rule.printer, workOrder: wo.id, line: l.lineNumber, template: rule.template ?? 'hose-tag' }])
          : [[`auto:${wo.id}:${r}`, { kind: 'document', printer: rule.printer, workOrder: wo.id, document: rule.document }]];
      for (const [key, request] of requests) {
        if (o.jobs.byKey(key)) continue;
        try {
          o.queue.submit(await renderRequest(request, 'auto-print', o.requests, key));
        } catch (err) {
          const passing = isStationError(err) && err.retryable;
          if (passing) again = true;
          o.logger[passing ? 'warn' : 'error']({ workOrder: wo.number, rule: r, attempt, err: describeError(err) }, 'auto-print could not queue a document');
        }
      }
    }
    if (again) retryLater(wo);
    else retries.delete(wo.id);
  };
  // One at a time, in release order; each job's idempotency key makes "once per work order" hold across restarts.
  const printRelease = (wo: CachedWorkOrder) => {
    chain = chain.then(() => print(wo));
  };
  const unsubscribe = o.events.on((event) => {
    if (event.type !== 'workorder.released') return;
    const { id, number } = event.workOrder;
    chain = chain.then(async () => {
      let wo: CachedWorkOrder;
      try {
        wo = await o.requests.workOrder(id);
      } catch (err) {
        o.logger.error({ workOrder: number, err: describeError(err) }, 'auto-print could not read the work order');
        return;
      }
      if (o.shop && !(await o.shop.takeRelease(wo))) {
        o.logger.info({ workOrder: number }, 'another bench of the shop auto-prints this work order');
        return;
      }
      await print(wo);
    });
  });
  const stop = () => {
    stopped = true;
    unsubscribe();
    for (const r of retries.values()) clearTimeout(r.timer);
  };
  return { stop, printRelease };
}
