// Who is asking: a named bearer token (scopes read/print/admin, compared in constant time), the kiosk (a bench
// device's browser with the session the kiosk page gave it), or anonymous. An address alone earns nothing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { StationError } from '../errors.js';
import type { ApiToken } from '../config/schema.js';
import type { Logger } from '../logger.js';
import { clientOf, isLoopback } from './client.js';
import type { KioskSessions, PinAttempts } from './kiosk-session.js';

export { isLoopback } from './client.js';

export type Scope = 'read' | 'print' | 'admin';

export interface Principal {
  kind: 'token' | 'kiosk' | 'anonymous';
  /** Shown in history: the token's name, or "kiosk". */
  name: string;
  scopes: readonly Scope[];
}

export type AuthVariables = { principal: Principal; benchDevice: boolean; clientAddress: string | undefined };

const digest = (s: string) => createHash('sha256').update(s).digest();

export function remoteAddress(c: Context): string | undefined {
  return (c as Context<{ Variables: AuthVariables }>).get('clientAddress');
}

export interface AuthOptions {
  tokens: readonly ApiToken[];
  /** LAN devices whose browser may be the kiosk; this PC always may. */
  kioskAddresses: readonly string[];
  adminPin: string | undefined;
  anonymousRead: boolean;
  trustProxy: boolean;
  sessions: KioskSessions;
  pins: PinAttempts;
  logger: Logger;
}

export function authenticate(o: AuthOptions): MiddlewareHandler<{ Variables: AuthVariables }> {
  const kiosks = new Set(o.kioskAddresses);
  const pinHash = o.adminPin ? digest(o.adminPin) : undefined;
  // Hash both sides so the comparison takes the same time whatever the lengths.
  const known = o.tokens.filter((t) => t.token).map((t) => ({ ...t, hash: digest(t.token!) }));
  return async function authenticateMiddleware(c, next) {
    const client = clientOf(c, o.trustProxy);
    // A bench device: this PC or a configured kiosk, reached directly (or through our own proxy).
    const benchDevice = !client.viaUntrustedProxy && (isLoopback(client.address) || kiosks.has(client.address ?? ''));
    c.set('benchDevice', benchDevice);
    c.set('clientAddress', client.address);
    const header = c.req.header('authorization');
    if (header !== undefined) {
      const presented = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
      const hash = presented ? digest(presented) : undefined;
      const match = hash ? known.find((t) => timingSafeEqual(t.hash, hash)) : undefined;
      if (!match) throw new StationError('UNAUTHORIZED', 'The bearer token is not valid.', { status: 401, hint: 'Send Authorization: Bearer <token> with a token from the station config.' });
      c.set('principal', { kind: 'token', name: match.name, scopes: match.scopes });
    } else if (benchDevice && o.sessions.valid(c, client.address!)) {
      // The kiosk: the admin PIN turns it into an admin for this request.
      const pin = c.req.header('x-admin-pin');
      const admin = pin !== undefined && checkPin(o, pinHash, pin, client.address!);
      c.set('principal', { kind: 'kiosk', name: 'kiosk', scopes: admin ? ['read', 'print', 'admin'] : ['read', 'print'] });
    } else {
      c.set('principal', { kind: 'anonymous', name: 'anonymous', scopes: o.anonymousRead ? ['read'] : [] });
    }
    await next();
  };
}

/** A PIN is checked only while its address is not locked out; every wrong one is logged. */
function checkPin(o: AuthOptions, pinHash: Buffer | undefined, pin: string, address: string): boolean {
  const locked = o.pins.lockedFor(address);
  if (locked > 0) {
    throw new StationError('ADMIN_PIN_LOCKED', `Too many wrong admin PINs from this device: try again in ${locked} s.`, { status: 429, retryable: true, details: { retryAfterSec: locked } });
  }
  if (!pinHash) {
    throw new StationError('NO_ADMIN_PIN', 'This station has no admin PIN, so admin actions are off.', {
      status: 403,
      hint: 'Set auth.adminPin in the config (or BENCHPRINT_ADMIN_PIN) and restart the station.',
    });
  }
  if (timingSafeEqual(pinHash, digest(pin))) {
    o.pins.succeed(address);
    return true;
  }
  const { count, lockSeconds } = o.pins.fail(address);
  o.logger[lockSeconds ? 'error' : 'warn']({ address, failures: count, lockSeconds }, lockSeconds ? 'wrong admin PIN: locked out' : 'wrong admin PIN');
  throw new StationError('FORBIDDEN', lockSeconds ? `That admin PIN is not right. Too many wrong PINs: locked for ${lockSeconds} s.` : 'That admin PIN is not right.', { status: 403 });
}

export function requireScope(scope: Scope): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async function requireScopeMiddleware(c, next) {
    const p = c.get('principal');
    if (!p.scopes.includes(scope)) {
      if (p.kind === 'anonymous') {
        const hint = c.get('benchDevice') ? 'Open the kiosk page (/kiosk) on this device first, or send Authorization: Bearer <token>.' : 'Send Authorization: Bearer <token>.';
        throw new StationError('UNAUTHORIZED', `This needs a token with the "${scope}" scope, or the kiosk.`, { status: 401, hint });
      }
      throw new StationError('FORBIDDEN', `"${p.name}" may not do this: it needs the "${scope}" scope.`, { status: 403 });
    }
    await next();
  };
}

/** Every read of the API needs the read scope (the API document excepted); changes name their own scope on the route. */
export function readsNeedScope(): MiddlewareHandler<{ Variables: AuthVariables }> {
  const open = new Set(['/api/v1/openapi.json', '/api/v1/docs']);
  const read = requireScope('read');
  return async function readsNeedScopeMiddleware(c, next) {
    if ((c.req.method === 'GET' || c.req.method === 'HEAD') && !open.has(c.req.path)) return read(c, next);
    await next();
  };
}
