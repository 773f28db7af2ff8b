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

/** How a look at GoldLeaf for an unknown work order went: asked (by a pass started `at`), failed (why), or slow. */
export type LookedAgain = { outcome: 'asked'; at: number } | { outcome: 'slow' } | { outcome: 'failed'; error: string };

/** A pass ending this recently is the answer to a look for an unknown work order. */
const LOOK_AGAIN_AFTER_MS = 3000;
const LOOK_AGAIN_AFTER_FAILURE_MS = 30_000;
const LOOK_AGAIN_WAIT_MS = 8000;

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
  /** When the last pass started and ended, and why it failed if it did. */
  private lastPass: { startedAt: number; endedAt: number; error?: string } | undefined;

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

  /**
   * Asks GoldLeaf again for a work order the bench was asked for and does not know (the office released it a moment
   * ago): a pass now, or the one under way, waited for up to `waitMs`. A pass that ended less than a few seconds ago is
   * taken as the answer (said with its time), so a run of unknown numbers does not become a run of passes.
   */
  async lookAgain(waitMs = LOOK_AGAIN_WAIT_MS): Promise<LookedAgain> {
    const last = this.lastPass;
    // GoldLeaf failing a moment ago is not asked again for each scan: the loop tries again on its own schedule.
    if (!this.running && last?.error && Date.now() - last.endedAt < LOOK_AGAIN_AFTER_FAILURE_MS) return { outcome: 'failed', error: last.error };
    if (!this.running && last && Date.now() - last.endedAt < LOOK_AGAIN_AFTER_MS) return { outcome: 'asked', at: last.startedAt };
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<LookedAgain>((resolve) => (timer = setTimeout(resolve, waitMs, { outcome: 'slow' })));
    const pass = this.syncOnce(this.loop?.stop.signal).then(
      (): LookedAgain => ({ outcome: 'asked', at: this.lastPass?.startedAt ?? Date.now() }),
      (err: unknown): LookedAgain => ({ outcome: 'failed', error: describeError(err) }),
    );
    try {
      return await Promise.race([pass, slow]);
    } finally {
      clearTimeout(timer);
    }
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
    const startedAt = Date.now();
    try {
      const report = await this.onePass(signal);
      this.lastPass = { startedAt, endedAt: Date.now() };
      return report;
    } catch (err) {
      this.lastPass = { startedAt, endedAt: Date.now(), error: describeError(err) };
      throw err;
    }
  }

  private async onePass(signal?: AbortSignal): Promise<SyncReport> {
    const { client, cache, events, logger } = this.o;
    const at = new Date().toISOString();
    const resolver = new Resolver(client, this.o.releasedStatuses, (kind, id, body) => cache.saveObject(kind, id, body, at), signal);
    const report: SyncReport = { released: 0, resolved: 0, newlyReleased: [], left: [], problems: [] };
    try {
      const rows = await client.listReleasedWorkOrders(signal);
      const docs: WorkOrderDoc[] = [];
      // A row too broken to read keeps its cached copy released: it is still on GoldLeaf's released list.
      const unreadable = new Set<string>();
      for (const [i, row] of rows.entries()) {
        try {
          const doc = parseResponse(`GET /workorders row ${i + 1}`, workOrderSchema, row);
          // A server that ignores the status filter must not make drafts printable.
          if (doc.status && !resolver.isReleased(doc.status)) continue;
          docs.push(doc);
        } catch (err) {
          const { id, number } = identify(row);
          const known = id ?? (number ? cache.idOf(number) : undefined);
          if (known) {
            unreadable.add(known);
            if (cache.has(known)) cache.markStale(known, describeError(err), at);
          }
          report.problems.push(`${number ?? `row ${i + 1}`}: ${describeError(err)}`);
        }
      }
      const stillReleased = new Set([...docs.map((d) => d._id), ...unreadable]);
      let failedRecords = 0;
      await forEachLimited(docs, this.o.concurrency ?? 4, async (listed) => {
        if (this.unchanged(listed)) return;
        try {
          await this.syncOne(listed, resolver, at, report, signal);
        } catch (err) {
          // GoldLeaf as a whole failing ends the pass (the cache is served meanwhile); one bad record stops nothing.
          if (signal?.aborted || isOutage(err)) throw err;
          failedRecords++;
          const reason = describeError(err);
          report.problems.push(`${listed.number}: ${reason} It is skipped until the next sync${cache.has(listed._id) ? '; the bench keeps its last good copy' : ''}.`);
          if (cache.has(listed._id)) cache.markStale(listed._id, reason, at);
        }
      });
      // Every record failing the same way is GoldLeaf failing, not the records.
      if (docs.length > 1 && failedRecords === docs.length) {
        throw new StationError('GOLDLEAF_SERVER_ERROR', `GoldLeaf failed on every released work order (${report.problems[0]}).`, { status: 502, retryable: true, hint: 'The station serves its cached data meanwhile.' });
      }
      for (const wo of cache.markLeft(stillReleased, at)) {
        report.left.push(wo.number);
        this.lastFull.delete(wo.id);
        events.emit({ type: 'workorder.unreleased', workOrder: wo });
      }
      report.released = docs.length + unreadable.size;
      const recorded = cache.recordSync({ at, ok: true, ...(report.problems.length ? { error: `${report.problems.length} problem(s): ${report.problems[0]}` } : {}) });
      this.state = { source: this.o.source, ...recorded, releasedWorkOrders: cache.countReleased(), ...(report.problems.length ? { problems: report.problems.slice(0, 50) } : {}) };
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

  /**
   * Fetches (when the list row is a summary), resolves and stores one work order. A line whose assembly or kit cannot
   * be had makes the record unresolvable when a good copy is cached (that copy is kept); without one, the work order
   * is stored with the problem on that line, so its other lines can print.
   */
  private async syncOne(listed: WorkOrderDoc, resolver: Resolver, at: string, report: SyncReport, signal?: AbortSignal): Promise<void> {
    const { client, cache, events } = this.o;
    // One try more at most: a record GoldLeaf cannot serve is asked for again at the next sync, not four times now.
    const doc = listed.items ? listed : await client.getWorkOrder(listed._id, signal, 1);
    cache.saveObject('workorder', doc._id, doc, at);
    const view = await resolver.workOrder({ ...doc, status: doc.status ?? listed.status ?? this.o.releasedStatuses[0] });
    view.released = true;
    const broken = view.lines.filter((l) => l.problem);
    if (broken.length && cache.has(view.id)) {
      throw new StationError('GOLDLEAF_UNRESOLVABLE', broken.map((l) => `line ${l.lineNumber}: ${l.problem}`).join('; '), { status: 502 });
    }
    for (const line of broken) report.problems.push(`${view.number} line ${line.lineNumber}: ${line.problem}`);
    const { wasReleased } = cache.upsert(view, at);
    this.lastFull.set(doc._id, Date.now());
    report.resolved++;
    if (!wasReleased) {
      report.newlyReleased.push(view.number);
      events.emit({ type: 'workorder.released', workOrder: { id: view.id, number: view.number } });
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

/** Failures that mean GoldLeaf (or the way to it) is down, not that one record is bad. */
function isOutage(err: unknown): boolean {
  return err instanceof StationError && ['GOLDLEAF_UNREACHABLE', 'GOLDLEAF_TIMEOUT', 'GOLDLEAF_AUTH', 'GOLDLEAF_RATE_LIMITED'].includes(err.code);
}

/** Whatever can be read of a list row that failed its schema: its id and number, to name it and keep its copy. */
function identify(row: unknown): { id?: string; number?: string } {
  const r = (row && typeof row === 'object' ? row : {}) as Record<string, unknown>;
  return { ...(typeof r._id === 'string' ? { id: r._id } : {}), ...(typeof r.number === 'string' ? { number: r.number } : {}) };
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
