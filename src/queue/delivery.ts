// Printing a printer's claimed jobs, one at a time or one-label jobs joined into one delivery, and what becomes of each
// job by how far its labels came: the duplicate rule decides every failure (a label that may have left is never sent
// again on its own), and the printer's later answers tell how far finished jobs have come out.
import { StationError, describeError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../logger.js';
import type { QueueConfig } from '../config/schema.js';
import { backoffDelay } from '../lib/backoff.js';
import type { PrinterRegistry } from '../printing/registry.js';
import { HOLDING_STATES, PartialPrintError, PrinterHeldError, PrinterUnavailableError, wholeBytes, type DeliveryProgress, type DocumentFormat, type PrintDocument } from '../printing/types.js';
import { attentionText } from './attention.js';
import { HeldLabels } from './held-labels.js';
import { deliveredOf, joinedDocument } from './joined.js';
import type { JobRecord, JobStore } from './job-store.js';

/** How long a printing job's claim holds (renewed as it goes); a station that stopped finds it at start. */
export const LEASE_MS = 60_000;
/** Set on a waiting job whose printer answered but could not print: the worker asks the printer before trying again. */
export const NOT_READY = 'PRINTER_NOT_READY';

/** Why a printer's job waits, in words the kiosk shows: "Tag printer: out of labels". */
export function waitingReason(printers: PrinterRegistry, printerId: string, why: string): string {
  const printer = printers.get(printerId);
  return `${printer.entry.name ?? printer.id}: ${why}`;
}

/** What the print queue and its deliveries work with. */
export interface QueueOptions {
  jobs: JobStore;
  printers: PrinterRegistry;
  events: EventBus;
  logger: Logger;
  config: QueueConfig;
  /** Whether a waiting job may move to another printer beyond its format (its labels or page on that stock); throws why not. */
  canMove?: (job: JobRecord, to: string) => void;
}

export interface DeliveryOptions extends QueueOptions {
  /** Tells the kiosk a job changed (with its record when it is at hand). */
  changed(id: string, record?: JobRecord): void;
}

export class Deliveries {
  /** The jobs being printed, each with what stops it. */
  private readonly running = new Map<string, AbortController>();
  /** Labels of finished jobs still in the printers' memory, followed out. */
  readonly held: HeldLabels;

  constructor(private readonly o: DeliveryOptions) {
    this.held = new HeldLabels(o);
  }

  /** Prints claimed jobs (one, or one-label jobs taken together); returns the printer's next jobs, already claimed. */
  print(batch: readonly JobRecord[], stop: AbortSignal): Promise<JobRecord[]> {
    return batch.length === 1 ? this.execute(batch[0]!, stop) : this.executeJoined(batch, stop);
  }

  /** Stops every job being printed (the station is stopping and their time is up): a cut job then needs attention. */
  abortAll(reason: Error): void {
    for (const c of this.running.values()) c.abort(reason);
  }

  /** What the worker takes after a finished job: the printer's next jobs, as many one-label ones as it joins. */
  private next(printerId: string, stop: AbortSignal): { printerId: string; leaseUntil: string; max: number } | undefined {
    return stop.aborted ? undefined : { printerId, leaseUntil: new Date(Date.now() + LEASE_MS).toISOString(), max: this.o.printers.joins(printerId) };
  }

  /** What the printer said during a delivery: how far earlier jobs have come out, and its state for the kiosk. */
  private heard(printerId: string, p: DeliveryProgress): void {
    if (p.status?.waiting !== undefined) this.held.followPrinted(printerId, p.status.waiting, p.partsConfirmed);
    if (p.status && this.o.printers.note(printerId, p.status)) {
      const view = this.o.printers.view(this.o.printers.get(printerId));
      this.o.events.emit({ type: 'printer.changed', printer: { id: view.id, name: view.name, state: view.state, ...(view.detail ? { detail: view.detail } : {}) } });
    }
  }

  /**
   * Prints one-label jobs taken together as one delivery: the printer confirms their labels in groups, a round trip
   * per group instead of one or two per job. Each job ends as it would have alone: done once the printer confirmed its
   * label (recorded as each group is confirmed, so a restart finds them done), needing attention when its label left
   * without proof, and waiting again in its order when it was never sent (the first saying why).
   */
  private async executeJoined(claimed: readonly JobRecord[], stop: AbortSignal): Promise<JobRecord[]> {
    const printerId = claimed[0]!.printerId;
    for (const j of claimed) this.o.changed(j.id, j);
    // A job whose document the store cannot give back fails on its own, nothing of it sent; the others go together.
    const batch: JobRecord[] = [];
    const labels: Uint8Array[] = [];
    for (const j of claimed) {
      try {
        labels.push(wholeBytes(this.o.jobs.document(j.id).bytes));
        batch.push(j);
      } catch (err) {
        this.failed(j, err);
        this.o.changed(j.id);
      }
    }
    if (!batch.length) return [];
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
      const done = this.o.jobs.finishAndClaim(jobs, next);
      finished = upTo; // only once committed: jobs a failed commit left printing get what a failure gives them
      for (const j of done.finished) recorded.set(j.id, j);
      return done.next;
    };
    try {
      const onProgress = (p: DeliveryProgress): Promise<void> | undefined => {
        const sending = p.partsSent > marked;
        if (sending) {
          this.o.jobs.markSent(batch.slice(marked, p.partsSent).map((j) => j.id));
          marked = p.partsSent;
        }
        this.heard(printerId, p);
        // Labels confirmed by a printer able to print them: their jobs are done now, as each would have been alone
        // (one whose printer says it cannot print waits with its label, to the end of the delivery).
        if (p.partsConfirmed > finished && p.status && !HOLDING_STATES.includes(p.status.state)) finish(p.partsConfirmed, 'done', p.partsPrinted);
        // Labels about to leave: marked sent on disk before they do (a restart sends again only what was never sent).
        return sending ? this.onDisk() : undefined;
      };
      const result = await this.o.printers.print(printerId, joinedDocument(batch, labels), { signal: controller.signal, onProgress });
      const next = finish(batch.length, result.confirmed ? 'done' : 'sent', result.partsPrinted, this.next(printerId, stop));
      // Labels not out yet: the printer's later answers tell when they are (it prints in order).
      if (result.confirmed) this.held.later(printerId, batch.flatMap((j, i) => (out[i] ? [] : [{ id: j.id, total: 1, printed: 0 }])));
      this.o.logger.info({ jobs: batch.map((j) => j.id), printer: printerId, confirmed: result.confirmed }, result.confirmed ? 'jobs printed (one delivery)' : 'jobs sent (one delivery, not confirmed)');
      return next;
    } catch (err) {
      this.joinedFailed(batch.slice(finished), labels.slice(finished), err, finished, marked);
      return [];
    } finally {
      for (const j of batch) {
        this.running.delete(j.id);
        this.o.changed(j.id, recorded.get(j.id));
      }
    }
  }

  /**
   * A joined delivery failed after its first `before` jobs were done: each of the others gets what it would have got
   * alone, by how far its own label came (`jobs` and `labels` start after those). `recordedSent`: labels recorded as
   * leaving before they did, so a failure that is not the printer's (the store, say) never counts them unsent.
   */
  private joinedFailed(jobs: readonly JobRecord[], labels: readonly Uint8Array[], err: unknown, before: number, recordedSent: number): void {
    const delivered = deliveredOf(err);
    const confirmed = delivered.confirmed - before;
    const sent = Math.max(delivered.sent, recordedSent) - before;
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

  /** Prints a claimed job; when it printed and the worker goes on, returns the printer's next jobs, already claimed. */
  private async execute(job: JobRecord, stop: AbortSignal): Promise<JobRecord[]> {
    this.o.changed(job.id, job);
    const controller = new AbortController();
    this.running.set(job.id, controller);
    // The job as recorded when it ended here (the kiosk is told what was committed, without reading it back).
    let recorded: JobRecord | undefined;
    let lastReport = 0;
    let waitingFor: string | undefined;
    // Labels recorded as leaving and synced. A delivery starts after the confirmed labels, so its first report of
    // labels about to leave is past them: its sync carries the job's claim to disk too, whatever an earlier attempt
    // recorded as sent.
    let recordedSent = job.partsConfirmed;
    const onProgress = (p: DeliveryProgress): Promise<void> | undefined => {
      // Stored at once, before the bytes leave and after each confirmation: it is what a restart or the operator
      // resumes from. A one-part job is in doubt as a whole either way (one store write per job fewer).
      if (job.partsTotal > 1) this.o.jobs.progress(job.id, p, new Date(Date.now() + LEASE_MS).toISOString());
      this.heard(job.printerId, p);
      // The printer has the job's labels and waits for a person, or prints other jobs first: the job says why until
      // the printer goes on.
      const why = p.waitingFor ?? p.waitingTurn;
      if (why !== waitingFor) {
        waitingFor = why;
        const turn = p.waitingFor === undefined && p.waitingTurn !== undefined;
        if (this.o.jobs.setWaitingReason(job.id, why && waitingReason(this.o.printers, job.printerId, why), turn)) this.o.changed(job.id);
      }
      const now = Date.now();
      if (now - lastReport >= 100 || p.partsConfirmed >= job.partsTotal) {
        lastReport = now;
        this.o.events.emit({
          type: 'job.progress',
          job: { id: job.id, printerId: job.printerId, partsSent: p.partsSent, partsConfirmed: p.partsConfirmed, partsTotal: job.partsTotal, ...(p.partsPrinted !== undefined ? { partsPrinted: p.partsPrinted } : {}), ...(p.status?.detail ? { printer: p.status.detail } : {}) },
        });
      }
      // Labels about to leave: the record of them (a one-label job's claim says it) reaches the disk before they do,
      // so that after a power cut the job is found in doubt, never waiting to print them again.
      if (p.partsSent > recordedSent) {
        recordedSent = p.partsSent;
        return this.onDisk();
      }
      return undefined;
    };
    try {
      // Read inside: a document the store cannot give back fails the job (nothing sent), never leaves it printing.
      const { bytes, partEnds, prefix } = this.o.jobs.document(job.id);
      const document: PrintDocument = { format: job.format as DocumentFormat, bytes, meta: { name: job.documentName, contentType: job.contentType, partEnds, ...(prefix ? { prefix } : {}) } };
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
      if (result.confirmed && result.partsPrinted !== undefined && result.partsPrinted < job.partsTotal) this.held.later(job.printerId, [{ id: job.id, total: job.partsTotal, printed: result.partsPrinted }]);
      this.o.logger.info({ job: job.id, printer: job.printerId, parts: job.partsTotal, confirmed: result.confirmed }, result.confirmed ? 'job printed' : 'job sent (not confirmed)');
      return next;
    } catch (err) {
      this.failed(job, err);
      return [];
    } finally {
      this.running.delete(job.id);
      this.o.changed(job.id, recorded);
    }
  }

  /**
   * What the store has committed, on disk; if it cannot be, nothing more is sent and the job is tried again. For a
   * driver to await before a write (one that did not would not bring the station down with it).
   */
  private onDisk(): Promise<void> {
    const synced = this.o.jobs.durable().catch((err: unknown) => {
      throw new PrinterUnavailableError(`Not sent: the station could not make its record of the labels safe on disk (${describeError(err)}).`, "Check the disk holding the station's data; the job is tried again.", err);
    });
    synced.catch(() => undefined);
    return synced;
  }

  private failed(job: JobRecord, err: unknown): void {
    const why = describeError(err);
    // Not reached, or cut off mid-way: what the printer holds of earlier jobs is not seen meanwhile.
    if (err instanceof PrinterUnavailableError || err instanceof PartialPrintError) this.held.lostSight(job.printerId, why);
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
      const reason = waitingReason(this.o.printers, job.printerId, err.printerStatus.detail ?? err.printerStatus.state);
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
        this.o.jobs.transition(job.id, ['printing'], 'queued', { error: why, errorCode: err.code, nextAttemptAt: new Date(next).toISOString(), waitingReason: waitingReason(this.o.printers, job.printerId, err.message) }, `waiting for the printer: ${why}`);
      }
      return;
    }
    this.o.jobs.transition(job.id, ['printing'], 'failed', { error: why, errorCode: err instanceof StationError ? err.code : 'PRINT_FAILED', waitingReason: null });
    this.o.logger.error({ job: job.id, printer: job.printerId, err: why }, 'job failed before anything was sent');
  }
}
