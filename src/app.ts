// Builds the station's Hono app from its dependencies; no I/O happens here, so every route is testable in-process.
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
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
import type { PrinterAdmin } from './printing/printer-admin.js';
import type { PrinterRegistry } from './printing/registry.js';
import type { Store } from './store/store.js';
import type { WorkOrderCache } from './sync/cache.js';
import type { SyncReport } from './sync/sync.js';
import type { SyncStatusSource } from './sync/types.js';
import { authenticate, readsNeedScope, type AuthVariables } from './http/auth.js';
import { guardChanges, guardHost } from './http/guards.js';
import type { KioskSessions, PinAttempts } from './http/kiosk-session.js';
import { notFound, onError } from './http/errors.js';
import { limitBody } from './http/body-limit.js';
import { requestLog } from './http/request-log.js';
import { healthRoutes } from './routes/health.js';
import { stationRoutes } from './routes/station.js';
import { workOrderRoutes } from './routes/work-orders.js';
import { kioskRoutes } from './kiosk/routes.js';
import { labelRoutes } from './routes/labels.js';
import { printerAdminRoutes } from './routes/printer-admin.js';
import { templateRoutes } from './routes/templates.js';
import { documentRoutes } from './routes/documents.js';
import { jobRoutes } from './routes/jobs.js';
import { eventRoutes } from './routes/events.js';
import { apiDocRoutes } from './routes/api-docs.js';
import { shopRoutes } from './routes/shop.js';
import { rateLimit } from './http/rate-limit.js';

export interface AppDeps {
  config: StationConfig;
  configSource: ConfigSource;
  logger: Logger;
  store: Store;
  printers: PrinterRegistry;
  printerAdmin: PrinterAdmin;
  workOrders: WorkOrderCache;
  sync: SyncStatusSource & { syncOnce(signal?: AbortSignal): Promise<SyncReport> };
  events: EventBus;
  labels: LabelEngine;
  serials: SerialStore;
  documents: DocumentService;
  jobs: JobStore;
  queue: PrintQueue;
  requests: RequestDeps;
  submissions: Submissions;
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

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requestId());
  app.use('*', requestLog(deps.logger));
  const { trustProxy } = deps.config.server;
  app.use('*', guardHost(deps.security.hosts, trustProxy));
  app.use('*', limitBody(deps.config.server.bodyLimitBytes));
  app.use(
    '*',
    authenticate({
      tokens: deps.config.auth.tokens,
      kioskAddresses: deps.config.auth.kioskAddresses,
      adminPin: deps.config.auth.adminPin,
      anonymousRead: deps.config.auth.anonymousRead,
      trustProxy,
      sessions: deps.security.sessions,
      pins: deps.security.pins,
      logger: deps.logger,
    }),
  );
  app.use('*', guardChanges(trustProxy));
  app.use('/api/*', rateLimit(deps.config.auth.rateLimitPerMinute));
  app.use('/api/*', readsNeedScope());
  app.route('/', healthRoutes(deps));
  app.route('/api/v1', stationRoutes(deps));
  app.route('/api/v1/workorders', workOrderRoutes(deps));
  app.route('/api/v1', templateRoutes(deps));
  app.route('/api/v1', printerAdminRoutes(deps));
  app.route('/api/v1', labelRoutes(deps));
  app.route('/api/v1', documentRoutes(deps));
  app.route('/api/v1', jobRoutes(deps));
  app.route('/api/v1', eventRoutes(deps));
  app.route('/api/v1', shopRoutes(deps));
  app.route('/api/v1', apiDocRoutes(deps));
  // The kiosk shows work-order data: a bench device gets its session there, anyone else needs the read scope.
  app.route('/kiosk', kioskRoutes(deps));
  app.get('/', (c) => c.redirect('/kiosk'));
  app.onError(onError(deps.logger));
  app.notFound(notFound);
  return app;
}
