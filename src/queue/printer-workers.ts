// The print queue's workers, one per printer: each takes its printer's next due jobs in order and has them printed
// (delivery.ts), waits while its printer cannot take them, saying why, and sleeps until woken by a new job or a change.
import { describeError } from '../errors.js';
import { backoffDelay, sleep } from '../lib/backoff.js';
import { HOLDING_STATES } from '../printing/types.js';
import { attentionText } from './attention.js';
import { LEASE_MS, NOT_READY, waitingReason, type Deliveries, type QueueOptions } from './delivery.js';
import type { JobRecord } from './job-store.js';

export interface WorkerOptions extends QueueOptions {
  deliveries: Deliveries;
  /** Tells the kiosk a job changed (with its record when it is at hand). */
  changed(id: string, record?: JobRecord): void;
  /** A job left `printing` with nothing printing it (see PrintQueue.recover): it goes on or needs a look. */
  interrupted(job: JobRecord, event: string, why: string, errorCode: string): void;
}

export class PrinterWorkers {
  private readonly wakers = new Map<string, () => void>();
  /** Per printer, how often it was asked whether it is back since its head job's last try found it unreachable. */
  private readonly offlineAsks = new Map<string, number>();
  private workers: Promise<void>[] = [];
  /** Printers that have a worker now. */
  private readonly working = new Set<string>();

  constructor(private readonly o: WorkerOptions) {}

  /** A worker for each printer that has none (at start, and for a printer set up since). */
  start(stop: AbortSignal): void {
    for (const printer of this.o.printers.list()) {
      if (this.working.has(printer.id)) continue;
      this.working.add(printer.id);
      this.workers.push(this.work(printer.id, stop).finally(() => this.working.delete(printer.id)));
    }
  }

  /** The printer's worker looks again now, if it sleeps. */
  wake(printerId: string): void {
    this.wakers.get(printerId)?.();
  }

  wakeAll(): void {
    for (const wake of this.wakers.values()) wake();
  }

  /**
   * Waits for the workers told to stop, at most `ms`; returns the printers whose worker had not ended by then (none
   * when all did). The workers are forgotten either way.
   */
  async ended(ms: number): Promise<string[]> {
    let giveUp: NodeJS.Timeout | undefined;
    const held = await Promise.race([
      Promise.allSettled(this.workers).then(() => false),
      new Promise<boolean>((resolve) => (giveUp = setTimeout(() => resolve(true), ms))),
    ]);
    clearTimeout(giveUp);
    this.workers = [];
    return held ? [...this.working] : [];
  }

  /** Why a printer cannot take its jobs now, in words, or undefined when it can (not counting its own state). */
  blocked(printerId: string): string | undefined {
    if (!this.o.printers.has(printerId)) return 'the printer was removed';
    const printer = this.o.printers.get(printerId);
    if (printer.disabled) return `${printer.entry.name ?? printer.id} is disabled (${printer.disabled.reason}, by ${printer.disabled.by}); it prints when enabled again`;
    if (printer.problem || !printer.driver) return `${printer.entry.name ?? printer.id} cannot be used: ${printer.problem ?? 'no driver'}`;
    return undefined;
  }

  private async idle(printerId: string, ms: number, stop: AbortSignal): Promise<void> {
    const woken = new AbortController();
    this.wakers.set(printerId, () => woken.abort());
    try {
      await sleep(ms, AbortSignal.any([stop, woken.signal]));
    } catch {
      // woken or stopping
    } finally {
      this.wakers.delete(printerId);
    }
  }

  private async work(printerId: string, stop: AbortSignal): Promise<void> {
    /** The error that ended the last turn: jobs it left `printing` are seen to at the next. */
    let failure: string | undefined;
    while (!stop.aborted && this.o.printers.has(printerId)) {
      try {
        if (failure !== undefined) this.strandedBy(printerId, failure);
        failure = undefined;
        await this.turn(printerId, stop);
      } catch (err) {
        // The store failing (a full disk, say) must not end the worker: report, wait, try again.
        failure ??= describeError(err);
        this.o.logger.error({ printer: printerId, err: describeError(err) }, 'print worker hit an error; trying again shortly');
        await this.idle(printerId, 2000, stop);
      }
    }
  }

