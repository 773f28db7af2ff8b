// Guards against a hostile web page on the bench PC: requests for a Host that is not the station's (DNS rebinding),
// and changes that are not same-origin JSON (cross-site "simple" requests need no preflight, so they must be refused).
import type { MiddlewareHandler } from 'hono';
import { StationError } from '../errors.js';
import { clientOf } from './client.js';

/** The station's own names: localhost, the configured ones, and this PC's host name and addresses. */
export function ownHosts(configured: readonly string[], hostName: string, addresses: readonly string[]): Set<string> {
  const names = ['localhost', '127.0.0.1', '::1', hostName, `${hostName}.local`, ...addresses, ...configured];
  return new Set(names.filter(Boolean).map((h) => h.toLowerCase().replace(/^\[|\]$/g, '')));
}

/** Refuses a request for a host that is not the station's (health checks excepted: they carry no data). */
export function guardHost(allowed: ReadonlySet<string>, trustProxy: boolean): MiddlewareHandler {
  return async function guardHostMiddleware(c, next) {
    if (c.req.path === '/healthz') return next();
    const { host } = clientOf(c, trustProxy);
    if (!allowed.has(host)) {
      throw new StationError('HOST_NOT_ALLOWED', `This station does not answer to the name "${host}".`, {
        status: 403,
        hint: 'Open it by its own name or address. To use another name for it, add that name to server.allowedHosts in the config.',
      });
    }
    await next();
  };
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Changes must come from the station's own pages or from programs: a browser always says where a request comes from
 * (Origin, Sec-Fetch-Site), and a page elsewhere is refused; bodies must be JSON, which no cross-site form can send.
 */
export function guardChanges(trustProxy: boolean): MiddlewareHandler {
  return async function guardChangesMiddleware(c, next) {
    if (!UNSAFE.has(c.req.method)) return next();
    const origin = c.req.header('origin');
    const site = c.req.header('sec-fetch-site');
    if ((origin !== undefined && origin.toLowerCase() !== clientOf(c, trustProxy).origin) || (site !== undefined && site !== 'same-origin' && site !== 'none')) {
      throw new StationError('CROSS_SITE_REFUSED', `A change asked for by another site (${origin ?? site}) is refused.`, {
        status: 403,
        hint: "Print from the station's own kiosk, or from a program with an API token.",
      });
    }
    const length = c.req.header('content-length');
    const hasBody = (length !== undefined && length !== '0') || c.req.header('transfer-encoding') !== undefined;
    const type = c.req.header('content-type')?.split(';')[0]!.trim().toLowerCase();
    if ((type !== undefined || hasBody) && type !== 'application/json') {
      throw new StationError('UNSUPPORTED_MEDIA_TYPE', `The request body must be JSON, not ${type ?? 'unlabelled'}.`, { status: 415, hint: 'Send Content-Type: application/json.' });
    }
    await next();
  };
}
