// Middleware: a token bucket per API token (or per address without one), so one busy client cannot starve the bench.
import type { MiddlewareHandler } from 'hono';
import type { AuthVariables } from './auth.js';
import { remoteAddress } from './auth.js';
import { errorBody } from './errors.js';

export function rateLimit(perMinute: number, now: () => number = Date.now): MiddlewareHandler<{ Variables: AuthVariables }> {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refill = perMinute / 60_000;
  return async function rateLimitMiddleware(c, next) {
    const p = c.get('principal');
    if (p.kind === 'kiosk') return next(); // the bench itself is never throttled
    const key = p.kind === 'token' ? `token:${p.name}` : `ip:${remoteAddress(c) ?? 'unknown'}`;
    const t = now();
    const bucket = buckets.get(key) ?? { tokens: perMinute, at: t };
    bucket.tokens = Math.min(perMinute, bucket.tokens + (t - bucket.at) * refill);
    bucket.at = t;
    if (bucket.tokens < 1) {
      buckets.set(key, bucket);
      const wait = Math.ceil((1 - bucket.tokens) / refill / 1000);
      c.header('Retry-After', String(wait));
      return c.json(errorBody('RATE_LIMITED', `Too many requests from ${p.kind === 'token' ? `token "${p.name}"` : 'this address'}: at most ${perMinute} a minute. Try again in ${wait} s.`, { retryable: true }), 429);
    }
    bucket.tokens -= 1;
    buckets.set(key, bucket);
    if (buckets.size > 10_000) buckets.clear();
    await next();
  };
}
