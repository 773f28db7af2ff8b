// A whole station in-process: demo config on a temp data folder and a free loopback port.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import type { StationConfig } from '../../src/config/schema.js';
import type { Logger } from '../../src/logger.js';
import { silentLogger } from '../../src/logger.js';
import { startStation, type RunningStation } from '../../src/station.js';

export async function demoStation(dataDir: string, patch: (config: StationConfig) => void = () => {}, logger: Logger = silentLogger()): Promise<RunningStation> {
  const loaded = loadConfig(undefined, { BENCHPRINT_DATA_DIR: dataDir, BENCHPRINT_PORT: '0', BENCHPRINT_HOST: '127.0.0.1' });
  patch(loaded.config);
  return startStation(loaded, logger, { startSync: false });
}

/** The env a request from the bench PC itself carries (what @hono/node-server passes). */
export const FROM_LOOPBACK = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };
export const FROM_LAN = { incoming: { socket: { remoteAddress: '192.168.1.77' } } };

type App = RunningStation['app'];

/**
 * Requests as the kiosk in the bench PC's browser: the session cookie it got opening /kiosk and its own origin, as
 * Chromium sends them.
 */
export async function asKiosk(app: App): Promise<(path: string, init?: RequestInit) => Promise<Response>> {
  const opened = await app.request('/kiosk', {}, FROM_LOOPBACK);
  const cookie = opened.headers.get('set-cookie')?.split(';')[0];
  if (!cookie) throw new Error(`the kiosk page set no session (status ${opened.status})`);
  return async (path, init = {}) => app.request(path, { ...init, headers: { cookie, origin: 'http://localhost', ...(init.headers as Record<string, string> | undefined) } }, FROM_LOOPBACK);
}

/** Requests from another PC on the LAN with a bearer token. */
export function asToken(app: App, token: string): (path: string, init?: RequestInit) => Promise<Response> {
  return async (path, init = {}) => app.request(path, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) } }, FROM_LAN);
}

/**
 * Prints a request as the kiosk to a folder printer ("bench", writing to `out`) and returns the one file it made: for
 * tests that read what was printed.
 */
export function printedToFolder(station: RunningStation, out: string, defaults: object = {}): (body: object) => Promise<Buffer> {
  let kiosk: Awaited<ReturnType<typeof asKiosk>> | undefined;
  return async (body) => {
    kiosk ??= await asKiosk(station.app);
    mkdirSync(out, { recursive: true });
    const before = new Set(readdirSync(out));
    const res = await kiosk('/api/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ printer: 'bench', ...defaults, ...body }) });
    if (res.status !== 201) throw new Error(`the station answered ${res.status}: ${await res.text()}`);
    await station.queue.runUntilIdle();
    const fresh = readdirSync(out).filter((f) => !before.has(f));
    if (fresh.length !== 1) throw new Error(`expected one new file in ${out}, found ${fresh.length}`);
    return readFileSync(join(out, fresh[0]!));
  };
}
