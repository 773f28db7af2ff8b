// A bench in a shop: connects to the ledger in the background (never in the way of printing), keeps a reserve of
// leased serials, ships its outbox in order (shipper.ts), and claims released work orders so one bench prints each.
import type { ShopConfig } from '../config/schema.js';
import type { CachedWorkOrder } from '../domain/work-order.js';
import { StationError, describeError } from '../errors.js';
import type { EventBus } from '../events.js';
import { sleep } from '../lib/backoff.js';
import type { Logger } from '../logger.js';
import type { JobRecord, JobStore } from '../queue/job-store.js';
import type { Store } from '../store/store.js';
import { Ledger, type ShippedJob } from './ledger.js';
import { Outbox } from './outbox.js';
import { createPool, ledgerError, safeUrl, type Pool } from './pg.js';
import { routeRelease } from './routing.js';
import { migrateLedger } from './schema.js';
import { SerialBlocks } from './serial-blocks.js';
import { BATCH, OutboxShipper } from './shipper.js';

export type LedgerState = 'starting' | 'connected' | 'behind' | 'unreachable';

export interface ShopStatus {
  benchId: string;
  state: LedgerState;
  /** Events waiting to be shipped, and since when the oldest waits. */
  behindBy: number;
  oldestWaitingAt?: string;
  unreachableSince?: string;
  lastError?: string;
  /** Serial numbers leased and not used: what the bench prints from while the ledger is away. */
  serialsLeft: number;
  /** Events the ledger refused for their data, set aside (the ones after them shipped), and the latest's reason. */
  refusedEvents?: number;
  lastRefusal?: string;
}

const GATHER_MS = 100;

export class ShopService {
  readonly outbox: Outbox;
  readonly blocks: SerialBlocks;
  private readonly pool: Pool;
  readonly ledger: Ledger;
  private readonly shipper: OutboxShipper;
  private ready = false;
  private state: LedgerState = 'starting';
  private unreachableSince: string | undefined;
  private lastError: string | undefined;
  private loop: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  private wake: (() => void) | undefined;
  private leasing: Promise<void> | undefined;
  private readonly deferred = new Map<string, CachedWorkOrder>();
  /** Numbers promised to batches between ensure() and take(): batches made at the same time never race for them. */
  private promised = 0;
  private timeAskedAt: number | undefined;

  constructor(
    private readonly o: {
      config: ShopConfig;
      store: Store;
      jobs: JobStore;
      serialPrefix: string;
      stationName: string;
      events: EventBus;
      logger: Logger;
      /** Told the ledger server's time (asked once a minute) and when the question left, on its monotonic clock: the PC's clock is checked against it. */
      serverTime?: { mono(): number; heard(at: number, sentMono: number): void };
    },
    /** Told when a released work order that had to wait for the ledger was given to this bench. */
    private readonly onReleaseWon: (wo: CachedWorkOrder) => void = () => undefined,
  ) {
    this.outbox = new Outbox(o.store);
    this.blocks = new SerialBlocks(o.store);
    this.pool = createPool(o.config.databaseUrl!, { connectTimeoutMs: o.config.connectTimeoutMs, queryTimeoutMs: Math.max(5000, o.config.connectTimeoutMs * 3) });
    this.ledger = new Ledger(this.pool, o.config.databaseUrl!);
    this.shipper = new OutboxShipper({ outbox: this.outbox, ledger: this.ledger, store: o.store, benchId: o.config.benchId, logger: o.logger });
    // Every job that ends (or needs attention) goes to the ledger, written in the same commit as its new state.
    o.jobs.onSettled = (job, row, at) => this.outbox.append('job', `${o.config.benchId}:job:${job.id}:${row}`, at, { ...this.shipped(job, row) });
    // New events wake the shipper, except while the ledger is away: then it tries again on its own schedule.
    this.outbox.onAppend(() => this.state !== 'unreachable' && this.wake?.());
  }

  get benchId(): string {
    return this.o.config.benchId;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.wake?.();
    await this.loop;
    await this.pool.end().catch(() => undefined);
  }

