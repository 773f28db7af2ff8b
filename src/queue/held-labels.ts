// Labels of finished jobs still in a printer's memory: a Zebra confirms labels on receipt and prints them after, in
// the order received, so the labels it says it still holds tell how far each finished job has come out. A printer the
// station could not reach meanwhile cannot vouch for labels gone from its memory (switched off, it loses them): their
// jobs need a look instead.
import type { Logger } from '../logger.js';
import type { PrinterRegistry } from '../printing/registry.js';
import { attentionText } from './attention.js';
import type { JobRecord, JobStore } from './job-store.js';

/** A finished job some of whose labels had not come out yet when the printer confirmed it. */
export interface Unprinted {
  id: string;
  total: number;
  printed: number;
}

export interface HeldLabelsOptions {
  jobs: JobStore;
  printers: PrinterRegistry;
  logger: Logger;
  /** Tells the kiosk a job changed (with its record when it is at hand). */
  changed(id: string, record?: JobRecord): void;
}

export class HeldLabels {
  /** Per printer, finished jobs (oldest first) still partly in the printer's memory. */
  private readonly unprinted = new Map<string, Unprinted[]>();
  /** Printers that went out of reach while they held such labels, and why: their next answer cannot vouch for them. */
  private readonly unseen = new Map<string, string>();

  constructor(private readonly o: HeldLabelsOptions) {}

  /** Printers holding labels of done jobs that have not come out yet. */
  holdingPrinters(): string[] {
    return [...this.unprinted].filter(([, tails]) => tails.length > 0).map(([id]) => id);
  }

  /**
   * The station could not reach the printer (`why`): labels of finished jobs that have left its memory by its next
   * answer may have come out meanwhile, or been lost with its power. Only a look can tell.
   */
  lostSight(printerId: string, why: string): void {
    if (this.unprinted.get(printerId)?.length && !this.unseen.has(printerId)) this.unseen.set(printerId, why.replace(/\.$/, ''));
  }

  /**
   * A printer prints in the order it received: of `waiting` labels it holds, the newest `ownConfirmed` belong to the
   * job now sending, the rest to finished jobs, newest first. Their printed counts only ever go up; labels that left
   * its memory while the station could not reach it are in doubt instead (their jobs need a look).
   */
  followPrinted(printerId: string, waiting: number, ownConfirmed: number): void {
    const tails = this.unprinted.get(printerId);
    if (!tails?.length) return;
    const lost = this.unseen.get(printerId);
    this.unseen.delete(printerId);
    let left = Math.max(0, waiting - ownConfirmed);
    const raised: Unprinted[] = [];
    const gone: Unprinted[] = [];
    for (let i = tails.length - 1; i >= 0; i--) {
      const tail = tails[i]!;
      const unprinted = Math.min(tail.total, left);
      left -= unprinted;
      const printed = tail.total - unprinted;
      if (printed <= tail.printed) continue;
      if (lost === undefined) {
        tail.printed = printed;
        raised.push(tail);
      } else gone.push(tail);
    }
    if (!raised.length && !gone.length) return;
    // One commit for all (a joined delivery leaves several at once).
    if (raised.length) for (const job of this.o.jobs.setPrinted(raised)) this.o.changed(job.id, job);
    for (const tail of gone) this.vanished(printerId, tail, lost!);
    this.unprinted.set(printerId, tails.filter((t) => t.printed < t.total && !gone.includes(t)));
  }

  /** A done job whose labels left the printer's memory unseen: it needs a look, saying which labels are in doubt. */
  private vanished(printerId: string, tail: Unprinted, lost: string): void {
    const job = this.o.jobs.get(tail.id);
    if (!job || job.state !== 'done') return;
    const printer = this.o.printers.get(printerId);
    const why = `The station lost sight of ${printer.entry.name ?? printer.id} (${lost}) while it still had labels of this job in its memory, not printed yet; when it answered again, they were no longer there.`;
    const attention = attentionText(job, { partsSent: job.partsSent, partsConfirmed: job.partsConfirmed, partsPrinted: tail.printed }, why, { memoryEmptied: true });
    if (this.o.jobs.transition(tail.id, ['done'], 'needs-attention', { attention, errorCode: 'PRINTER_LOST' }, 'labels left the printer while the station could not reach it')) this.o.changed(tail.id);
    this.o.logger.warn({ job: tail.id, printer: printerId, printed: tail.printed, total: tail.total, lost }, 'labels of a done job left the printer while it was out of reach: the job needs a look');
  }

  /** Finished jobs of a printer whose labels had not all come out when it confirmed them, oldest first. */
  later(printerId: string, jobs: readonly Unprinted[]): void {
    if (!jobs.length) return;
    this.unprinted.set(printerId, [...(this.unprinted.get(printerId) ?? []), ...jobs].slice(-50));
  }
}
