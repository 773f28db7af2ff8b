// The print queue: one worker per printer, one job at a time, in order; the duplicate rule decides every failure.
import { StationError, describeError, isStationError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../logger.js';
import type { QueueConfig } from '../config/schema.js';
import { backoffDelay, sleep } from '../lib/backoff.js';
import type { PrinterRegistry } from '../printing/registry.js';
import { HOLDING_STATES, PartialPrintError, PrinterHeldError, PrinterUnavailableError, wholeBytes, type DeliveryProgress, type DocumentFormat, type PrintDocument } from '../printing/types.js';
import { stagedBytes } from './job-documents.js';
import { deliveredOf, joinedDocument } from './joined.js';
import { attentionText } from './attention.js';
import { reprintJob } from './reprint-job.js';
import type { JobRecord, JobStore, NewJob } from './job-store.js';

export interface QueueOptions {
  jobs: JobStore;
  printers: PrinterRegistry;
  events: EventBus;
  logger: Logger;
  config: QueueConfig;
}

const LEASE_MS = 60_000;
/** Set on a waiting job whose printer answered but could not print: the worker asks the printer before trying again. */
const NOT_READY = 'PRINTER_NOT_READY';

/** A finished job some of whose labels had not come out yet when the printer confirmed it. */
interface Unprinted {
  id: string;
  total: number;
  printed: number;
}

export class PrintQueue {
  private readonly wakers = new Map<string, () => void>();
  /** Per printer, finished jobs (oldest first) still partly in the printer's memory. */
  private readonly unprinted = new Map<string, Unprinted[]>();
  private readonly running = new Map<string, AbortController>();
  private workers: Promise<void>[] = [];
  /** Printers that have a worker now. */
  private readonly working = new Set<string>();
  private stopping: AbortController | undefined;

  constructor(private readonly o: QueueOptions) {
    // Any answer that says how many labels a printer still holds tells how far its finished jobs have come out.
    o.printers.onStatus((id, status) => status.waiting !== undefined && this.followPrinted(id, status.waiting, 0));
    // Printers set up at the bench: a new one gets a worker; a changed, disabled or removed one's worker looks again.
    o.printers.onChange(() => this.printersChanged());
  }

  private printersChanged(): void {
    if (!this.stopping) return;
    this.startWorkers(this.stopping.signal);
    for (const wake of this.wakers.values()) wake();
  }

  private startWorkers(stop: AbortSignal): void {
    for (const printer of this.o.printers.list()) {
      if (this.working.has(printer.id)) continue;
      this.working.add(printer.id);
      this.workers.push(this.work(printer.id, stop).finally(() => this.working.delete(printer.id)));
    }
  }

  /** Why a printer cannot take its jobs now, in words, or undefined when it can (not counting its own state). */
  private blocked(printerId: string): string | undefined {
    if (!this.o.printers.has(printerId)) return 'the printer was removed';
    const printer = this.o.printers.get(printerId);
    if (printer.disabled) return `${printer.entry.name ?? printer.id} is disabled (${printer.disabled.reason}, by ${printer.disabled.by}); it prints when enabled again`;
    if (printer.problem || !printer.driver) return `${printer.entry.name ?? printer.id} cannot be used: ${printer.problem ?? 'no driver'}`;
    return undefined;
  }

  /**
   * A printer prints in the order it received: of `waiting` labels it holds, the newest `ownConfirmed` belong to the
   * job now sending, the rest to finished jobs, newest first. Their printed counts only ever go up.
   */
  private followPrinted(printerId: string, waiting: number, ownConfirmed: number): void {
    const tails = this.unprinted.get(printerId);
    if (!tails?.length) return;
    let left = Math.max(0, waiting - ownConfirmed);
    const raised: Unprinted[] = [];
    for (let i = tails.length - 1; i >= 0; i--) {
      const tail = tails[i]!;
      const unprinted = Math.min(tail.total, left);
      left -= unprinted;
      const printed = tail.total - unprinted;
      if (printed > tail.printed) {
        tail.printed = printed;
        raised.push(tail);
      }
    }
    if (!raised.length) return;
    // One commit for all (a joined delivery leaves several at once).
    this.o.jobs.setPrinted(raised);
    for (const tail of raised) this.changed(tail.id);
    this.unprinted.set(printerId, tails.filter((t) => t.printed < t.total));
  }

  /**
   * Jobs printing when the station last stopped: never resent on their own (the duplicate rule). The parts sent are
   * stored before bytes leave, so a job that had sent nothing unconfirmed and whose confirmed labels had all come out
   * goes on by itself after them. Otherwise labels may be in doubt, or in the memory of a printer that lost power with
   * the station: the operator decides.
   */
  recover(): number {
    const swept = this.o.jobs.documents.sweep();
    if (swept) this.o.logger.info({ segments: swept }, 'removed the stored pieces of documents whose jobs were never made (the station stopped while making them)');
    const jobs = this.o.jobs.inFlight();
    for (const job of jobs) {
      const settled = job.partsSent <= job.partsConfirmed && (job.partsPrinted ?? 0) >= job.partsConfirmed;
      if (this.o.jobs.neverSent(job.id)) {
        this.o.jobs.transition(job.id, ['printing'], 'queued', {}, 'the station restarted before this job\'s label was sent (it was to go with the jobs before it): it prints in its turn');
      } else if (job.partsTotal > 1 && settled && job.partsConfirmed < job.partsTotal) {
        this.o.jobs.transition(job.id, ['printing'], 'queued', {}, `the station restarted; labels up to ${job.firstPart + job.partsConfirmed - 1} were confirmed, nothing is in doubt: it goes on after them`);
      } else {
        const why = 'The station stopped while this job was printing.';
        this.o.jobs.transition(job.id, ['printing'], 'needs-attention', { attention: attentionText(job, job, why), errorCode: 'STATION_STOPPED' });
      }
      this.changed(job.id);
    }
    if (jobs.length) this.o.logger.warn({ jobs: jobs.map((j) => j.id) }, 'jobs that were printing when the station stopped: each goes on or needs attention');
    return jobs.length;
  }

  start(): void {
    if (this.stopping) return;
    this.stopping = new AbortController();
    this.recover();
    this.startWorkers(this.stopping.signal);
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

  /**
   * Queues a job. A disabled printer refuses new jobs (the caller can choose another), except where the sender cannot
   * be told (`whileDisabled`: data received from the LAN): then it waits, saying why, like the jobs it already had.
   */
  submit(job: NewJob, o: { whileDisabled?: boolean } = {}): { job: JobRecord; created: boolean } {
    let result: { job: JobRecord; created: boolean };
    try {
      try {
        this.o.printers.usable(job.printerId, job.document.format);
      } catch (err) {
        if (!(o.whileDisabled && isStationError(err) && err.code === 'PRINTER_DISABLED')) throw err;
      }
      result = this.o.jobs.insert(job);
    } catch (err) {
      // A long document already written for this job goes with it.
      const staged = stagedBytes(job.document.bytes);
      if (staged) this.o.jobs.documents.discard(staged.jobId);
      throw err;
    }
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
  reprint(id: string, from: number, to: number | undefined, by: string, key?: string, fingerprint?: string): JobRecord {
    const job = this.get(id);
    const expiresAt = new Date(Date.now() + this.o.config.expireAfterMin * 60_000).toISOString();
    const { job: reprint, last } = reprintJob(this.o.jobs, job, { from, ...(to === undefined ? {} : { to }), by, ...(key ? { key } : {}), ...(fingerprint ? { fingerprint } : {}), expiresAt });
    const result = this.submit(reprint);
    if (job.state === 'needs-attention') {
      this.o.jobs.transition(id, ['needs-attention'], 'failed', {}, `answered by ${by}: labels ${job.firstPart + from - 1} to ${job.firstPart + last - 1} again as job ${result.job.id}`);
      this.changed(id);
    }
    return result.job;
  }

  /**
   * The operator scanned (or typed) the last tag that came out: print the job's labels after it. When it was the last
   * label, every label came out and the job is closed as printed.
   */
  resumeAfter(id: string, serial: string, by: string, key?: string, fingerprint?: string): JobRecord {
    const job = this.get(id);
    const wanted = serial.trim().split('|')[0]!.trim().toUpperCase();
    const index = job.serials.findIndex((s) => s.toUpperCase() === wanted);
    if (index < 0) {
      throw new StationError('SERIAL_NOT_IN_JOB', `Serial ${wanted || '(empty)'} is not one of this job's labels (${job.serials[0] ?? '?'} to ${job.serials.at(-1) ?? '?'}).`, {
        status: 422,
        hint: 'Scan the Code 128 of the last tag that came out of this job.',
      });
    }
    if (index + 1 === job.partsTotal) return this.confirmPrinted(id, by, `the last tag (${job.serials[index]}) was scanned`);
    return this.reprint(id, index + 2, undefined, by, key, fingerprint);
  }

  /** The operator says every label of a job that needs attention came out: it is closed as printed, with who said so. */
  confirmPrinted(id: string, by: string, how = 'all labels came out'): JobRecord {
    const job = this.get(id);
    if (!this.o.jobs.transition(id, ['needs-attention'], 'done', { partsPrinted: job.partsTotal }, `confirmed by ${by}: ${how}`)) {
      throw new StationError('JOB_NOT_OPEN', `Job ${id} is ${job.state}; only a job that needs attention can be confirmed as printed.`, { status: 409 });
    }
    this.changed(id);
    return this.get(id);
  }

  /** Resolves when no job is waiting (due now) or printing: makes tests deterministic. */
  async runUntilIdle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const busy =
        this.o.jobs.list({ state: 'printing', limit: 1 }).length > 0 ||
        this.o.jobs.list({ state: 'queued', limit: 10_000 }).some((j) => !this.o.jobs.isPaused(j.printerId) && !this.blocked(j.printerId) && (!j.nextAttemptAt || j.nextAttemptAt <= new Date().toISOString()));
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
      job: {
        id: j.id,
        printerId: j.printerId,
        state: j.state,
        partsSent: j.partsSent,
        partsConfirmed: j.partsConfirmed,
        partsTotal: j.partsTotal,
        ...(j.partsPrinted !== undefined ? { partsPrinted: j.partsPrinted } : {}),
        ...(j.workOrderNumber ? { workOrderNumber: j.workOrderNumber } : {}),
        ...(j.attention ? { attention: j.attention } : {}),
        ...(j.waitingReason ? { waitingReason: j.waitingReason } : {}),
      },
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
    while (!stop.aborted && this.o.printers.has(printerId)) {
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
    this.expire();
    if (this.o.jobs.isPaused(printerId)) {
      await this.idle(printerId, 5000, stop);
      return;
    }
    // Disabled, or its settings are broken: its jobs wait, saying why, until someone changes that.
    const blocked = this.blocked(printerId);
    if (blocked) {
      const head = this.o.jobs.head(printerId);
      if (head && this.o.jobs.setWaitingReason(head.id, blocked)) this.changed(head.id);
      await this.idle(printerId, 5000, stop);
      return;
    }
    // A printer that answered "not ready" is asked again (cheaply, without claiming the job) until it is ready.
    const head = this.o.jobs.head(printerId);
    if (head?.errorCode === NOT_READY && head.waitingReason && (!head.nextAttemptAt || head.nextAttemptAt <= new Date().toISOString())) {
      const view = await this.o.printers.refresh(printerId, 3000);
      if (HOLDING_STATES.includes(view.state)) {
        if (this.o.jobs.setWaitingReason(head.id, this.reason(printerId, view.detail ?? view.state))) this.changed(head.id);
        this.o.events.emit({ type: 'printer.changed', printer: { id: view.id, name: view.name, state: view.state, ...(view.detail ? { detail: view.detail } : {}) } });
        await this.idle(printerId, this.o.config.holdPollMs, stop);
        return;
      }
    }
    let batch = this.o.jobs.claimJoined(printerId, new Date(Date.now() + LEASE_MS).toISOString(), this.o.printers.joins(printerId));
    if (!batch.length) {
      const due = this.o.jobs.nextDue(printerId);
      const wait = due === undefined ? 5000 : due === '' ? 0 : Math.max(0, Math.min(5000, Date.parse(due) - Date.now()));
      await this.idle(printerId, wait, stop);
      return;
    }
    // While the printer has work, each finished job hands over the next ones (taken in the same store commit that
    // records it done). Expired jobs are never taken; they are marked at the next turn.
    while (batch.length) batch = batch.length === 1 ? await this.execute(batch[0]!, stop) : await this.executeJoined(batch, stop);
  }

  /** What the worker takes after a finished job: the printer's next jobs, as many one-label ones as it joins. */
  private next(printerId: string, stop: AbortSignal): { printerId: string; leaseUntil: string; max: number } | undefined {
    return stop.aborted ? undefined : { printerId, leaseUntil: new Date(Date.now() + LEASE_MS).toISOString(), max: this.o.printers.joins(printerId) };
  }

  /** What the printer said during a delivery: how far earlier jobs have come out, and its state for the kiosk. */
  private heard(printerId: string, p: DeliveryProgress): void {
    if (p.status?.waiting !== undefined) this.followPrinted(printerId, p.status.waiting, p.partsConfirmed);
    if (p.status && this.o.printers.note(printerId, p.status)) {
      const view = this.o.printers.view(this.o.printers.get(printerId));
      this.o.events.emit({ type: 'printer.changed', printer: { id: view.id, name: view.name, state: view.state, ...(view.detail ? { detail: view.detail } : {}) } });
    }
  }

  /** Finished jobs of a printer whose labels had not all come out when it confirmed them, oldest first. */
  private followLater(printerId: string, jobs: readonly Unprinted[]): void {
    if (!jobs.length) return;
    this.unprinted.set(printerId, [...(this.unprinted.get(printerId) ?? []), ...jobs].slice(-50));
  }

  /**
   * Prints one-label jobs taken together as one delivery: the printer confirms their labels in groups, a round trip
   * per group instead of one or two per job. Each job ends as it would have alone: done once the printer confirmed its
   * label (recorded as each group is confirmed, so a restart finds them done), needing attention when its label left
   * without proof, and waiting again in its order when it was never sent (the first saying why).
   */
  private async executeJoined(batch: readonly JobRecord[], stop: AbortSignal): Promise<JobRecord[]> {
    const printerId = batch[0]!.printerId;
    for (const j of batch) this.changed(j.id, j);
    const labels = batch.map((j) => wholeBytes(this.o.jobs.document(j.id).bytes));
    const controller = new AbortController();
    for (const j of batch) this.running.set(j.id, controller);
    // The jobs at the head of the batch recorded done so far, and which of them had their label out by then; and how
    // many were recorded sent, before their labels left.
    let finished = 0;
    let marked = 0;
    const out: boolean[] = [];
    // Jobs as recorded when they ended here (the kiosk is told what was committed, without reading it back).
    const recorded = new Map<string, JobRecord>();
    const finish = (upTo: number, to: 'done' | 'sent', partsPrinted: number | undefined, next?: { printerId: string; leaseUntil: string; max: number }) => {
      const jobs = batch.slice(finished, upTo).map((j, k) => {
        const i = finished + k;
        out[i] = partsPrinted !== undefined && i < partsPrinted;
        const fields = { partsSent: 1, bytesSent: labels[i]!.length, partsConfirmed: to === 'done' ? 1 : 0, ...(partsPrinted !== undefined ? { partsPrinted: out[i] ? 1 : 0 } : {}), waitingReason: null };
        return { id: j.id, to, fields, detail: to === 'done' ? undefined : 'sent; this printer is set up not to confirm' };
      });
      finished = upTo;
      const done = this.o.jobs.finishAndClaim(jobs, next);
      for (const j of done.finished) recorded.set(j.id, j);
      return done.next;
    };
    try {
      const onProgress = (p: DeliveryProgress) => {
        if (p.partsSent > marked) {
          this.o.jobs.markSent(batch.slice(marked, p.partsSent).map((j) => j.id));
          marked = p.partsSent;
        }
        this.heard(printerId, p);
        // Labels confirmed by a printer able to print them: their jobs are done now, as each would have been alone
        // (one whose printer says it cannot print waits with its label, to the end of the delivery).
        if (p.partsConfirmed > finished && p.status && !HOLDING_STATES.includes(p.status.state)) finish(p.partsConfirmed, 'done', p.partsPrinted);
      };
      const result = await this.o.printers.print(printerId, joinedDocument(batch, labels), { signal: controller.signal, onProgress });
      const next = finish(batch.length, result.confirmed ? 'done' : 'sent', result.partsPrinted, this.next(printerId, stop));
      // Labels not out yet: the printer's later answers tell when they are (it prints in order).
      if (result.confirmed) this.followLater(printerId, batch.flatMap((j, i) => (out[i] ? [] : [{ id: j.id, total: 1, printed: 0 }])));
      this.o.logger.info({ jobs: batch.map((j) => j.id), printer: printerId, confirmed: result.confirmed }, result.confirmed ? 'jobs printed (one delivery)' : 'jobs sent (one delivery, not confirmed)');
      return next;
    } catch (err) {
      this.joinedFailed(batch.slice(finished), labels.slice(finished), err, finished);
      return [];
    } finally {
      for (const j of batch) {
        this.running.delete(j.id);
        this.changed(j.id, recorded.get(j.id));
      }
    }
  }

  /**
   * A joined delivery failed after its first `before` jobs were done: each of the others gets what it would have got
   * alone, by how far its own label came (`jobs` and `labels` start after those).
   */
  private joinedFailed(jobs: readonly JobRecord[], labels: readonly Uint8Array[], err: unknown, before: number): void {
    const delivered = deliveredOf(err);
    const confirmed = delivered.confirmed - before;
    const sent = delivered.sent - before;
    const { heldInPrinter } = delivered;
    const total = before + jobs.length;
    // Confirmed while the printer said it could not print: done (the label is in its memory), unless the station then
    // lost track of the printer while they waited in it, as a job alone would.
    if (!heldInPrinter && confirmed > 0) this.o.jobs.finishAndClaim(jobs.slice(0, confirmed).map((j, i) => ({ id: j.id, to: 'done' as const, fields: { partsSent: 1, bytesSent: labels[i]!.length, partsConfirmed: 1, waitingReason: null } })));
    jobs.forEach((job, i) => {
      if (i < sent && (heldInPrinter || i >= confirmed)) {
        const why = `${(err as Error).message.replace(/\.$/, '')}; this job's label was label ${before + i + 1} of the ${total} sent together.`;
        this.failed(job, new PartialPrintError(why, { bytesSent: labels[i]!.length, partsSent: 1, partsConfirmed: i < confirmed ? 1 : 0, ...(heldInPrinter ? { heldInPrinter } : {}) }, err));
      } else if (i === Math.max(0, sent)) {
        // The first never sent says why it waits (or fails), as it would have alone; nothing of it left the station.
        this.failed(job, err instanceof PrinterHeldError ? new PrinterHeldError(err.printerStatus, 0) : err instanceof PartialPrintError ? new PrinterUnavailableError(`Not sent: ${err.message}`, 'It is tried again shortly.', err) : err);
      } else if (i > sent) {
        this.o.jobs.transition(job.id, ['printing'], 'queued', {}, 'not sent: a job before it in the same delivery could not be printed; it waits its turn');
      }
    });
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
      if (moved) this.changed(job.id);
    }
  }

  private reason(printerId: string, why: string): string {
    const printer = this.o.printers.get(printerId);
    return `${printer.entry.name ?? printer.id}: ${why}`;
  }

  /** Prints a claimed job; when it printed and the worker goes on, returns the printer's next jobs, already claimed. */
  private async execute(job: JobRecord, stop: AbortSignal): Promise<JobRecord[]> {
    this.changed(job.id, job);
    const { bytes, partEnds, prefix } = this.o.jobs.document(job.id);
    const document: PrintDocument = { format: job.format as DocumentFormat, bytes, meta: { name: job.documentName, contentType: job.contentType, partEnds, ...(prefix ? { prefix } : {}) } };
    const controller = new AbortController();
    this.running.set(job.id, controller);
    // The job as recorded when it ended here (the kiosk is told what was committed, without reading it back).
    let recorded: JobRecord | undefined;
    let lastReport = 0;
    const onProgress = (p: DeliveryProgress) => {
      // Stored at once, before the bytes leave and after each confirmation: it is what a restart or the operator
      // resumes from. A one-part job is in doubt as a whole either way (one store write per job fewer).
      if (job.partsTotal > 1) this.o.jobs.progress(job.id, p, new Date(Date.now() + LEASE_MS).toISOString());
      this.heard(job.printerId, p);
      const now = Date.now();
      if (now - lastReport < 100 && p.partsConfirmed < job.partsTotal) return;
      lastReport = now;
      this.o.events.emit({
        type: 'job.progress',
        job: { id: job.id, printerId: job.printerId, partsSent: p.partsSent, partsConfirmed: p.partsConfirmed, partsTotal: job.partsTotal, ...(p.partsPrinted !== undefined ? { partsPrinted: p.partsPrinted } : {}), ...(p.status?.detail ? { printer: p.status.detail } : {}) },
      });
    };
    try {
      const result = await this.o.printers.print(job.printerId, document, { signal: controller.signal, startPart: job.partsConfirmed, onProgress });
      const detail = [result.confirmed ? undefined : 'sent; this printer is set up not to confirm', result.reference, result.note].filter(Boolean).join('; ') || undefined;
      const { finished, next } = this.o.jobs.finishAndClaim(
        [
          {
            id: job.id,
            to: result.confirmed ? 'done' : 'sent',
            fields: { partsSent: job.partsTotal, bytesSent: result.bytesSent, partsConfirmed: result.partsConfirmed, ...(result.partsPrinted !== undefined ? { partsPrinted: result.partsPrinted } : {}), waitingReason: null },
            detail,
          },
        ],
        this.next(job.printerId, stop),
      );
      recorded = finished[0];
      if (result.confirmed && result.partsPrinted !== undefined && result.partsPrinted < job.partsTotal) this.followLater(job.printerId, [{ id: job.id, total: job.partsTotal, printed: result.partsPrinted }]);
      this.o.logger.info({ job: job.id, printer: job.printerId, parts: job.partsTotal, confirmed: result.confirmed }, result.confirmed ? 'job printed' : 'job sent (not confirmed)');
      return next;
    } catch (err) {
      this.failed(job, err);
      return [];
    } finally {
      this.running.delete(job.id);
      this.changed(job.id, recorded);
    }
  }

  private failed(job: JobRecord, err: unknown): void {
    const why = describeError(err);
    if (err instanceof PartialPrintError) {
      // Bytes left the station without proof: never resent on its own.
      const e = err.evidence;
      this.o.jobs.transition(job.id, ['printing'], 'needs-attention', {
        attention: attentionText(job, e, err.message),
        errorCode: err.code,
        error: why,
        partsSent: e.partsSent,
        bytesSent: e.bytesSent,
        partsConfirmed: e.partsConfirmed,
        ...(e.partsPrinted !== undefined ? { partsPrinted: e.partsPrinted } : {}),
        waitingReason: null,
      });
      this.o.logger.warn({ job: job.id, printer: job.printerId, partsConfirmed: e.partsConfirmed, partsSent: e.partsSent }, 'job needs attention');
      return;
    }
    if (err instanceof PrinterHeldError) {
      // The printer answered but cannot print: nothing is in doubt. The job waits at the head of its printer's queue
      // and goes on after the confirmed labels when the printer says it is ready.
      const reason = this.reason(job.printerId, err.printerStatus.detail ?? err.printerStatus.state);
      if (this.o.printers.note(job.printerId, err.printerStatus)) this.o.events.emit({ type: 'printer.changed', printer: { id: job.printerId, name: this.o.printers.get(job.printerId).entry.name ?? job.printerId, state: err.printerStatus.state, ...(err.printerStatus.detail ? { detail: err.printerStatus.detail } : {}) } });
      this.o.jobs.transition(
        job.id,
        ['printing'],
        'queued',
        {
          error: why,
          errorCode: NOT_READY,
          waitingReason: reason,
          partsConfirmed: err.partsConfirmed,
          partsSent: err.partsConfirmed,
          ...(err.partsPrinted !== undefined ? { partsPrinted: err.partsPrinted } : {}),
          nextAttemptAt: new Date(Date.now() + this.o.config.holdPollMs).toISOString(),
        },
        `waiting: ${reason}${err.partsConfirmed ? ` (labels up to ${job.firstPart + err.partsConfirmed - 1} are at the printer)` : ''}`,
      );
      this.o.logger.info({ job: job.id, printer: job.printerId, reason: err.printerStatus }, 'printer not ready; job waits');
      return;
    }
    if (err instanceof StationError && err.retryable) {
      // Nothing was sent: try again later, unless the job would print too late to be wanted.
      const next = Date.now() + backoffDelay(job.attempts - 1, this.o.config.retryBaseMs, this.o.config.retryMaxMs);
      if (next >= Date.parse(job.expiresAt) && job.partsConfirmed === 0) {
        this.o.jobs.transition(job.id, ['printing'], 'expired', { error: `${why} (gave up after ${job.attempts} tries)`, errorCode: err.code });
      } else {
        this.o.jobs.transition(job.id, ['printing'], 'queued', { error: why, errorCode: err.code, nextAttemptAt: new Date(next).toISOString(), waitingReason: this.reason(job.printerId, err.message) }, `waiting for the printer: ${why}`);
      }
      return;
    }
    this.o.jobs.transition(job.id, ['printing'], 'failed', { error: why, errorCode: err instanceof StationError ? err.code : 'PRINT_FAILED', waitingReason: null });
    this.o.logger.error({ job: job.id, printer: job.printerId, err: why }, 'job failed before anything was sent');
  }
}
