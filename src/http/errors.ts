// The one place errors become HTTP responses: {error:{code,message}} with the error's status, never a stack trace.
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isStationError, type StationError } from '../errors.js';
import { storeError } from '../store/store.js';
import type { Logger } from '../logger.js';

export interface ErrorBody {
  error: { code: string; message: string; retryable?: boolean; details?: unknown };
}

export function errorBody(code: string, message: string, extra: Partial<ErrorBody['error']> = {}): ErrorBody {
  return { error: { code, message, ...extra } };
}

/** The body a station error answers with (its advice as the message). */
export function stationErrorBody(err: StationError): ErrorBody {
  return errorBody(err.code, err.advice, { retryable: err.retryable, ...(err.details === undefined ? {} : { details: err.details }) });
}

export function onError(logger: Logger): ErrorHandler {
  return function handleError(err: Error, c: Context) {
    if (isStationError(err)) {
      if (err.status >= 500) logger.error({ code: err.code, path: c.req.path, err: err.message }, 'request error');
      const wait = (err.details as { retryAfterSec?: unknown } | undefined)?.retryAfterSec;
      if (typeof wait === 'number') c.header('Retry-After', String(wait));
      return c.json(stationErrorBody(err), err.status);
    }
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      const code = status === 413 ? 'BODY_TOO_LARGE' : status === 401 ? 'UNAUTHORIZED' : status === 403 ? 'FORBIDDEN' : status === 408 ? 'TIMEOUT' : 'BAD_REQUEST';
      return c.json(errorBody(code, err.message || defaultMessage(status)), status);
    }
    // The database failing under a request (disk full, locked, damaged) is the station's state, not a bug.
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) {
      const store = storeError(err, 'the station database');
      logger.error({ code: store.code, path: c.req.path, err: err.message }, 'database error');
      return c.json(errorBody(store.code, store.advice, { retryable: store.retryable }), store.code === 'STORE_FULL' ? 507 : 503);
    }
    // A bug: log it in full here, answer without internals.
    logger.error({ path: c.req.path, err }, 'unexpected error');
    return c.json(errorBody('INTERNAL', 'The station hit an unexpected error. It has been logged; try again, and report it if it repeats.'), 500);
  };
}

export const notFound: NotFoundHandler = function handleNotFound(c) {
  return c.json(errorBody('NOT_FOUND', `Nothing at ${c.req.method} ${c.req.path}. The API lives under /api/v1 and the kiosk at /kiosk.`), 404);
};

function defaultMessage(status: number): string {
  return status === 413 ? 'The request body is too large.' : `Request refused (${status}).`;
}
