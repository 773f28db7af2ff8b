// The tags other benches of the shop printed for a work order's lines, from the ledger, beside this bench's own: a
// crimper opening an order that another bench has tagged sees it on the line and is asked before printing a second set.
// The bench never waits long for it: a ledger known to be out of reach is not asked, and one that does not answer in
// a second is left out, saying so on the page.
import { describeError } from '../errors.js';
import { addTags, countsAsTags, noTags, type LineTags } from '../queue/printed-lines.js';
import type { JobState } from '../queue/job-record.js';
import type { ShopJob } from './ledger.js';
import type { ShopService } from './service.js';

export type OtherBenches = { lines: Map<number, LineTags> } | { unknown: string };

const WAIT_MS = 1000;

class LedgerTooSlow extends Error {
  constructor(waitMs: number) {
    super(`the shop ledger did not answer within ${waitMs / 1000} s`);
  }
}

/** Other benches' tags of a work order's lines, or why they are not known now. */
export async function otherBenchesTags(shop: ShopService, benchId: string, workOrder: string, waitMs = WAIT_MS): Promise<OtherBenches> {
  const started = Date.now();
  const asked = await otherBenchesJobs(shop, benchId, workOrder, waitMs);
  if ('unknown' in asked) return asked;
  const lines = new Map<number, LineTags>();
  for (const { job: j, line, tags } of asked.jobs) {
    const last = { jobId: `${j.benchId}/${j.id}`, at: j.finishedAt ?? j.createdAt, printerId: j.printerId, state: j.state as JobState, bench: j.benchId };
    const l = lines.get(line) ?? noTags(line, last);
    // Counted printed once done: the ledger has a job as it was when it ended, not the printer's later answers (its
    // labels still in a Zebra's memory then are not followed there).
    addTags(l, j.state as JobState, tags);
    l.jobs += 1;
    l.last = last;
    lines.set(line, l);
  }
  // What each line's newest tags were made from, for what has changed since; within what is left of the wait, and
  // without it the tags are still counted.
  const newest = [...lines.values()].map((l) => l.last);
  const made = await askLedger(shop, () => shop.ledger.printedWith(newest.map((last) => ({ benchId: last.bench!, id: last.jobId.slice(last.bench!.length + 1) }))), Math.max(100, waitMs - (Date.now() - started)));
  if ('answer' in made) {
    for (const last of newest) {
      const line = made.answer.get(last.jobId);
      if (line) last.printedWith = line;
    }
  }
  return { lines };
}

/**
 * The tags each other bench made for one line, for the check before a request numbers the rest of it: a kiosk page
 * opened before another bench printed part of the line would otherwise number its tags from 1 again.
 */
export async function otherBenchesLineTags(shop: ShopService, benchId: string, workOrder: string, lineNumber: number, waitMs = WAIT_MS): Promise<{ benches: Array<{ bench: string; tags: number }> } | { unknown: string }> {
  const asked = await otherBenchesJobs(shop, benchId, workOrder, waitMs);
  if ('unknown' in asked) return asked;
  const benches = new Map<string, number>();
  for (const { job, line, tags } of asked.jobs) if (line === lineNumber) benches.set(job.benchId, (benches.get(job.benchId) ?? 0) + tags);
  return { benches: [...benches].map(([bench, tags]) => ({ bench, tags })) };
}

/** Other benches' jobs that count as a line's tags, oldest first, or why they are not known now. */
async function otherBenchesJobs(shop: ShopService, benchId: string, workOrder: string, waitMs: number): Promise<{ jobs: Array<{ job: ShopJob; line: number; tags: number }> } | { unknown: string }> {
  const asked = await askLedger(shop, () => shop.ledger.searchJobs({ workOrder, limit: 1000 }), waitMs);
  if ('unknown' in asked) return asked;
  // Newest first from the ledger; given oldest first so that the last one counted is the newest.
  const counted: Array<{ job: ShopJob; line: number; tags: number }> = [];
  for (const j of [...asked.answer].reverse()) {
    if (j.benchId === benchId || j.lineNumber === undefined || j.lineNumber === null) continue;
    if (!countsAsTags({ kind: j.kind, isReprint: j.isReprint, state: j.state as JobState, partsSent: j.partsSent ?? 0 })) continue;
    counted.push({ job: j, line: j.lineNumber, tags: j.serials.length || j.partsTotal });
  }
  return { jobs: counted };
}

/** The lines of these work orders that other benches have printed tags for (the kiosk's list), or why not known. */
export async function otherBenchesTaggedLines(shop: ShopService, benchId: string, workOrders: readonly string[], waitMs = WAIT_MS): Promise<{ lines: Map<string, Set<number>> } | { unknown: string }> {
  const asked = await askLedger(shop, () => shop.ledger.tagJobsOf(workOrders, benchId), waitMs);
  if ('unknown' in asked) return asked;
  const lines = new Map<string, Set<number>>();
  for (const j of asked.answer) {
    if (!countsAsTags({ kind: 'labels', isReprint: false, state: j.state as JobState, partsSent: 0 })) continue;
    lines.set(j.workOrderNumber, (lines.get(j.workOrderNumber) ?? new Set()).add(j.lineNumber));
  }
  return { lines };
}

/** The ledger's answer, unless it is known to be away or does not answer within `waitMs`: then why not. */
async function askLedger<T>(shop: ShopService, ask: () => Promise<T>, waitMs: number): Promise<{ answer: T } | { unknown: string }> {
  const status = shop.status();
  if (status.state === 'starting') return { unknown: 'the station is still connecting to the shop ledger' };
  if (status.state === 'unreachable') return { unknown: `the shop ledger cannot be reached${status.lastError ? ` (${status.lastError})` : ''}` };
  let timer: NodeJS.Timeout | undefined;
  try {
    return {
      answer: await Promise.race([
        ask(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new LedgerTooSlow(waitMs)), waitMs);
        }),
      ]),
    };
  } catch (err) {
    return { unknown: err instanceof LedgerTooSlow ? err.message : `the shop ledger could not be asked (${describeError(err)})` };
  } finally {
    clearTimeout(timer);
  }
}

/** This bench's lines and other benches', together: counts added, the newest job last. */
export function mergeLineTags(own: ReadonlyMap<number, LineTags>, others: ReadonlyMap<number, LineTags>): Map<number, LineTags> {
  const merged = new Map<number, LineTags>(own);
  for (const [line, o] of others) {
    const m = merged.get(line);
    if (!m) {
      merged.set(line, o);
      continue;
    }
    merged.set(line, {
      lineNumber: line,
      printed: m.printed + o.printed,
      inPrinter: m.inPrinter + o.inPrinter,
      underWay: m.underWay + o.underWay,
      inDoubt: m.inDoubt + o.inDoubt,
      jobs: m.jobs + o.jobs,
      last: o.last.at > m.last.at ? o.last : m.last,
    });
  }
  return merged;
}
