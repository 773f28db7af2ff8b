// A whole station in-process: demo config on a temp data folder and a free loopback port.
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