  status(): ShopStatus {
    const backlog = this.outbox.backlog();
    const refused = this.outbox.refused();
    const state: LedgerState = this.state === 'connected' && backlog.count > BATCH ? 'behind' : this.state;
    return {
      benchId: this.o.config.benchId,
      state,
      behindBy: backlog.count,
      ...(backlog.oldestAt ? { oldestWaitingAt: backlog.oldestAt } : {}),
      ...(this.unreachableSince ? { unreachableSince: this.unreachableSince } : {}),
      ...(this.lastError && state === 'unreachable' ? { lastError: this.lastError } : {}),
      serialsLeft: this.blocks.available(),
      ...(refused.count ? { refusedEvents: refused.count, lastRefusal: `${refused.latest!.eventId}: ${refused.latest!.error}` } : {}),
    };
  }

  /** Serial numbers for tags: taken from the leased blocks inside the transaction that stores them. */
  take(count: number): number[] {
    this.promised = Math.max(0, this.promised - count);
    const numbers = this.blocks.take(count);
    if (this.blocks.available() < this.o.config.serialReserve) this.wake?.();
    return numbers;
  }

  /**
   * Before a batch of `count` tags: claims its share of the leased numbers at once (batches made at the same moment
   * never count the same numbers), and leases more first if the reserve cannot cover every claim (only then does a job
   * wait). Without the ledger, what is left is what there is: take() then says so.
   */
  async ensure(count: number): Promise<void> {
    this.promised += count;
    try {
      while (this.blocks.available() < this.promised) await this.lease(this.promised - this.blocks.available());
    } catch (err) {
      this.o.logger.warn({ err: describeError(err) }, 'could not lease serial numbers');
    }
  }

  /** Serials given out that will never print: the ledger records them as skipped. */
  skipped(serials: string[], reason: string): void {
    this.outbox.append('serials.skipped', `${this.o.config.benchId}:skip:${serials[0]}:${serials.length}`, new Date().toISOString(), { serials, reason });
  }

  /**
   * Whether this bench auto-prints a released work order: routed here (or to nobody, and claimed first here). While
   * the ledger is away, a work order routed here is printed (no other bench would), and one routed to nobody waits.
   */
  async takeRelease(wo: CachedWorkOrder): Promise<boolean> {
    const target = routeRelease(wo, this.o.config.routing);
    if (target && target !== this.o.config.benchId) return false;
    try {
      if (!this.ready) throw new StationError('LEDGER_UNREACHABLE', 'The shop ledger is not connected.');
      return (await this.ledger.claimRelease(wo.id, wo.number, this.o.config.benchId)) === this.o.config.benchId;
    } catch (err) {
      if (target === this.o.config.benchId) {
        this.outbox.append('release.claimed', `${this.o.config.benchId}:release:${wo.id}`, new Date().toISOString(), { workOrderId: wo.id, workOrderNumber: wo.number });
        return true;
      }
      this.deferred.set(wo.id, wo);
      this.o.logger.info({ workOrder: wo.number, err: describeError(err) }, 'auto-print waits for the shop ledger to say which bench takes this work order');
      return false;
    }
  }

  /** The job as the ledger keeps it. */
  private shipped(job: JobRecord, row: number): ShippedJob {
    const raw = job.kind === 'labels' ? this.o.jobs.labelDataRaw(job.id) : undefined;
    const printedWith = job.kind === 'labels' ? this.o.jobs.printedWithRaw(job.id) : undefined;
    return {
      id: job.id,
      seq: row,
      state: job.state,
      title: job.title,
      kind: job.kind,
      printerId: job.printerId,
      requestedBy: job.requestedBy,
      ...(job.workOrderNumber ? { workOrderNumber: job.workOrderNumber } : {}),
      // The ledger keeps line numbers as integers; a line GoldLeaf numbers 10.5 is still named in the title.
      ...(job.lineNumber !== undefined && Number.isInteger(job.lineNumber) && Math.abs(job.lineNumber) < 2 ** 31 ? { lineNumber: job.lineNumber } : {}),
      ...(job.templateId ? { templateId: job.templateId } : {}),
      ...(job.templateVersion !== undefined ? { templateVersion: job.templateVersion } : {}),
      serials: job.serials,
      firstPart: job.firstPart,
      partsTotal: job.partsTotal,
      partsConfirmed: job.partsConfirmed,
      partsSent: job.partsSent,
      ...(job.partsPrinted !== undefined ? { partsPrinted: job.partsPrinted } : {}),
      isReprint: job.isReprint,
      ...(job.reprintOf ? { reprintOf: job.reprintOf } : {}),
      ...(job.serials.length ? { partNumbers: this.o.jobs.partNumbers(job.id) } : {}),
      ...(raw ? { labelData: raw.toString('base64') } : {}),
      ...(printedWith ? { printedWith } : {}),
      createdAt: job.createdAt,
      ...(job.finishedAt ? { finishedAt: job.finishedAt } : {}),
      updatedAt: job.updatedAt,
    };
  }

