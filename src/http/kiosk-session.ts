// The kiosk's session: a cookie the station sets when a bench device opens the kiosk, signed and bound to that
// device's address. HttpOnly and SameSite=Strict: no other page's script reads it and no other site's request carries it.
import { performance } from 'node:perf_hooks';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { Store } from '../store/store.js';

export const KIOSK_COOKIE = 'benchprint_kiosk';

/** The station's signing key, made once and kept in its store (sessions survive a restart). */
export function kioskSecret(store: Store): Buffer {
  const row = store.db.prepare("SELECT value FROM station_meta WHERE key = 'kiosk_session_key'").get() as { value: string } | undefined;
  if (row) return Buffer.from(row.value, 'hex');
  const key = randomBytes(32);
  store.db
    .prepare("INSERT INTO station_meta (key, value, updated_at) VALUES ('kiosk_session_key', ?, ?) ON CONFLICT (key) DO NOTHING")
    .run(key.toString('hex'), new Date().toISOString());
  return kioskSecret(store);
}

export class KioskSessions {
  constructor(private readonly secret: Buffer) {}

  private sign(address: string, nonce: string): string {
    return createHmac('sha256', this.secret).update(`${address}\u0000${nonce}`).digest('base64url');
  }

  /** Whether the request carries a session the station gave this address. */
  valid(c: Context, address: string): boolean {
    const value = getCookie(c, KIOSK_COOKIE);
    const [nonce, mac] = value?.split('.') ?? [];
    if (!nonce || !mac) return false;
    const expected = Buffer.from(this.sign(address, nonce));
    const given = Buffer.from(mac);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  /** Sets a session for this address (a bench device opening a kiosk page). */
  issue(c: Context, address: string, secure: boolean): void {
    const nonce = randomBytes(12).toString('base64url');
    setCookie(c, KIOSK_COOKIE, `${nonce}.${this.sign(address, nonce)}`, { httpOnly: true, sameSite: 'Strict', path: '/', secure });
  }
}

/** Wrong admin PINs per address: five are free, then each locks the PIN for 30 s, doubling, up to an hour. */
export class PinAttempts {
  private readonly failures = new Map<string, { count: number; lockedUntil: number }>();

  /** The monotonic clock: setting the PC's clock back neither lengthens a lockout nor, forward, lifts it. */
  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Seconds until this address may try again, or 0. */
  lockedFor(address: string): number {
    const f = this.failures.get(address);
    return f && f.lockedUntil > this.now() ? Math.ceil((f.lockedUntil - this.now()) / 1000) : 0;
  }

  /** Records a wrong PIN; returns the failures so far and the lockout it earned (seconds, 0 for none). */
  fail(address: string): { count: number; lockSeconds: number } {
    const f = this.failures.get(address) ?? { count: 0, lockedUntil: 0 };
    f.count++;
    const lockSeconds = f.count < 5 ? 0 : Math.min(3600, 30 * 2 ** (f.count - 5));
    f.lockedUntil = this.now() + lockSeconds * 1000;
    this.failures.set(address, f);
    if (this.failures.size > 10_000) this.failures.clear();
    return { count: f.count, lockSeconds };
  }

  succeed(address: string): void {
    this.failures.delete(address);
  }
}
