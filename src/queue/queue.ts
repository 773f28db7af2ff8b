// The print queue: one worker per printer taking its jobs in order (printer-workers.ts; delivery.ts for how they are
// printed), and what the bench does with jobs: submit, cancel, move, pause, reprint, resume after a scanned tag.
import { assertFor, useOf } from '../printing/uses.js';
import { StationError } from '../errors.js';
import { sleep } from '../lib/backoff.js';
import { HOLDING_STATES } from '../printing/types.js';
import { attentionText } from './attention.js';
import { HELD_FOLLOWED_MS } from './printed-lines.js';
import { Deliveries, type QueueOptions } from './delivery.js';
import { reprintJob } from './reprint-job.js';
import type { JobRecord, NewJob } from './job-store.js';
import { Submitter, type SubmitOptions, type Submitted } from './submitter.js';
import { PrinterWorkers } from './printer-workers.js';

export type { QueueOptions } from './delivery.js';

export type { SubmitOptions } from './submitter.js';

/** How long past the grace period a stop waits for deliveries that were told to stop. */
const ABANDON_MS = 3000;

export class PrintQueue {
  private readonly submitter: Submitter;
  private readonly deliveries: Deliveries;
  private readonly workers: PrinterWorkers;
  private stopping: AbortController | undefined;

  constructor(private readonly o: QueueOptions) {
    this.deliveries = new Deliveries({ ...o, changed: (id, record) => this.changed(id, record) });
    this.submitter = new Submitter({ ...o, queued: (result) => this.queued(result) });
    this.workers = new PrinterWorkers({
      ...o,
      deliveries: this.deliveries,
      changed: (id, record) => this.changed(id, record),
      interrupted: (job, event, why, errorCode) => this.interrupted(job, event, why, errorCode),
    });
    // Any answer that says how many labels a printer still holds tells how far its finished jobs have come out; a
    // printer out of reach may lose them (switched off) or print them unseen.
    o.printers.onStatus((id, status) => {
      if (status.waiting !== undefined) this.deliveries.held.followPrinted(id, status.waiting, 0);
      else if (status.state === 'offline') this.deliveries.held.lostSight(id, status.detail ?? 'it did not answer');
    });
    // Printers set up at the bench: a new one gets a worker; a changed, disabled or removed one's worker looks again.
    o.printers.onChange(() => this.printersChanged());
  }

  private printersChanged(): void {
    if (!this.stopping) return;
    this.workers.start(this.stopping.signal);
    this.workers.wakeAll();
  }

  /**
   * Jobs printing when the station last stopped: never resent on their own (the duplicate rule). The parts sent are
   * stored before bytes leave, so a job that had sent nothing unconfirmed and whose confirmed labels had all come out
   * goes on by itself after them. Otherwise labels may be in doubt, or in the memory of a printer that lost power with
   * the station: the operator decides. The same goes for done jobs whose labels were still in the printer's memory.
   */
  recover(): number {
    const swept = this.o.jobs.documents.sweep();
    if (swept) this.o.logger.info({ segments: swept }, 'removed the stored pieces of documents whose jobs were never made (the station stopped while making them)');
    const jobs = this.o.jobs.inFlight();
    for (const job of jobs) this.interrupted(job, 'the station restarted', 'The station stopped while this job was printing.', 'STATION_STOPPED');
    if (jobs.length) this.o.logger.warn({ jobs: jobs.map((j) => j.id) }, 'jobs that were printing when the station stopped: each goes on or needs attention');
    // Done jobs whose labels the printer still held, unprinted, when the station stopped (a stop follows them out
    // first; a crash or a power cut does not): they printed if the printer kept its power, and are lost if it lost it
    // with the station. Only the operator can tell. (Within a day: older ones were left by a station before this.)
    const held = this.o.jobs.doneNotPrinted(new Date(Date.now() - HELD_FOLLOWED_MS).toISOString());
    for (const job of held) {
      const why = 'When the station stopped, the printer still had labels of this job in its memory, not printed yet.';
      if (this.o.jobs.transition(job.id, ['done'], 'needs-attention', { attention: attentionText(job, job, why), errorCode: 'STATION_STOPPED' }, 'the printer still held labels of it when the station stopped')) this.changed(job.id);
    }
    if (held.length) this.o.logger.warn({ jobs: held.map((j) => j.id) }, 'done jobs whose labels were still in the printer when the station stopped: each needs a look');
    return jobs.length + held.length;
  }

