// The print queue: one worker per printer, one job at a time, in order; the duplicate rule decides every failure.
import { StationError, describeError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../logger.js';
import type { QueueConfig } from '../config/schema.js';
import { backoffDelay, sleep } from '../lib/backoff.js';
import type { PrinterRegistry } from '../printing/registry.js';
import { PartialPrintError, type RenderedDocument } from '../printing/types.js';
import { attentionText } from './attention.js';
import type { JobRecord, JobStore, NewJob } from './job-store.js';

export interface QueueOptions {
  jobs: JobStore;
  printers: PrinterRegistry;
  events: EventBus;
  logger: Logger;
  config: QueueConfig;
}

const LEASE_MS = 60_000;

export class PrintQueue {
  private readonly wakers = new Map<string, () => void>();
  private readonly running = new Map<string, AbortController>();
  private workers: Promise<void>[] = [];
  private stopping: AbortController | undefined;

  constructor(private readonly o: QueueOptions) {}

  /** Jobs printing when the station last stopped: never resent on their own (the duplicate rule). */
  recover(): number {
    const jobs = this.o.jobs.inFlight();
    for (const job of jobs) {
      const why = `The station stopped while this job was printing (${job.partsSent} of ${job.partsTotal} handed over).`;
      this.o.jobs.transition(job.id, ['printing'], 'needs-attention', { attention: attentionText(job, job.partsSent, why), errorCode: 'STATION_STOPPED' });
      this.changed(job.id);
    }
    if (jobs.length) this.o.logger.warn({ jobs: jobs.map((j) => j.id) }, 'jobs that were printing when the station stopped need attention');
    return jobs.length;
  }

  start(): void {
    if (this.stopping) return;
    this.stopping = new AbortController();
    this.recover();
    for (const printer of this.o.printers.list()) {
      if (printer.problem || !printer.driver) continue;
      this.workers.push(this.work(printer.id, this.stopping.signal));
    }
  }

  /** Lets each job in flight finish within `graceMs`, then stops it (a cut job then needs attention). */
  async stop(graceMs: number): Promise<void> {
    if (!this.stopping) return;
    this.stopping.abort();
    for (const wake of this.wakers.values()) wake();
    const timer = setTimeout(() => {
      for (const c of this.running.values()) c.abort(new StationError('SHUTTING_DOWN', 'The station is stopping.'));
    }, graceMs);
    await Promise.allSettled(this.workers);
    clearTimeout(timer);
    this.workers = [];
    this.stopping = undefined;
  }

  submit(job: NewJob): { job: JobRecord; created: boolean } {
    this.o.printers.usable(job.printerId, job.document.format);
    const result = this.o.jobs.insert(job);
    if (result.created) {
      this.changed(result.job.id, result.job);
      this.wake(job.printerId);
    }
    return result;
  }

  get(id: string): JobRecord {
    const job = this.o.jobs.get(id);
    if (!job) throw new StationError('JOB_NOT_FOUND', `There is no job ${id}.`, { status: 404 });
    return job;
  }

  cancel(id: string, by: string): JobRecord {
    const job = this.get(id);
    if (!this.o.jobs.transition(id, ['queued', 'needs-attention'], 'cancelled', {}, `cancelled by ${by}`)) {
      throw new StationError('JOB_NOT_CANCELLABLE', `Job ${id} is ${job.state}; only waiting jobs and jobs that need attention can be cancelled.`, { status: 409 });
    }
    this.changed(id);
    return this.get(id);
  }

  pause(printerId: string): void {
    this.o.printers.get(printerId);
    this.o.jobs.setPaused(printerId, true);
    this.o.events.emit({ type: 'queue.paused', printerId });
  }

  resume(printerId: string): void {
    this.o.printers.get(printerId);
    this.o.jobs.setPaused(printerId, false);
    this.o.events.emit({ type: 'queue.resumed', printerId });
    this.wake(printerId);
  }

  /** Moves waiting jobs to another printer that takes their format. */
  move(ids: readonly string[], to: string): JobRecord[] {
    const moved = ids.map((id) => {
      const job = this.get(id);
      this.o.printers.usable(to, job.format);
      if (!this.o.jobs.transition(id, ['queued'], 'queued', { printerId: to }, `moved from ${job.printerId} to ${to}`)) {
        throw new StationError('JOB_NOT_MOVABLE', `Job ${id} is ${job.state}; only waiting jobs can be moved.`, { status: 409 });
      }
      this.changed(id);
      return this.get(id);
    });
    this.wake(to);
    return moved;
  }

  /**
   * An operator's answer to a job that needs attention: print parts from..to (1-based, of that job) again as a new
   * job linked to it; the original is closed with a note. Resume = from the first missing label to the end.
   */
  reprint(id: string, from: number, to: number | undefined, by: string, key?: string): JobRecord {
    const job = this.get(id);
    const last = to ?? job.partsTotal;
    if (from < 1 || last > job.partsTotal || from > last) {
      throw new StationError('INVALID_RANGE', `Job ${id} has labels 1 to ${job.partsTotal}; ${from} to ${last} is not a range of it.`, { status: 422 });
    }
    const { bytes, partEnds } = this.o.jobs.document(id);
    const start = from === 1 ? 0 : partEnds[from - 2]!;
    const end = partEnds[last - 1]!;
    const document: RenderedDocument = {
      format: job.format as RenderedDocument['format'],
      bytes: bytes.subarray(start, end),
      meta: { name: job.documentName, contentType: job.contentType, partEnds: partEnds.slice(from - 1, last).map((e) => e - start), ...(job.origin ? { origin: job.origin } : {}) },
    };
    const result = this.submit({
      printerId: job.printerId,
      requestedBy: by,
      kind: job.kind,
      ...(key ? { idempotencyKey: key } : {}),
      ...(job.workOrderId && job.workOrderNumber ? { workOrder: { id: job.workOrderId, number: job.workOrderNumber } } : {}),
      ...(job.lineNumber !== undefined ? { lineNumber: job.lineNumber } : {}),
      ...(job.templateId && job.templateVersion ? { template: { id: job.templateId, version: job.templateVersion } } : {}),
      document,
      serials: job.serials.slice(from - 1, last),
      firstPart: job.firstPart + from - 1,
      ...(job.batchId ? { batchId: job.batchId } : {}),
      reprintOf: job.id,
      isReprint: true,
      expiresAt: new Date(Date.now() + this.o.config.expireAfterMin * 60_000).toISOString(),
    });
    if (job.state === 'needs-attention') {
      this.o.jobs.transition(id, ['needs-attention'], 'failed', {}, `answered by ${by}: labels ${job.firstPart + from - 1} to ${job.firstPart + last - 1} again as job ${result.job.id}`);
      this.changed(id);
    }
    return result.job;
  }

  /** Resolves when no job is waiting (due now) or printing: makes tests deterministic. */
  async runUntilIdle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const busy = this.o.jobs.list({ state: 'printing', limit: 1 }).length > 0 || this.o.jobs.list({ state: 'queued', limit: 10_000 }).some((j) => !this.o.jobs.isPaused(j.printerId) && (!j.nextAttemptAt || j.nextAttemptAt <= new Date().toISOString()));
      if (!busy) return;
      if (Date.now() > deadline) throw new Error('queue still busy');
      await sleep(20);
    }
  }

  private wake(printerId: string): void {
    this.wakers.get(printerId)?.();
  }

  /** Tells the kiosk and SSE clients; pass the record when it is at hand, or the job is read from the store. */
  private changed(id: string, record?: JobRecord): void {
    const j = record ?? this.o.jobs.get(id);
    if (!j) return;
    this.o.events.emit({
      type: 'job.changed',
      job: { id: j.id, printerId: j.printerId, state: j.state, partsSent: j.partsSent, partsTotal: j.partsTotal, ...(j.workOrderNumber ? { workOrderNumber: j.workOrderNumber } : {}), ...(j.attention ? { attention: j.attention } : {}) },
    });
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
    while (!stop.aborted) {
      try {
        await this.turn(printerId, stop);
      } catch (err) {
        // The store failing (a full disk, say) must not end the worker: report, wait, try again.
        this.o.logger.error({ printer: printerId, err: describeError(err) }, 'print worker hit an error; trying again shortly');
        await this.idle(printerId, 2000, stop);
      }
    }
  }

  /** One turn of a printer's worker: expire, then take and print the next due job, or wait for one. */
  private async turn(printerId: string, stop: AbortSignal): Promise<void> {
    for (const job of this.o.jobs.expiredQueued()) {
      if (this.o.jobs.transition(job.id, ['queued'], 'expired', { error: `Not printed within ${this.o.config.expireAfterMin} min of being asked for.` })) this.changed(job.id);
    }
    if (this.o.jobs.isPaused(printerId)) {
      await this.idle(printerId, 5000, stop);
      return;
    }
    let job = this.o.jobs.claim(printerId, new Date(Date.now() + LEASE_MS).toISOString());
    if (!job) {
      const due = this.o.jobs.nextDue(printerId);
      const wait = due === undefined ? 5000 : due === '' ? 0 : Math.max(0, Math.min(5000, Date.parse(due) - Date.now()));
      await this.idle(printerId, wait, stop);
      return;
    }
    // While the printer has work, each finished job hands over the next one (taken in the same store commit that
    // records it done). Expired jobs are never taken; they are marked at the next turn.
    while (job) job = await this.execute(job, stop);
  }

  /** Prints a claimed job; when it printed and the worker goes on, returns the printer's next job, already claimed. */
  private async execute(job: JobRecord, stop: AbortSignal): Promise<JobRecord | undefined> {
    this.changed(job.id, job);
    const { bytes, partEnds } = this.o.jobs.document(job.id);
    const document: RenderedDocument = { format: job.format as RenderedDocument['format'], bytes, meta: { name: job.documentName, contentType: job.contentType, partEnds } };
    const controller = new AbortController();
    this.running.set(job.id, controller);
    let lastReport = 0;
    try {
      const result = await this.o.printers.print(job.printerId, document, {
        signal: controller.signal,
        onProgress: ({ bytesSent, partsSent }) => {
          const now = Date.now();
          if (now - lastReport < 100 && partsSent < job.partsTotal) return;
          lastReport = now;
          // Stored for multi-label jobs, where it says from which label to resume after a crash; a one-part job's
          // note is the same either way, and its "done" follows at once (one store write per job fewer).
          if (job.partsTotal > 1) this.o.jobs.progress(job.id, partsSent, bytesSent, new Date(now + LEASE_MS).toISOString());
          this.o.events.emit({ type: 'job.progress', job: { id: job.id, printerId: job.printerId, partsSent, partsTotal: job.partsTotal } });
        },
      });
      const next = this.o.jobs.finishAndClaim(job.id, { partsSent: job.partsTotal, bytesSent: result.bytesSent }, result.reference, stop.aborted ? undefined : { printerId: job.printerId, leaseUntil: new Date(Date.now() + LEASE_MS).toISOString() });
      this.o.logger.info({ job: job.id, printer: job.printerId, parts: job.partsTotal }, 'job printed');
      return next;
    } catch (err) {
      this.failed(job, err);
      return undefined;
    } finally {
      this.running.delete(job.id);
      this.changed(job.id);
    }
  }

  private failed(job: JobRecord, err: unknown): void {
    const why = describeError(err);
    if (err instanceof PartialPrintError) {
      // Bytes left the station: never resent on its own.
      this.o.jobs.transition(job.id, ['printing'], 'needs-attention', { attention: attentionText(job, err.partsSent, err.message), errorCode: err.code, error: why, partsSent: err.partsSent, bytesSent: err.bytesSent });
      this.o.logger.warn({ job: job.id, printer: job.printerId, partsSent: err.partsSent }, 'job needs attention');
      return;
    }
    if (err instanceof StationError && err.retryable) {
      // Nothing was sent: try again later, unless the job would print too late to be wanted.
      const next = Date.now() + backoffDelay(job.attempts - 1, this.o.config.retryBaseMs, this.o.config.retryMaxMs);
      if (next >= Date.parse(job.expiresAt)) {
        this.o.jobs.transition(job.id, ['printing'], 'expired', { error: `${why} (gave up after ${job.attempts} tries)`, errorCode: err.code });
      } else {
        this.o.jobs.transition(job.id, ['printing'], 'queued', { error: why, errorCode: err.code, nextAttemptAt: new Date(next).toISOString() }, `waiting for the printer: ${why}`);
      }
      return;
    }
    this.o.jobs.transition(job.id, ['printing'], 'failed', { error: why, errorCode: err instanceof StationError ? err.code : 'PRINT_FAILED' });
    this.o.logger.error({ job: job.id, printer: job.printerId, err: why }, 'job failed before anything was sent');
  }
}
