// Other benches' tags on a work order's lines: the bench does not wait for a ledger it knows is away, nor long for one
// that does not answer; it says why they are not known. Counted by the same rule as this bench's own.
import { describe, expect, it } from 'vitest';
import type { ShopJob } from '../../src/shop/ledger.js';
import { mergeLineTags, otherBenchesTags } from '../../src/shop/line-tags.js';
import type { ShopService } from '../../src/shop/service.js';
import { shippedJob } from '../helpers/ledger.js';

/** A shop whose ledger answers with `jobs` after `delayMs` (never, when undefined), in the given state. */
function shop(state: string, jobs: ShopJob[], delayMs: number | undefined): ShopService {
  return {
    status: () => ({ state, lastError: state === 'unreachable' ? 'connect ECONNREFUSED 10.0.0.9:5432' : undefined }),
    ledger: { searchJobs: () => new Promise((resolve) => delayMs !== undefined && setTimeout(resolve, delayMs, jobs)) },
  } as unknown as ShopService;
}
const job = (bench: string, id: string, over: Parameters<typeof shippedJob>[1] = {}): ShopJob => {
  const { labelData: _, seq: __, printedWith: ___, ...rest } = shippedJob(id, over);
  return { ...rest, benchId: bench, hasLabelData: false };
};

describe("other benches' tags", () => {
  it('are counted per line by how far they came, leaving out this bench, reprints and jobs that printed nothing', async () => {
    // Newest first, as the ledger gives them. Line 40's job was shipped as it ended, with 3 of its 4 labels still in
    // the Zebra's memory: the ledger is not told when they come out, so done counts as printed.
    const jobs = [
      job('bench-3', 'c', { lineNumber: 40, serials: ['s6', 's7', 's8', 's9'], partsTotal: 4, partsConfirmed: 4, partsPrinted: 1, createdAt: '2026-12-03T09:30:00Z' }),
      job('bench-2', 'b', { lineNumber: 10, state: 'needs-attention', serials: ['s3', 's4', 's5'], createdAt: '2026-12-03T09:00:00Z' }),
      job('bench-2', 'r', { lineNumber: 10, isReprint: true, serials: ['s1'] }),
      job('bench-2', 'x', { lineNumber: 20, state: 'failed', partsSent: 0 }),
      job('bench-1', 'mine', { lineNumber: 20 }),
      job('bench-2', 'a', { lineNumber: 10, serials: ['s1', 's2'], createdAt: '2026-12-03T08:00:00Z', finishedAt: '2026-12-03T08:00:04Z' }),
    ];
    const found = await otherBenchesTags(shop('connected', jobs, 5), 'bench-1', 'WO-1');
    expect('lines' in found && [...found.lines.values()]).toEqual([
      { lineNumber: 10, printed: 2, inPrinter: 0, underWay: 0, inDoubt: 3, jobs: 2, last: { jobId: 'bench-2/b', at: '2026-12-03T09:00:00Z', printerId: 'tags', state: 'needs-attention', bench: 'bench-2' } },
      { lineNumber: 40, printed: 4, inPrinter: 0, underWay: 0, inDoubt: 0, jobs: 1, last: { jobId: 'bench-3/c', at: '2026-12-03T09:30:00Z', printerId: 'tags', state: 'done', bench: 'bench-3' } },
    ]);
    // Beside this bench's own line 10 (an older job): added up, the newest last.
    const own = new Map([[10, { lineNumber: 10, printed: 8, inPrinter: 0, underWay: 0, inDoubt: 0, jobs: 1, last: { jobId: 'j', at: '2026-12-03T07:00:00Z', printerId: 'tags', state: 'done' as const } }]]);
    expect(mergeLineTags(own, 'lines' in found ? found.lines : new Map()).get(10)).toMatchObject({ printed: 10, inDoubt: 3, jobs: 3, last: { bench: 'bench-2' } });
  });

  it('are not asked for when the ledger is known to be away, and not waited for past the limit', async () => {
    const started = Date.now();
    expect(await otherBenchesTags(shop('unreachable', [], undefined), 'bench-1', 'WO-1')).toEqual({ unknown: 'the shop ledger cannot be reached (connect ECONNREFUSED 10.0.0.9:5432)' });
    expect(await otherBenchesTags(shop('starting', [], undefined), 'bench-1', 'WO-1')).toEqual({ unknown: 'the station is still connecting to the shop ledger' });
    expect(Date.now() - started).toBeLessThan(100);
    const hung = await otherBenchesTags(shop('connected', [], undefined), 'bench-1', 'WO-1', 200);
    expect(hung).toEqual({ unknown: 'the shop ledger did not answer within 0.2 s' });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
