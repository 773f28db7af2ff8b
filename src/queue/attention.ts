// What the operator reads about a job that may have printed partly: which labels are in doubt and what to do.
import type { JobRecord } from './job-record.js';

/** Serials of parts from..to (1-based, within the job) as words for a person. */
function serialRange(job: JobRecord, from: number, to: number): string {
  const list = job.serials.slice(from - 1, to);
  if (list.length === 0) return '';
  return list.length === 1 ? ` (serial ${list[0]})` : ` (serials ${list[0]} to ${list.at(-1)})`;
}

/** Plain words for a job that may have printed partly: what happened, which labels are in doubt, what to do. */
export function attentionText(job: JobRecord, partsSent: number, why: string): string {
  const total = job.partsTotal;
  const label = (i: number) => job.firstPart + i - 1;
  const todo = 'Check the printer and the labels, then resume from the first missing label, reprint a range, or cancel.';
  if (total <= 1) return `${why} The ${job.format.toUpperCase()} document may or may not have printed. Check the printer, then print it again or cancel.`;
  if (partsSent >= total) {
    return `${why} All ${total} labels were handed to the printer, but it did not confirm them: any of labels ${label(1)} to ${label(total)}${serialRange(job, 1, total)} may not have printed, most likely the last ones. ${todo}`;
  }
  const handed = partsSent > 0 ? ` Labels ${label(1)} to ${label(partsSent)} were handed to the printer; the last of them may not have printed either.` : '';
  return `${why} Labels ${label(partsSent + 1)} to ${label(total)}${serialRange(job, partsSent + 1, total)} were not sent and may not have printed.${handed} ${todo}`;
}
