// What the operator reads about a job the station cannot vouch for: which labels the printer confirmed, which may
// have printed, which never arrived, and the choices that cannot lose or double a label.
import type { JobRecord } from './job-record.js';

export interface Evidence {
  /** Parts handed over (an upper bound). */
  partsSent: number;
  /** Parts the printer proved it received. */
  partsConfirmed: number;
  /** Parts the printer said had come out. */
  partsPrinted?: number;
}

export interface ResumeChoice {
  /** First part of the job to print again (1-based). */
  from: number;
  /** What the operator sees on the button. */
  label: string;
  /** When to choose it. */
  when: string;
}

/** Sent, confirmed and printed parts of a job, made consistent (printed <= confirmed <= sent <= total). */
export function evidenceOf(job: Pick<JobRecord, 'partsTotal'>, e: Evidence): Required<Evidence> {
  const total = job.partsTotal;
  const confirmed = Math.min(total, Math.max(0, e.partsConfirmed));
  const sent = Math.min(total, Math.max(confirmed, e.partsSent));
  const printed = Math.min(confirmed, Math.max(0, e.partsPrinted ?? confirmed));
  return { partsSent: sent, partsConfirmed: confirmed, partsPrinted: printed };
}

type Job = Pick<JobRecord, 'partsTotal' | 'firstPart' | 'serials' | 'format'>;

/** "label 49" means the 49th of its batch (a resumed job's parts start later). */
const labelNo = (job: Job, part: number) => job.firstPart + part - 1;

function span(job: Job, from: number, to: number): string {
  const a = labelNo(job, from);
  const b = labelNo(job, to);
  const serials = job.serials.slice(from - 1, to);
  const which = serials.length === 0 ? '' : serials.length === 1 ? ` (serial ${serials[0]})` : ` (serials ${serials[0]} to ${serials.at(-1)})`;
  return from === to ? `label ${a}${which}` : `labels ${a} to ${b}${which}`;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Plain words: what happened, what is known label by label, and what to do. `memoryEmptied`: the printer has since
 * answered without the labels it held (they came out unseen, or were lost with its power).
 */
export function attentionText(job: Job, evidence: Evidence, why: string, o: { memoryEmptied?: boolean } = {}): string {
  const total = job.partsTotal;
  if (total <= 1) {
    return `${why} The ${job.format === 'zpl' ? 'label' : 'document'} may or may not have printed. Look at the printer once it has stopped printing: if it came out, mark it printed; if not, print it again.`;
  }
  const { partsSent: sent, partsConfirmed: confirmed, partsPrinted: printed } = evidenceOf(job, evidence);
  const facts: string[] = [];
  if (confirmed > 0) facts.push(`${capital(span(job, 1, confirmed))} ${confirmed === 1 ? 'was' : 'were'} confirmed by the printer.`);
  else facts.push('The printer confirmed no label of this job.');
  if (printed < confirmed) {
    facts.push(`Of these, ${span(job, printed + 1, confirmed)} had not come out yet: they were in the printer's memory.`);
  }
  if (sent > confirmed) facts.push(`${capital(span(job, confirmed + 1, sent))} may have printed.`);
  if (sent < total) facts.push(`${capital(span(job, sent + 1, total))} ${total - sent === 1 ? 'was' : 'were'} not received.`);
  const advice: string[] = [];
  if (sent > confirmed) {
    // A printer goes on with what it received after the connection is gone: the last tag out is the last only once it
    // has stopped (the station refuses to print labels again while the printer says it holds some).
    advice.push('The printer goes on printing the labels it received: wait until it has stopped, then scan the last tag that came out to resume right after it.');
    advice.push(
      sent < total
        ? `Or: if label ${labelNo(job, sent)} came out, resume from ${labelNo(job, sent + 1)}; if label ${labelNo(job, confirmed + 1)} did not come out, resume from ${labelNo(job, confirmed + 1)}.`
        : `Or: if label ${labelNo(job, sent)} came out, mark the job printed; if label ${labelNo(job, confirmed + 1)} did not come out, resume from ${labelNo(job, confirmed + 1)}.`,
    );
  } else if (printed < confirmed && o.memoryEmptied) {
    advice.push(`They came out while the station could not see the printer, or they were lost if it was switched off: look at the last tag that came out. If it is label ${labelNo(job, confirmed)}, mark the job printed; otherwise scan it to resume right after it.`);
  } else if (printed < confirmed) {
    advice.push(`If the printer kept its power, they print by themselves once it is ready; when they are out, mark the job printed. If it was switched off, they are lost: scan the last tag that came out to resume right after it.`);
  } else if (sent < total) {
    advice.push(`Resume from label ${labelNo(job, sent + 1)}.`);
  } else {
    advice.push('If every label came out, mark the job printed; otherwise scan the last tag that came out to resume right after it.');
  }
  return `${why} ${facts.join(' ')} ${advice.join(' ')}`;
}

/** The resume buttons for a job that needs attention, from the evidence stored with it. */
export function resumeChoices(job: Job & Evidence): ResumeChoice[] {
  const total = job.partsTotal;
  if (total <= 1) return [{ from: 1, label: 'Print it again', when: 'it did not come out' }];
  const { partsSent: sent, partsConfirmed: confirmed, partsPrinted: printed } = evidenceOf(job, job);
  const choices: ResumeChoice[] = [];
  const add = (from: number, when: string) => {
    if (from >= 1 && from <= total && !choices.some((c) => c.from === from)) choices.push({ from, label: `Resume from ${labelNo(job, from)}`, when });
  };
  if (sent > confirmed) {
    add(confirmed + 1, `label ${labelNo(job, confirmed + 1)} did not come out`);
    add(sent + 1, `label ${labelNo(job, sent)} came out`);
  } else if (printed < confirmed) {
    // Said as what the operator sees, not as its cause (the printer switched off): the station's last look may be a
    // moment old, and a label that came out since would be printed twice.
    add(printed + 1, printed > 0 ? `label ${labelNo(job, printed)} is the last that came out` : `no label of this job came out`);
  } else {
    add(sent + 1, `labels up to ${labelNo(job, sent)} came out`);
  }
  return choices;
}
