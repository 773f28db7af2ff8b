// Middleware: one structured log line per request (never headers, bodies or query strings, which may hold secrets).
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../logger.js';

export function requestLog(logger: Logger): MiddlewareHandler {
  return async function requestLogMiddleware(c, next) {
    const started = performance.now();
    await next();
    const status = c.res.status;
    const line = {
      req: c.get('requestId' as never) as string | undefined,
      method: c.req.method,
      path: c.req.path,
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    };
    if (status >= 500) logger.error(line, 'request failed');
    else logger.info(line, 'request');
  };
}
