// The real station as a child process against its sandbox and loopback printer doubles, with the checks every
// resilience scenario ends with: no job lost, no label silently doubled, every needs-attention job explained.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { startZebraPrinter, type ZebraDouble } from '../doubles/zebra-printer.js';
import { runStation, type Child } from '../helpers/child.js';
import { tempDir } from '../helpers/temp.js';

export interface Running {
  child: Child;
  url: string;
  sandbox: string;
}

export interface JobView {
  id: string;
  state: string;
  requestedBy: string;
  workOrderNumber?: string;
  partsTotal: number;
  partsSent: number;
  serials: string[];
  attention?: string;
  error?: string;
  isReprint: boolean;
}

/** The tests talk to the station as a program on the LAN would: with a token (an address alone earns nothing). */
export const TEST_TOKEN = 'resilience-test-token-0123456789ab';

export function writeConfig(dir: string, printers: unknown[], extra: Record<string, unknown> = {}): string {
  const path = join(dir, 'config.json');
  writeFileSync(
    path,
    JSON.stringify({
      station: { dataDir: join(dir, 'data') },
      server: { host: '127.0.0.1', port: 0, shutdownGraceMs: 2000 },
      goldleaf: { sandbox: true, maxRetries: 1, retryBaseMs: 100, retryMaxMs: 2000, requestTimeoutMs: 2000 },
      sync: { intervalSec: 5, maxBackoffSec: 10 },
      queue: { retryBaseMs: 200, retryMaxMs: 1000 },
      auth: { tokens: [{ name: 'tester', token: TEST_TOKEN, scopes: ['read', 'print'] }] },
      printers,
      ...extra,
    }),
  );
  return path;
}

/**
 * For a test file: a function that starts a station process whose one printer, "tags" ("Tag printer"), is a Zebra
 * double with the given driver options; `extra` goes into each station's config. Both stop after each test.
 */
export function zebraBenches(prefix: string, extra: Record<string, unknown>): (options?: Record<string, unknown>) => Promise<ZebraBench> {
  const root = tempDir(prefix);
  let n = 0;
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  });
  return async (options = {}) => {
    const zebra = await startZebraPrinter();
    cleanup.push(() => zebra.close());
    const dir = join(root, String(++n));
    mkdirSync(dir, { recursive: true });
    const printer = { id: 'tags', name: 'Tag printer', driver: 'zpl', uri: zebra.uri, options: { writeTimeoutMs: 3000, connectTimeoutMs: 500, statusTimeoutMs: 500, ...options } };
    const config = writeConfig(dir, [printer], extra);
    const r = await boot(config);
    cleanup.push(() => stop(r));
    const killAndRestart = async (meanwhile: () => void = () => undefined) => {
      r.child.proc.kill('SIGKILL');
      await r.child.exit();
      meanwhile();
      const again = await boot(config);
      cleanup.push(() => stop(again));
      return again;
    };
    return { r, zebra, killAndRestart };
  };
}

export interface ZebraBench {
  r: Running;
  zebra: ZebraDouble;
  /** Kills the station (SIGKILL: no goodbye), runs `meanwhile`, and starts it again on the same data. */
  killAndRestart(meanwhile?: () => void): Promise<Running>;
}

export async function boot(config: string, env: Record<string, string> = {}): Promise<Running> {
  const child = runStation([], { BENCHPRINT_CONFIG: config, ...env });
  const ready = await child.waitFor((l) => String(l.msg).startsWith('benchprint ready'), 30_000);
  const url = (ready.kiosk as string[])[0]!.replace('/kiosk', '');
  const sandbox = String((child.lines.find((l) => typeof l.goldleaf === 'string' && String(l.goldleaf).includes('/api/v1'))?.goldleaf) ?? '').replace(/\/api\/v1$/, '');
  await child.waitFor((l) => l.msg === 'sync done' || l.msg === 'sync failed; serving cached work orders', 30_000);
  return { child, url, sandbox };
}

export async function stop(r: Running): Promise<void> {
  r.child.proc.kill('SIGTERM');
  await r.child.exit();
}

export const json = async <T = any>(url: string, init: RequestInit = {}): Promise<{ status: number; body: T }> => {
  const res = await fetch(url, { ...init, headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(init.headers as Record<string, string> | undefined) } });
  const text = await res.text();
  let body: T;
  try {
    body = JSON.parse(text) as T;
  } catch {
    body = text as T;
  }
  return { status: res.status, body };
};

export const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  json(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

export async function settle(r: Running, timeoutMs = 30_000): Promise<JobView[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await json<{ items: JobView[] }>(`${r.url}/api/v1/jobs?limit=10000`);
    if (!body.items.some((j) => j.state === 'queued' || j.state === 'printing') || Date.now() > deadline) return body.items;
    await new Promise((res) => setTimeout(res, 200));
  }
}

/** Labels that came out of a ZPL double (its printed formats), counted by the serial in their Code 128. */
export function labelsBySerial(printed: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const label of printed) {
    const serial = /\^BC[^\n]*?\^FD([A-Z0-9]+)\^FS/.exec(label)?.[1];
    if (serial) counts.set(serial, (counts.get(serial) ?? 0) + 1);
  }
  return counts;
}

/** What every scenario must end with. */
export async function expectSound(r: Running, jobs: JobView[], received: Map<string, number>): Promise<void> {
  expect((await json(`${r.url}/healthz`)).status).toBe(200);
  for (const j of jobs) {
    expect(['done', 'needs-attention', 'failed', 'cancelled', 'expired'], `job ${j.id}`).toContain(j.state);
    // What the printer confirmed, what is in doubt and what never arrived, or for one document: that it may not have.
    if (j.state === 'needs-attention') expect(j.attention, `job ${j.id}`).toMatch(/confirmed by the printer|confirmed no label|may or may not have printed/);
    if (j.state === 'failed' || j.state === 'expired') expect(j.error ?? j.attention ?? '', `job ${j.id}`).not.toBe('');
  }
  // A label may come out twice only when someone asked for a reprint of it.
  const reprinted = new Set(jobs.filter((j) => j.isReprint).flatMap((j) => j.serials));
  for (const [serial, count] of received) if (!reprinted.has(serial)) expect(count, `serial ${serial}`).toBe(1);
}
