// Entry point: reads the config, starts the station, and stops it cleanly on SIGTERM / SIGINT.
import { existsSync } from 'node:fs';
import { ConfigError, DEMO_ADMIN_PIN, loadConfig, locateConfig } from './config/load.js';
import { describeError, isStationError } from './errors.js';
import { missingLaunchSettings } from './launch.js';
import { createLogger } from './logger.js';
import { startStation } from './station.js';

async function main(): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig(locateConfig(process.argv.slice(2), process.env, existsSync), process.env);
  } catch (err) {
    process.stderr.write(`benchprint cannot start: ${err instanceof ConfigError ? err.advice : describeError(err)}\n`);
    process.exit(2);
  }
  const logger = createLogger({ level: loaded.config.log.level });
  let station;
  try {
    station = await startStation(loaded, logger);
  } catch (err) {
    logger.fatal({ code: isStationError(err) ? err.code : 'STARTUP_FAILED' }, `benchprint cannot start: ${describeError(err)}`);
    process.exit(1);
  }
  if (loaded.source === 'demo') {
    logger.info(
      { goldleaf: station.sandbox?.baseUrl, printersFolder: `${loaded.config.station.dataDir}/virtual-printers` },
      'DEMO MODE: no config file found, so the station runs on the built-in GoldLeaf sandbox and virtual printers that write files. See the README to configure a real shop.',
    );
    if (loaded.config.auth.adminPin === DEMO_ADMIN_PIN) logger.info(`DEMO MODE: the admin PIN (label designer, queue actions) is ${DEMO_ADMIN_PIN}`);
  } else if (station.sandbox) {
    logger.warn({ goldleaf: station.sandbox.baseUrl }, 'goldleaf.sandbox is true: work orders come from the built-in sandbox, not from GoldLeaf');
  }
  logger.info({ kiosk: station.kioskUrls, config: loaded.path ?? '(demo)' }, `benchprint ready: open ${station.kioskUrls[0]}`);
  const missing = missingLaunchSettings();
  if (missing.length) {
    logger.info({ missing }, `started without ${missing.join(' ')}, which npm start and the systemd unit give it: it holds 15-30 MB more memory (see src/launch.ts)`);
  }

  let signals = 0;
  const shutdown = (signal: string) => {
    if (++signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    logger.info({ signal }, 'stopping: no new requests; letting work in flight finish');
    station
      .stop()
      .then(() => {
        logger.info('stopped cleanly');
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error({ err: describeError(err) }, 'error while stopping');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

void main();
