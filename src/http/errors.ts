// The one place errors become HTTP responses: {error:{code,message}} with the error's status, never a stack trace.
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isStationError } from '../errors.js';
import type { Logger } from '../logger.js';

export interface ErrorBody {
  error: { code: string; message: string; retryable?: boolean; details?: unknown };
}

export function errorBody(code: string, message: string, extra: Partial<ErrorBody['error']> = {}): ErrorBody {
  return { error: { code, message, ...extra } };
}

export function onError(logger: Logger): ErrorHandler {
  return function handleError(err: Error, c: Context) {
    if (isStationError(err)) {
      if (err.status >= 500) logger.error({ code: err.code, path: c.req.path, err: err.message }, 'request error');
      return c.json(errorBody(err.code, err.advice, { retryable: err.retryable, ...(err.details === undefined ? {} : { details: err.details }) }), err.status);
    }
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      const code = status === 413 ? 'BODY_TOO_LARGE' : status === 401 ? 'UNAUTHORIZED' : status === 403 ? 'FORBIDDEN' : status === 408 ? 'TIMEOUT' : 'BAD_REQUEST';
      return c.json(errorBody(code, err.message || defaultMessage(status)), status);
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
