// One press, one job: the same Idempotency-Key, or the same request from the same caller within a short window,
// gets the job already made; identical requests arriving together wait for the first instead of each rendering (and
// allocating serials). A caller who means it asks again with "force".
import { createHash } from 'node:crypto';
import type { JobRecord, JobStore } from './job-store.js';

export interface Submission {
  job: JobRecord;
  created: boolean;
  /** The same request was made moments ago: this is that job, not a new one. */
  duplicate?: boolean;
}

/** A stable digest of who asked for what. */
export function fingerprint(who: string, what: unknown): string {
  return createHash('sha256').update(JSON.stringify([who, what])).digest('base64url');
}

export class Submissions {
  private readonly pending = new Map<string, Promise<Submission>>();

  constructor(
    private readonly jobs: JobStore,
    private readonly windowMs: number,
  ) {}

  /**
   * Makes the job with `make` unless a key, a recent identical request or one in flight already did. The job is on
   * disk before the caller hears of it: a job the client was told is queued survives a power cut.
   */
  async run(o: { key?: string; fingerprint: string; force?: boolean }, make: () => Promise<JobRecord>): Promise<Submission> {
    const outcome = await this.find(o, make);
    await this.jobs.durable();
    return outcome;
  }

  private async find(o: { key?: string; fingerprint: string; force?: boolean }, make: () => Promise<JobRecord>): Promise<Submission> {
    if (o.key) {
      const existing = this.jobs.byKey(o.key);
      if (existing) return { job: existing, created: false };
      const inFlight = this.pending.get(`key:${o.key}`);
      if (inFlight) return { ...(await inFlight), created: false };
    }
    if (!o.force) {
      const now = Date.now();
      const recent = this.jobs.recentByFingerprint(o.fingerprint, new Date(now - this.windowMs).toISOString(), new Date(now + this.windowMs).toISOString());
      if (recent) return { job: recent, created: false, duplicate: true };
      const inFlight = this.pending.get(`request:${o.fingerprint}`);
      if (inFlight) return { ...(await inFlight), created: false, duplicate: true };
    }
    const work = make().then((job) => ({ job, created: true }));
    const names = [...(o.key ? [`key:${o.key}`] : []), `request:${o.fingerprint}`];
    for (const name of names) this.pending.set(name, work);
    try {
      return await work;
    } finally {
      for (const name of names) if (this.pending.get(name) === work) this.pending.delete(name);
    }
  }
}