  /**
   * A job left `printing` with nothing printing it: it goes on by itself only where its record proves nothing is in
   * doubt (its label never left, or every label sent was confirmed and has come out); otherwise it needs a look.
   */
  private interrupted(job: JobRecord, event: string, why: string, errorCode: string): void {
    const settled = job.partsSent <= job.partsConfirmed && (job.partsPrinted ?? 0) >= job.partsConfirmed;
    if (this.o.jobs.neverSent(job.id)) {
      this.o.jobs.transition(job.id, ['printing'], 'queued', {}, `${event} before this job's label was sent (it was to go with the jobs before it): it prints in its turn`);
    } else if (job.partsTotal > 1 && settled && job.partsConfirmed < job.partsTotal) {
      this.o.jobs.transition(job.id, ['printing'], 'queued', {}, `${event}; labels up to ${job.firstPart + job.partsConfirmed - 1} were confirmed, nothing is in doubt: it goes on after them`);
    } else {
      this.o.jobs.transition(job.id, ['printing'], 'needs-attention', { attention: attentionText(job, job, why), errorCode });
    }
    this.changed(job.id);
  }

  start(): void {
    if (this.stopping) return;
    this.stopping = new AbortController();
    this.recover();
    this.workers.start(this.stopping.signal);
  }

  /** Lets each job in flight finish within `graceMs`, then stops it (a cut job then needs attention). */
  async stop(graceMs: number): Promise<void> {
    if (!this.stopping) return;
    this.stopping.abort();
    this.workers.wakeAll();
    const timer = setTimeout(() => {
      this.deliveries.abortAll(new StationError('SHUTTING_DOWN', 'The station is stopping.'));
    }, graceMs);
    // A delivery that does not end even when stopped is held in a call nothing can stop (a file on a network share
    // whose server is away waits in the kernel): the stop goes on without it, and its job is seen to at the next start,
    // as after a crash. Waiting for it would leave the station stopping until the share came back.
    const held = await this.workers.ended(graceMs + ABANDON_MS);
    clearTimeout(timer);
    if (held.length) {
      this.o.logger.warn(
        { printers: held, jobs: this.o.jobs.inFlight().map((j) => j.id) },
        `stopping without the deliveries still held ${Math.round((graceMs + ABANDON_MS) / 1000)} s after the stop began (their printer does not answer even to being stopped, as a folder on a network share whose server is away): their jobs are looked at when the station starts again`,
      );
    }
    this.stopping = undefined;
    await this.followOut(Date.now() + graceMs);
  }

  /** Printers holding labels of done jobs that have not come out yet (a Zebra out of labels keeps them). */
  holdingPrinters(): string[] {
    return this.deliveries.held.holdingPrinters();
  }

  /**
   * Labels of done jobs still in a printer's memory are followed until they are out (or `until`), on printers that are
   * printing them: a station stopped with some left finds those jobs needing a look at its next start, as it cannot
   * know then whether the printer kept its power.
   */
  private async followOut(until: number): Promise<void> {
    let printing = this.deliveries.held.holdingPrinters();
    while (printing.length && Date.now() < until) {
      const asked = await Promise.allSettled(printing.map((id) => this.o.printers.refresh(id, Math.max(100, Math.min(1000, until - Date.now())))));
      // One that cannot print now (out of labels, paused) keeps them however long the station waits.
      const still = new Set(this.deliveries.held.holdingPrinters());
      printing = asked.flatMap((a) => (a.status === 'fulfilled' && still.has(a.value.id) && !HOLDING_STATES.includes(a.value.state) ? [a.value.id] : []));
      if (printing.length) await sleep(Math.max(0, Math.min(250, until - Date.now())));
    }
  }

