// Builds the station's Hono app from its dependencies; no I/O happens here, so every route is testable in-process.
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { authenticate, readsNeedScope } from './http/auth.js';
import { guardChanges, guardHost } from './http/guards.js';
import { notFound, onError } from './http/errors.js';
import { limitBody } from './http/body-limit.js';
import { requestLog } from './http/request-log.js';
import { apiRoutes } from './routes/index.js';
import { healthRoutes } from './routes/health.js';
import { kioskRoutes } from './kiosk/routes.js';
import { rateLimit } from './http/rate-limit.js';
import { refuseWhileStopping } from './http/stopping.js';

import type { AppDeps, AppEnv } from './deps.js';

export type { AppDeps, AppEnv } from './deps.js';

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requestId());
  app.use('*', requestLog(deps.logger));
  app.use('*', refuseWhileStopping(deps.events));
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
  app.route('/api/v1', apiRoutes(deps));
  // The kiosk shows work-order data: a bench device gets its session there, anyone else needs the read scope.
  app.route('/kiosk', kioskRoutes(deps));
  app.get('/', (c) => c.redirect('/kiosk'));
  app.onError(onError(deps.logger));
  app.notFound(notFound);
  return app;
}
