// Auto-print on release: queues the configured documents once per released work order, never again on restart or re-sync.
import type { AutoPrintConfig } from '../config/schema.js';
import { describeError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../logger.js';
import type { PrintQueue } from './queue.js';
import { renderRequest, type PrintRequest, type RequestDeps } from './requests.js';
import type { JobStore } from './job-store.js';

export function startAutoPrint(o: { config: AutoPrintConfig; events: EventBus; queue: PrintQueue; jobs: JobStore; requests: RequestDeps; logger: Logger }): () => void {
  if (!o.config.enabled || o.config.rules.length === 0) return () => undefined;
  let chain = Promise.resolve();
  const unsubscribe = o.events.on((event) => {
    if (event.type !== 'workorder.released') return;
    const { id, number } = event.workOrder;
    // One at a time, in release order; each job's idempotency key makes "once per work order" hold across restarts.
    chain = chain.then(async () => {
      for (const [r, rule] of o.config.rules.entries()) {
        let wo;
        try {
          wo = o.requests.workOrder(id);
        } catch (err) {
          o.logger.error({ workOrder: number, err: describeError(err) }, 'auto-print could not read the work order');
          return;
        }
        const requests: Array<[string, PrintRequest]> =
          rule.document === 'labels'
            ? wo.lines.filter((l) => l.assembly || l.kit).map((l) => [`auto:${id}:${r}:${l.lineNumber}`, { kind: 'labels', printer: rule.printer, workOrder: id, line: l.lineNumber, template: rule.template ?? 'hose-tag' }])
            : [[`auto:${id}:${r}`, { kind: 'document', printer: rule.printer, workOrder: id, document: rule.document }]];
        for (const [key, request] of requests) {
          if (o.jobs.byKey(key)) continue;
          try {
            o.queue.submit(await renderRequest(request, 'auto-print', o.requests, key));
          } catch (err) {
            o.logger.error({ workOrder: number, rule: r, err: describeError(err) }, 'auto-print could not queue a document');
          }
        }
      }
    });
  });
  return unsubscribe;
}
