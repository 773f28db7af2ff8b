// What the HTTP side of the station is given: every service a route or a kiosk page may use. Its own module, so
// routes depend on it and not on the app that mounts them.
import type { StationConfig } from './config/schema.js';
import type { ConfigSource } from './config/load.js';
import type { EventBus } from './events.js';
import type { DocumentService } from './documents/service.js';
import type { LabelEngine } from './labels/engine.js';
import type { JobStore } from './queue/job-store.js';
import type { PrintQueue } from './queue/queue.js';
import type { RequestDeps } from './queue/requests.js';
import type { Submissions } from './queue/submissions.js';
import type { ShopService } from './shop/service.js';
import type { SerialStore } from './labels/serials.js';
import type { Logger } from './logger.js';
import type { ShopClock } from './lib/shop-clock.js';
import type { ClockCheck } from './lib/clock-check.js';
import type { PrinterAdmin } from './printing/printer-admin.js';
import type { PrinterRegistry } from './printing/registry.js';
import type { Store } from './store/store.js';
import type { WorkOrderCache } from './sync/cache.js';
import type { LookedAgain, SyncReport } from './sync/sync.js';
import type { SyncStatusSource } from './sync/types.js';
import type { AuthVariables } from './http/auth.js';
import type { KioskSessions, PinAttempts } from './http/kiosk-session.js';

export interface AppDeps {
  config: StationConfig;
  configSource: ConfigSource;
  logger: Logger;
  store: Store;
  printers: PrinterRegistry;
  printerAdmin: PrinterAdmin;
  workOrders: WorkOrderCache;
  sync: SyncStatusSource & { syncOnce(signal?: AbortSignal): Promise<SyncReport>; lookAgain(waitMs?: number): Promise<LookedAgain> };
  events: EventBus;
  labels: LabelEngine;
  serials: SerialStore;
  documents: DocumentService;
  jobs: JobStore;
  queue: PrintQueue;
  requests: RequestDeps;
  submissions: Submissions;
  /** Dates and times as the shop reads them (its time zone). */
  clock: ShopClock;
  /** This PC's clock against GoldLeaf's: whether new tags and dated papers are held. */
  clockCheck?: ClockCheck;
  /** Present when this bench is part of a shop (a shop section in its config). */
  shop?: ShopService;
  security: {
    /** The names this station answers to (Host header), against DNS rebinding. */
    hosts: ReadonlySet<string>;
    sessions: KioskSessions;
    pins: PinAttempts;
  };
}

export type AppEnv = { Variables: AuthVariables };