  /**
   * Queues a job. A disabled printer refuses new jobs (the caller can choose another), except where the sender cannot
   * be told (`whileDisabled`: data received from the LAN): then it waits, saying why, like the jobs it already had.
   */
  submit(job: NewJob, o: SubmitOptions = {}): Submitted {
    return this.submitter.submit(job, o);
  }

  /** Queues a job as `submit` does, in one commit with the others submitted in the same turn (see Submitter). */
  submitSoon(job: NewJob, o: SubmitOptions = {}): Promise<Submitted> {
    return this.submitter.submitSoon(job, o);
  }

  /** A job is in the store: the kiosk hears of it and its printer's worker looks. */
  private queued(result: Submitted): void {
    if (!result.created) return;
    this.changed(result.job.id, result.job);
    this.wake(result.job.printerId);
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

  /** Moves waiting jobs to another printer that takes their format; one it cannot take, and none is moved. */
  move(ids: readonly string[], to: string): JobRecord[] {
    for (const id of ids) {
      const job = this.get(id);
      this.o.printers.usable(to, job.format);
      // A test page of one printer is for any; labels and documents only to a printer that is for them (a document
      // job from before its kind was kept is taken).
      const use = job.kind === 'test' ? undefined : job.kind === 'document' ? this.o.jobs.documentFacts(id).kind : 'labels';
      if (use) assertFor(this.o.printers.get(to), useOf(use));
      this.o.canMove?.(job, to);
    }
    const moved = ids.map((id) => {
      const job = this.get(id);
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
  async reprint(id: string, from: number, to: number | undefined, by: string, key?: string, fingerprint?: string): Promise<JobRecord> {
    const job = this.get(id);
    await this.untilPrinterLetsGo(job);
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
  async resumeAfter(id: string, serial: string, by: string, key?: string, fingerprint?: string): Promise<JobRecord> {
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

  /**
   * Before the labels of a job that needs attention go again: a printer that says it still holds labels it has not
   * printed keeps printing them after a cut, so the last tag out is not yet the last that will come out, and a label
   * "in doubt" may still appear. Asked afresh; a printer that cannot say (offline, no such report) leaves the note's
   * advice as it is. A Zebra prints in the order it received: when no more labels wait in it than it has confirmed
   * of the jobs it took since this one failed, none of this job's are among them.
   */
  private async untilPrinterLetsGo(job: JobRecord): Promise<void> {
    if (job.state !== 'needs-attention' || !this.o.printers.has(job.printerId)) return;
    const printer = await this.o.printers.refresh(job.printerId, 2000);
    const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
    const labels = printer.waiting && printer.waiting > this.o.jobs.confirmedSince(job.printerId, job.updatedAt, job.id) ? printer.waiting : 0;
    const holds = labels ? `${count(labels, 'label')} it has not printed` : printer.jobsWaiting ? `${count(printer.jobsWaiting, 'job')} it has not finished` : undefined;
    if (!holds) return;
    throw new StationError('PRINTER_STILL_HOLDS_LABELS', `${printer.name} still holds ${holds}, which may be this job's: they come out by themselves${printer.state === 'ready' || printer.state === 'printing' ? '' : ` once it is ready (${printer.detail ?? printer.state})`}.`, {
      status: 409,
      hint: 'Wait until they are out, then scan the last tag that came out (or choose again).',
    });
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
        this.o.jobs.list({ state: 'queued', limit: 10_000 }).some((j) => !this.o.jobs.isPaused(j.printerId) && !this.workers.blocked(j.printerId) && (!j.nextAttemptAt || j.nextAttemptAt <= new Date().toISOString()));
      if (!busy) return;
      if (Date.now() > deadline) throw new Error('queue still busy');
      await sleep(20);
    }
  }

  private wake(printerId: string): void {
    this.workers.wake(printerId);
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
        ...(j.waitingTurn ? { waitingTurn: j.waitingTurn } : {}),
      },
    });
  }
}
