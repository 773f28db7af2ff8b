// Ships a bench's outbox to the shop ledger, in order, in batches, each only once the bench's own disk holds it. An
// event the ledger refuses for its data (or that the bench's store damaged) is set aside and named; the events after it
// ship. What stops shipping altogether (the ledger away, the bench's disk) is thrown to the shop service, which retries.
import { StationError, describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';
import type { Ledger, LedgerEvent, ShippedJob } from './ledger.js';
import type { Outbox } from './outbox.js';
import { isDataError } from './pg.js';

/** Events in one ledger transaction at most; more waiting than this is a bench "behind". */
export const BATCH = 200;

export class OutboxShipper {
  constructor(private readonly o: { outbox: Outbox; ledger: Ledger; store: Store; benchId: string; logger: Logger }) {}

  /** Ships until the outbox is empty or `stop` is aborted. */
  async drain(stop: AbortSignal): Promise<void> {
    while (!stop.aborted) {
      const events = this.o.outbox.pending(BATCH);
      if (events.length === 0) return;
      // The ledger never holds what a power cut of this bench could take back (the bench would then tell its history
      // differently under the same event ids, which the ledger keeps the first of).
      await this.o.store.durable().catch((err: unknown) => {
        throw new StationError('STORE_SYNC_FAILED', `The bench could not make its own history safe on its disk (${describeError(err).replace(/\.$/, '')}), so nothing is sent to the shop ledger until it can.`, {
          status: 503,
          retryable: true,
          hint: "Check the disk holding the station's data; the bench keeps printing.",
          cause: err,
        });
      });
      await this.ship(events);
    }
  }

  /**
   * Ships a batch. If the ledger refuses its data (one event with a value it cannot keep fails the whole transaction),
   * the events go one at a time: the refused one is set aside, named in the log and the status, and the rest ship, so
   * one bad record never holds up the bench's later events (they would wait behind it for ever).
   */
  private async ship(events: readonly LedgerEvent[]): Promise<void> {
    const { outbox, ledger, benchId, logger } = this.o;
    try {
      await ledger.ship(benchId, events);
      outbox.shipped(events.at(-1)!.seq);
      return;
    } catch (err) {
      if (!isDataError(err)) throw err;
    }
    for (const e of events) {
      let p: Partial<ShippedJob>;
      try {
        p = typeof e.payload === 'string' ? ((JSON.parse(e.payload) as Partial<ShippedJob> | null) ?? {}) : e.payload;
      } catch (err) {
        const why = `its stored payload is damaged (${(err as Error).message})`;
        outbox.refuse(e.seq, why);
        logger.error({ event: e.eventId, kind: e.kind, err: why }, 'an event in the outbox cannot be read; it is set aside (table ledger_refused) and the events after it ship');
        continue;
      }
      try {
        await ledger.ship(benchId, [e]);
        outbox.shipped(e.seq);
      } catch (err) {
        if (!isDataError(err)) throw err;
        const why = describeError((err as { cause?: unknown }).cause ?? err);
        outbox.refuse(e.seq, why);
        logger.error(
          { event: e.eventId, kind: e.kind, ...(p.id ? { job: p.id } : {}), ...(p.workOrderNumber ? { workOrder: p.workOrderNumber } : {}), err: why },
          'the shop ledger refused an event for its data; it is set aside (table ledger_refused) and the events after it ship',
        );
      }
    }
  }
}