  /**
   * Between turns no job of the printer is being printed: one still `printing` is one whose end the station could not
   * record (`why`: the store refused the write, say). Treated as after a restart, once the store takes writes.
   */
  private strandedBy(printerId: string, why: string): void {
    const stranded = this.o.jobs.inFlight().filter((j) => j.printerId === printerId);
    for (const job of stranded) this.o.interrupted(job, `the station could not record how the job ended (${why})`, `The station could not record how this job ended (${why.replace(/\.$/, '')}).`, 'END_NOT_RECORDED');
    if (stranded.length) this.o.logger.warn({ printer: printerId, jobs: stranded.map((j) => j.id) }, 'jobs whose end could not be recorded: each goes on or needs attention');
  }

  /** One turn of a printer's worker: expire, then take and print the next due job, or wait for one. */
  private async turn(printerId: string, stop: AbortSignal): Promise<void> {
    this.expire();
    if (this.o.jobs.isPaused(printerId)) {
      await this.idle(printerId, 5000, stop);
      return;
    }
    // Disabled, or its settings are broken: its jobs wait, saying why, until someone changes that.
    const blocked = this.blocked(printerId);
    if (blocked) {
      const head = this.o.jobs.head(printerId);
      if (head && this.o.jobs.setWaitingReason(head.id, blocked)) this.o.changed(head.id);
      await this.idle(printerId, 5000, stop);
      return;
    }
    const head = this.o.jobs.head(printerId);
    if (head && (await this.waitedForPrinter(head, stop))) return;
    this.offlineAsks.delete(printerId);
    let batch = this.o.jobs.claimJoined(printerId, new Date(Date.now() + LEASE_MS).toISOString(), this.o.printers.joins(printerId));
    if (!batch.length) {
      const due = this.o.jobs.nextDue(printerId);
      const wait = due === undefined ? 5000 : due === '' ? 0 : Math.max(0, Math.min(5000, Date.parse(due) - Date.now()));
      await this.idle(printerId, wait, stop);
      return;
    }
    // While the printer has work, each finished job hands over the next ones (taken in the same store commit that
    // records it done). Expired jobs are never taken; they are marked at the next turn.
    while (batch.length) batch = await this.o.deliveries.print(batch, stop);
  }

  /**
   * A head job whose last try found its printer not ready (it answered: out of labels, paused) or not there (it could
   * not be reached): when its next try is due, the printer is asked again, cheaply and without taking the job, and while
   * it is still so the job waits, saying why (taken, it would show "printing" through each try). Not ready is asked
   * again every `holdPollMs`, not there with back-off. Returns whether the worker waited.
   */
  private async waitedForPrinter(head: JobRecord, stop: AbortSignal): Promise<boolean> {
    const away = head.errorCode === 'PRINTER_UNAVAILABLE';
    if (!away && !(head.errorCode === NOT_READY && head.waitingReason)) return false;
    if (head.nextAttemptAt && head.nextAttemptAt > new Date().toISOString()) return false;
    const printerId = head.printerId;
    const view = await this.o.printers.refresh(printerId, 3000);
    if (away ? view.state !== 'offline' : !HOLDING_STATES.includes(view.state)) return false;
    if (this.o.jobs.setWaitingReason(head.id, waitingReason(this.o.printers, printerId, view.detail ?? view.state))) this.o.changed(head.id);
    this.o.events.emit({ type: 'printer.changed', printer: { id: view.id, name: view.name, state: view.state, ...(view.detail ? { detail: view.detail } : {}) } });
    const asked = away ? (this.offlineAsks.get(printerId) ?? 0) + 1 : 0;
    if (away) this.offlineAsks.set(printerId, asked);
    await this.idle(printerId, away ? backoffDelay(head.attempts - 1 + asked, this.o.config.retryBaseMs, this.o.config.retryMaxMs) : this.o.config.holdPollMs, stop);
    return true;
  }

  /**
   * Waiting jobs past their expiry. One the printer already has part of never just expires (its rest would be lost
   * without a word): it needs attention, saying which labels it has and which it never got.
   */
  private expire(): void {
    for (const job of this.o.jobs.expiredQueued()) {
      const waited = `Waited ${this.o.config.expireAfterMin} min for the printer${job.waitingReason ? ` (${job.waitingReason})` : ''}.`;
      const moved =
        job.partsConfirmed > 0
          ? this.o.jobs.transition(job.id, ['queued'], 'needs-attention', { attention: attentionText(job, job, waited), errorCode: 'EXPIRED_PART_PRINTED' })
          : this.o.jobs.transition(job.id, ['queued'], 'expired', { error: `Not printed within ${this.o.config.expireAfterMin} min of being asked for.${job.waitingReason ? ` ${job.waitingReason}.` : ''}` });
      if (moved) this.o.changed(job.id);
    }
  }
}
