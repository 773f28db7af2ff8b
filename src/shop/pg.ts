// The only code that talks to PostgreSQL: a small pool with timeouts, and its failures in words that say what to fix.
import type pg from 'pg';
import { StationError } from '../errors.js';
import { lazy } from '../lib/lazy.js';

// Loaded when a ledger is configured: a single bench never needs it (~3 MB of heap).
const pgLib = lazy<typeof pg>('pg');

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/** The URL without its password, for messages and logs. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(not a URL)';
  }
}

export function createPool(url: string, o: { connectTimeoutMs: number; queryTimeoutMs: number; max?: number }): Pool {
  const pool = new (pgLib().Pool)({
    connectionString: url,
    connectionTimeoutMillis: o.connectTimeoutMs,
    query_timeout: o.queryTimeoutMs,
    statement_timeout: o.queryTimeoutMs,
    idleTimeoutMillis: 30_000,
    max: o.max ?? 4,
    application_name: 'benchprint',
  });
  // An idle connection dropped by the server must not crash the station: the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Text as PostgreSQL can keep it: it refuses the NUL character in text and JSON alike, and data from GoldLeaf or a
 * request may carry one. It becomes U+FFFD, as an unreadable character does elsewhere.
 */
export const pgText = (s: string): string => (s.includes('\u0000') ? s.replaceAll('\u0000', '\uFFFD') : s);

/** JSON for a jsonb parameter, with pgText applied to every string (the common case costs one search of the text). */
export function pgJson(value: unknown): string {
  const json = JSON.stringify(value);
  return json.includes('\\u0000') ? JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' ? pgText(v) : v)) : json;
}

/**
 * Whether PostgreSQL refused the data itself (a value it cannot take: a number too large, text where a number goes),
 * as opposed to the connection or the server: sending the same again fails the same way.
 */
export function isDataError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^(22|23502|23514|42804)/.test(code)) return true;
  }
  return false;
}

/** Maps a PostgreSQL or network failure to what the shop should do about it. */
export function ledgerError(err: unknown, url: string): StationError {
  if (err instanceof StationError) return err;
  const e = err as { code?: string; message?: string };
  const where = safeUrl(url);
  const message = e.message ?? String(err);
  const fail = (code: string, text: string, hint: string, retryable = true) => new StationError(code, text, { status: 503, retryable, hint, cause: err });
  switch (e.code) {
    case '28P01':
    case '28000':
      return fail('LEDGER_AUTH', `The shop ledger at ${where} refused the login (${message}).`, 'Check the user and password in shop.databaseUrl (BENCHPRINT_SHOP_DATABASE_URL).', false);
    case '3D000':
      return fail('LEDGER_NO_DATABASE', `The shop ledger's database does not exist at ${where}.`, 'Create it (createdb <name>) or fix the database name in shop.databaseUrl.', false);
    case '42501':
      return fail('LEDGER_PERMISSION', `The shop ledger's user may not do this at ${where} (${message}).`, 'Give the user ownership of the ledger database (or CREATE and USAGE on its schema).', false);
    case 'ECONNREFUSED':
      return fail('LEDGER_UNREACHABLE', `Nothing answers at ${where} (connection refused).`, 'Is PostgreSQL running there, and listening on that address and port?');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return fail('LEDGER_UNREACHABLE', `The shop ledger's host in ${where} cannot be found.`, 'Check the host name in shop.databaseUrl and the network.');
    case '57P01':
    case '57P03':
      return fail('LEDGER_UNREACHABLE', `The shop ledger at ${where} is shutting down or starting (${message}).`, 'The bench keeps printing and catches up when it is back.');
  }
  if (/timeout|terminat|ECONNRESET|EPIPE|Connection terminated/i.test(message)) {
    return fail('LEDGER_UNREACHABLE', `The shop ledger at ${where} did not answer (${message}).`, 'The bench keeps printing and catches up when it is back.');
  }
  return fail('LEDGER_ERROR', `The shop ledger at ${where} failed: ${message}`, 'The bench keeps printing; see the log.');
}

/** Runs `work` in one transaction on a client of the pool. */
export async function transaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
