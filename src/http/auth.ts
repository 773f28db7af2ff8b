// Who is asking: a named bearer token (scopes read/print/admin, compared in constant time) or the kiosk on this PC.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { StationError } from '../errors.js';
import type { ApiToken } from '../config/schema.js';

export type Scope = 'read' | 'print' | 'admin';

export interface Principal {
  kind: 'token' | 'kiosk' | 'anonymous';
  /** Shown in history: the token's name, or "kiosk". */
  name: string;
  scopes: readonly Scope[];
}

export type AuthVariables = { principal: Principal };

const digest = (s: string) => createHash('sha256').update(s).digest();

export function remoteAddress(c: Context): string | undefined {
  return (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;
}

export function isLoopback(address: string | undefined): boolean {
  return !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

export function authenticate(tokens: readonly ApiToken[], kioskAddresses: readonly string[] = [], adminPin?: string, anonymousRead = true): MiddlewareHandler<{ Variables: AuthVariables }> {
  const kiosks = new Set(kioskAddresses.flatMap((a) => [a, `::ffff:${a}`]));
  const pinHash = adminPin ? digest(adminPin) : undefined;
  // Hash both sides so the comparison takes the same time whatever the lengths.
  const known = tokens.filter((t) => t.token).map((t) => ({ ...t, hash: digest(t.token!) }));
  return async function authenticateMiddleware(c, next) {
    const header = c.req.header('authorization');
    if (header !== undefined) {
      const presented = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
      const hash = presented ? digest(presented) : undefined;
      const match = hash ? known.find((t) => timingSafeEqual(t.hash, hash)) : undefined;
      if (!match) throw new StationError('UNAUTHORIZED', 'The bearer token is not valid.', { status: 401, hint: 'Send Authorization: Bearer <token> with a token from the station config.' });
      c.set('principal', { kind: 'token', name: match.name, scopes: match.scopes });
    } else if (isLoopback(remoteAddress(c)) || kiosks.has(remoteAddress(c) ?? '')) {
      // At the bench, the admin PIN turns the kiosk into an admin for this request.
      const pin = c.req.header('x-admin-pin');
      if (pin !== undefined && !(pinHash && timingSafeEqual(pinHash, digest(pin)))) {
        throw new StationError('FORBIDDEN', 'That admin PIN is not right.', { status: 403 });
      }
      c.set('principal', pin !== undefined ? { kind: 'kiosk', name: 'kiosk', scopes: ['read', 'print', 'admin'] } : { kind: 'kiosk', name: 'kiosk', scopes: ['read', 'print'] });
    } else {
      c.set('principal', { kind: 'anonymous', name: 'anonymous', scopes: anonymousRead ? ['read'] : [] });
    }
    await next();
  };
}

export function requireScope(scope: Scope): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async function requireScopeMiddleware(c, next) {
    const p = c.get('principal');
    if (!p.scopes.includes(scope)) {
      if (p.kind === 'anonymous') throw new StationError('UNAUTHORIZED', `This action needs a token with the "${scope}" scope.`, { status: 401, hint: 'Send Authorization: Bearer <token>.' });
      throw new StationError('FORBIDDEN', `"${p.name}" may not do this: it needs the "${scope}" scope.`, { status: 403 });
    }
    await next();
  };
}

/** Every read of the API needs the read scope; changes name their own scope on the route. */
export function readsNeedScope(): MiddlewareHandler<{ Variables: AuthVariables }> {
  const open = new Set(['/api/v1/openapi.json', '/api/v1/docs']);
  const read = requireScope('read');
  return async function readsNeedScopeMiddleware(c, next) {
    if ((c.req.method === 'GET' || c.req.method === 'HEAD') && !open.has(c.req.path)) return read(c, next);
    await next();
  };
}