  /** Leases at least `count` numbers (a block, or more when more are needed); one lease at a time. */
  private async lease(count: number): Promise<void> {
    this.leasing ??= (async () => {
      try {
        const size = Math.max(this.o.config.serialBlock, count);
        const block = await this.ledger.leaseSerials(this.o.serialPrefix, this.o.config.benchId, size, this.blocks.floor());
        this.blocks.add(block.first, block.last);
        this.o.logger.info({ first: block.first, last: block.last }, 'leased serial numbers from the shop ledger');
      } finally {
        this.leasing = undefined;
      }
    })();
    await this.leasing;
  }

  private async run(): Promise<void> {
    const stop = this.stopping.signal;
    let failures = 0;
    while (!stop.aborted) {
      try {
        if (!this.ready) {
          await migrateLedger(this.pool);
          await this.ledger.register(this.o.config.benchId, this.o.stationName);
          this.ready = true;
          this.o.logger.info({ ledger: safeUrl(this.o.config.databaseUrl!), bench: this.o.config.benchId }, 'connected to the shop ledger');
        }
        await this.askTime();
        if (this.blocks.available() - this.promised < this.o.config.serialReserve) await this.lease(this.o.config.serialReserve + this.promised - this.blocks.available());
        for (const wo of [...this.deferred.values()]) {
          this.deferred.delete(wo.id);
          if ((await this.ledger.claimRelease(wo.id, wo.number, this.o.config.benchId)) === this.o.config.benchId) this.onReleaseWon(wo);
        }
        await this.shipper.drain(stop);
        if (this.state !== 'connected') this.o.events.emit({ type: 'shop.changed', state: 'connected' });
        this.state = 'connected';
        this.unreachableSince = undefined;
        failures = 0;
        await this.idle(5000);
      } catch (err) {
        if (stop.aborted) break;
        const e = ledgerError(err, this.o.config.databaseUrl!);
        failures++;
        if (this.state !== 'unreachable') {
          this.unreachableSince = new Date().toISOString();
          this.o.logger.warn({ code: e.code, err: e.advice }, e.code === 'STORE_SYNC_FAILED' ? "the bench's own disk holds back shipping to the shop ledger; the bench keeps printing" : 'shop ledger unreachable; the bench keeps printing and catches up later');
          this.o.events.emit({ type: 'shop.changed', state: 'unreachable' });
        }
        // A schema the ledger is newer than, or a login that is refused, is not cured by trying at once.
        if (e.code === 'LEDGER_TOO_NEW' || !e.retryable) this.ready = false;
        this.state = 'unreachable';
        this.lastError = e.advice;
        await this.idle(Math.min(10_000, 500 * 2 ** Math.min(failures, 5)));
      }
    }
  }

  /** The ledger's time, once a minute: where GoldLeaf is out of reach (the internet down), the shop's server still tells a PC whose clock is wrong. */
  private async askTime(): Promise<void> {
    const t = this.o.serverTime;
    if (!t || (this.timeAskedAt !== undefined && t.mono() - this.timeAskedAt < 60_000)) return;
    const sent = t.mono();
    const at = await this.ledger.now();
    this.timeAskedAt = sent;
    t.heard(at, sent);
  }

  private async idle(ms: number): Promise<void> {
    const woken = new AbortController();
    this.wake = () => woken.abort();
    try {
      await sleep(ms, AbortSignal.any([this.stopping.signal, woken.signal]));
    } catch {
      // woken or stopping
    } finally {
      this.wake = undefined;
    }
    // Woken by an event: the events of the next moment go in the same transaction (one ledger commit for a burst of
    // jobs, not one a job), still well under a second behind.
    if (woken.signal.aborted) await sleep(GATHER_MS, this.stopping.signal).catch(() => undefined);
  }
}
