// Keeps the cache in step with GoldLeaf's released work orders: a poll loop with back-off that emits release changes.
import { StationError, describeError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../logger.js';
import type { GoldleafClient } from '../goldleaf/client.js';
import { parseResponse, workOrderSchema, type WorkOrderDoc } from '../goldleaf/schemas.js';
import type { SyncConfig } from '../config/schema.js';
import { backoffDelay, sleep } from '../lib/backoff.js';
import type { WorkOrderCache } from './cache.js';
import { Resolver } from './resolve.js';
import type { SyncSnapshot, SyncStatusSource } from './types.js';

export interface SyncReport {
  released: number;
  /** Work orders fetched and resolved in this pass (the rest were unchanged). */
  resolved: number;
  newlyReleased: string[];
  left: string[];
  problems: string[];
}

export interface SyncServiceOptions {
  client: GoldleafClient;
  cache: WorkOrderCache;
  events: EventBus;
  logger: Logger;
  config: SyncConfig;
  releasedStatuses: readonly string[];
  source: SyncSnapshot['source'];
  /** Work orders resolved at once. */
  concurrency?: number;
  /** Re-resolve an unchanged work order after this long anyway (its assemblies may have changed). */
  fullRefreshMs?: number;
}

export class SyncService implements SyncStatusSource {
  private running: Promise<SyncReport> | undefined;
  private loop: { stop: AbortController; done: Promise<void> } | undefined;
  private wake: (() => void) | undefined;
  private readonly lastFull = new Map<string, number>();
  /** Kept in memory: readiness and every kiosk page ask for it, and it must answer even when the store fails. */
  private state: SyncSnapshot;

  constructor(private readonly o: SyncServiceOptions) {
    this.state = { source: o.source, ...o.cache.syncState(), releasedWorkOrders: o.cache.countReleased() };
  }

  snapshot(): SyncSnapshot {
    return { ...this.state };
  }

  /** One pass; concurrent callers share the pass in progress. */
  syncOnce(signal?: AbortSignal): Promise<SyncReport> {
    this.running ??= this.pass(signal).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Starts polling: now, then every interval, backing off while GoldLeaf fails. */
  start(): void {
    if (this.loop) return;
    const stop = new AbortController();
    const done = (async () => {
      while (!stop.signal.aborted) {
        let delay = this.o.config.intervalSec * 1000;
        try {
          await this.syncOnce(stop.signal);
        } catch (err) {
          if (stop.signal.aborted) break;
          const failures = this.state.consecutiveFailures;
          const asked = (err as StationError).details as { retryAfterMs?: number } | undefined;
          delay = Math.max(asked?.retryAfterMs ?? 0, backoffDelay(failures, this.o.config.intervalSec * 1000, this.o.config.maxBackoffSec * 1000));
        }
        await this.idle(delay, stop.signal);
      }
    })();
    this.loop = { stop, done };
  }

  /** Asks for a pass now (e.g. the kiosk's refresh button) without waiting for it. */
  poke(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    if (!this.loop) return;
    this.loop.stop.abort(new StationError('SHUTTING_DOWN', 'The station is stopping.'));
    await this.loop.done;
    this.loop = undefined;
  }

  private async idle(ms: number, signal: AbortSignal): Promise<void> {
    const woken = new AbortController();
    this.wake = () => woken.abort();
    try {
      await sleep(ms, AbortSignal.any([signal, woken.signal]));
    } catch {
      // woken early or stopping: either way the loop decides
    } finally {
      this.wake = undefined;
    }
  }

  private async pass(signal?: AbortSignal): Promise<SyncReport> {
    const { client, cache, events, logger } = this.o;
    const at = new Date().toISOString();
    const resolver = new Resolver(client, this.o.releasedStatuses, (kind, id, body) => cache.saveObject(kind, id, body, at), signal);
    const report: SyncReport = { released: 0, resolved: 0, newlyReleased: [], left: [], problems: [] };
    try {
      const rows = await client.listReleasedWorkOrders(signal);
      const docs: WorkOrderDoc[] = [];
      for (const [i, row] of rows.entries()) {
        try {
          const doc = parseResponse(`GET /workorders row ${i + 1}`, workOrderSchema, row);
          // A server that ignores the status filter must not make drafts printable.
          if (doc.status && !resolver.isReleased(doc.status)) continue;
          docs.push(doc);
        } catch (err) {
          report.problems.push(describeError(err));
        }
      }
      const stillReleased = new Set(docs.map((d) => d._id));
      await forEachLimited(docs, this.o.concurrency ?? 4, async (listed) => {
        if (this.unchanged(listed)) return;
        // The list row may be a summary: the single-object call has the lines.
        const doc = listed.items ? listed : await client.getWorkOrder(listed._id, signal).catch((err: unknown) => {
          if (err instanceof StationError && err.retryable) throw err;
          report.problems.push(describeError(err));
          return listed;
        });
        cache.saveObject('workorder', doc._id, doc, at);
        const view = await resolver.workOrder({ ...doc, status: doc.status ?? listed.status ?? this.o.releasedStatuses[0] });
        view.released = true;
        for (const line of view.lines) if (line.problem) report.problems.push(`${view.number} line ${line.lineNumber}: ${line.problem}`);
        const { wasReleased } = cache.upsert(view, at);
        this.lastFull.set(doc._id, Date.now());
        report.resolved++;
        if (!wasReleased) {
          report.newlyReleased.push(view.number);
          events.emit({ type: 'workorder.released', workOrder: { id: view.id, number: view.number } });
        }
      });
      for (const wo of cache.markLeft(stillReleased, at)) {
        report.left.push(wo.number);
        this.lastFull.delete(wo.id);
        events.emit({ type: 'workorder.unreleased', workOrder: wo });
      }
      report.released = docs.length;
      const recorded = cache.recordSync({ at, ok: true, ...(report.problems.length ? { error: `${report.problems.length} problem(s): ${report.problems[0]}` } : {}) });
      this.state = { source: this.o.source, ...recorded, releasedWorkOrders: cache.countReleased() };
      events.emit({ type: 'sync.completed', released: report.released, changed: report.newlyReleased.length + report.left.length, problems: report.problems.length });
      const level = report.problems.length ? 'warn' : 'info';
      logger[level]({ released: report.released, resolved: report.resolved, newlyReleased: report.newlyReleased, left: report.left, problems: report.problems.slice(0, 5) }, 'sync done');
      return report;
    } catch (err) {
      if (signal?.aborted) throw err;
      const message = describeError(err);
      const failures = this.state.consecutiveFailures + 1;
      this.state = { ...this.state, lastAttemptAt: at, lastError: message, consecutiveFailures: failures };
      try {
        cache.recordSync({ at, ok: false, error: message });
      } catch (storeErr) {
        logger.error({ err: describeError(storeErr) }, 'could not record the failed sync in the store');
      }
      events.emit({ type: 'sync.failed', error: message, consecutiveFailures: failures });
      logger.warn({ err: message, consecutiveFailures: failures }, 'sync failed; serving cached work orders');
      throw err;
    }
  }

  private unchanged(doc: WorkOrderDoc): boolean {
    const lastModified = (doc as { lastModified?: unknown }).lastModified;
    const resolvedAt = this.lastFull.get(doc._id);
    return (
      typeof lastModified === 'string' &&
      resolvedAt !== undefined &&
      Date.now() - resolvedAt < (this.o.fullRefreshMs ?? 15 * 60_000) &&
      this.o.cache.isReleased(doc._id) &&
      this.o.cache.hasLastModified(doc._id, lastModified)
    );
  }
}

async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < items.length && failure === undefined) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure;
}
