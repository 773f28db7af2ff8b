// What a reprint is: labels from..to of a stored job, as a new job linked to it, with their own bytes (copied from the
// stored document, after what they need first, such as graphics they recall), serials and label data.
import { StationError } from '../errors.js';
import type { DocumentFormat, PrintDocument } from '../printing/types.js';
import type { JobRecord, JobStore, NewJob } from './job-store.js';

export interface ReprintAsk {
  /** First and last part of the job (1-based); last defaults to the job's last. */
  from: number;
  to?: number;
  by: string;
  key?: string;
  fingerprint?: string;
  expiresAt: string;
}

/** The new job for parts from..to of `job`, and the last part it covers. */
export function reprintJob(jobs: JobStore, job: JobRecord, ask: ReprintAsk): { job: NewJob; last: number } {
  const { from } = ask;
  const last = ask.to ?? job.partsTotal;
  if (from < 1 || last > job.partsTotal || from > last) {
    throw new StationError('INVALID_RANGE', `Job ${job.id} has labels 1 to ${job.partsTotal}; ${from} to ${last} is not a range of it.`, { status: 422 });
  }
  const { bytes, partEnds, prefix } = jobs.document(job.id);
  const labelData = jobs.labelData(job.id);
  // A document printed again is the same kind and page: its purpose and paper are checked as the first one's were.
  const facts = job.kind === 'document' ? jobs.documentFacts(job.id) : {};
  const start = from === 1 ? prefix : partEnds[from - 2]!;
  const end = partEnds[last - 1]!;
  const document: PrintDocument = {
    format: job.format as DocumentFormat,
    bytes: jobs.documents.copy(bytes, prefix ? [[0, prefix], [start, end]] : [[start, end]]),
    meta: {
      name: job.documentName,
      contentType: job.contentType,
      partEnds: partEnds.slice(from - 1, last).map((e) => e - start + prefix),
      ...(prefix ? { prefix } : {}),
      ...(job.origin ? { origin: job.origin } : {}),
      ...(facts.pageMm ? { pageMm: facts.pageMm } : {}),
    },
  };
  const labels = last === from ? `label ${job.firstPart + from - 1}` : `labels ${job.firstPart + from - 1} to ${job.firstPart + last - 1}`;
  return {
    last,
    job: {
      printerId: job.printerId,
      requestedBy: ask.by,
      kind: job.kind,
      ...(ask.key ? { idempotencyKey: ask.key } : {}),
      ...(job.workOrderId && job.workOrderNumber ? { workOrder: { id: job.workOrderId, number: job.workOrderNumber } } : {}),
      ...(job.lineNumber !== undefined ? { lineNumber: job.lineNumber } : {}),
      ...(job.templateId && job.templateVersion ? { template: { id: job.templateId, version: job.templateVersion } } : {}),
      document,
      ...(facts.kind ? { documentKind: facts.kind } : {}),
      title: `${job.title}: ${labels} again`,
      ...(ask.fingerprint ? { fingerprint: ask.fingerprint } : {}),
      ...(labelData ? { labelData: labelData.slice(from - 1, last) } : {}),
      serials: job.serials.slice(from - 1, last),
      firstPart: job.firstPart + from - 1,
      ...(job.batchId ? { batchId: job.batchId } : {}),
      reprintOf: job.id,
      isReprint: true,
      expiresAt: ask.expiresAt,
    },
  };
}
