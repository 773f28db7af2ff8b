// The station's in-process event bus: sync, queue and printer changes for the kiosk's live view and the API stream.
import { EventEmitter } from 'node:events';

export type StationEvent =
  | { type: 'workorder.released'; workOrder: { id: string; number: string } }
  | { type: 'workorder.unreleased'; workOrder: { id: string; number: string } }
  | { type: 'sync.completed'; released: number; changed: number; problems: number }
  | { type: 'sync.failed'; error: string; consecutiveFailures: number }
  | { type: 'job.changed'; job: { id: string; printerId: string; state: string; partsSent: number; partsConfirmed: number; partsPrinted?: number; partsTotal: number; workOrderNumber?: string; attention?: string; waitingReason?: string; waitingTurn?: true } }
  | { type: 'job.progress'; job: { id: string; printerId: string; partsSent: number; partsConfirmed: number; partsPrinted?: number; partsTotal: number; printer?: string } }
  | { type: 'queue.paused' | 'queue.resumed'; printerId: string }
  | { type: 'printer.changed'; printer: { id: string; name: string; state: string; detail?: string } }
  /** A printer added, changed, disabled, enabled or removed: where the kiosk sends things may have changed. */
  | { type: 'printers.configured' }
  | { type: 'shop.changed'; state: string }
  | { type: 'station.stopping' };

export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Many kiosk tabs and SSE clients may listen at once.
    this.emitter.setMaxListeners(0);
  }

  emit(event: StationEvent): void {
    this.emitter.emit('event', { ...event, at: new Date().toISOString() });
  }

  /** Subscribes; returns the function that unsubscribes. */
  on(listener: (event: StationEvent & { at: string }) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
