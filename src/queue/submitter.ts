// How a job enters the queue: its printer must take it, its row is inserted (alone, or in one commit with the others
// submitted in the same turn of the event loop), and the queue is told so that the kiosk hears of it and the printer's
// worker looks.
import { describeError, isStationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { PrinterRegistry } from '../printing/registry.js';
import { stagedBytes } from './job-documents.js';
import type { JobRecord, JobStore, NewJob } from './job-store.js';

export interface SubmitOptions {
  /** The job waits on a disabled printer instead of being refused (its sender cannot be told). */
  whileDisabled?: boolean;
}

/** A job queued, or the one already made for the same idempotency key (`created` false). */
export interface Submitted {
  job: JobRecord;
  created: boolean;
}

interface Asked {
  job: NewJob;
  o: SubmitOptions;
  resolve(r: Submitted): void;
  reject(err: unknown): void;
}

export class Submitter {
  /** Jobs submitted with `submitSoon` in this turn of the event loop, committed together at its end. */
  private soon: Asked[] = [];

  constructor(private readonly o: { jobs: JobStore; printers: PrinterRegistry; logger: Logger; queued(result: Submitted): void }) {}

  /** Queues a job at once, in a commit of its own. */
  submit(job: NewJob, o: SubmitOptions = {}): Submitted {
    let result: Submitted;
    try {
      this.admit(job, o);
      result = this.o.jobs.insert(job);
    } catch (err) {
      this.discardStaged(job);
      throw err;
    }
    this.o.queued(result);
    return result;
  }

  /**
   * Queues a job as `submit` does, in one commit with the others submitted in the same turn of the event loop (the
   * requests of a burst that arrived together): a commit writes each index page it touched once, where one a job wrote
   * it again for each. One refused is refused alone; a commit that fails fails them all, none queued.
   */
  submitSoon(job: NewJob, o: SubmitOptions = {}): Promise<Submitted> {
    return new Promise((resolve, reject) => {
      if (this.soon.push({ job, o, resolve, reject }) === 1) setImmediate(() => this.together());
    });
  }

  private together(): void {
    const asked = this.soon.splice(0);
    // Each is answered whatever befalls another (a staged document that cannot be removed, a listener that throws).
    const refuse = (a: Asked, err: unknown) => {
      a.reject(err);
      try {
        this.discardStaged(a.job);
      } catch (cleanup) {
        this.o.logger.warn({ err: describeError(cleanup) }, "a refused job's document could not be removed; it goes at the next start");
      }
    };
    const admitted = asked.filter((a) => {
      try {
        this.admit(a.job, a.o);
        return true;
      } catch (err) {
        refuse(a, err);
        return false;
      }
    });
    if (!admitted.length) return;
    let results: ReturnType<JobStore['insertTogether']>;
    try {
      results = this.o.jobs.insertTogether(admitted.map((a) => a.job));
    } catch (err) {
      for (const a of admitted) refuse(a, err);
      return;
    }
    results.forEach((result, i) => {
      const a = admitted[i]!;
      if ('refused' in result) return refuse(a, result.refused);
      a.resolve(result);
      try {
        this.o.queued(result);
      } catch (err) {
        // Queued all the same: its worker finds it at its next look.
        this.o.logger.error({ job: result.job.id, err: describeError(err) }, 'telling of a queued job failed');
      }
    });
  }

  /** Throws when the job's printer cannot take it now. */
  private admit(job: NewJob, o: SubmitOptions): void {
    try {
      this.o.printers.usable(job.printerId, job.document.format);
    } catch (err) {
      if (!(o.whileDisabled && isStationError(err) && err.code === 'PRINTER_DISABLED')) throw err;
    }
  }

  /** A long document already written for a job that was not made goes with it. */
  private discardStaged(job: NewJob): void {
    const staged = stagedBytes(job.document.bytes);
    if (staged) this.o.jobs.documents.discard(staged.jobId);
  }
}
