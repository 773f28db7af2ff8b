// Builds the station's structured logger (pino); secrets are redacted as a safety net behind never logging them.
import { createRequire } from 'node:module';
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

const REDACT = [
  'apiKey', '*.apiKey', '*.*.apiKey',
  'token', '*.token', '*.*.token', 'tokens', '*.tokens',
  'securityToken', '*.securityToken',
  'authorization', '*.authorization', '*.headers.authorization', 'headers.authorization',
  'adminPin', '*.adminPin',
  'cookie', '*.cookie', '*.headers.cookie', 'x-admin-pin', '*["x-admin-pin"]', '*.headers["x-admin-pin"]',
];

export interface LoggerOptions {
  level?: string;
  /** Where lines go; stdout when absent. Tests pass a stream to read what was logged. */
  destination?: DestinationStream;
}

/**
 * Readable lines when a person watches (stdout is a terminal), JSON lines otherwise (systemd, a pipe, a file).
 * BENCHPRINT_LOG_FORMAT=json or pretty overrides that.
 */
function terminalStream(env: NodeJS.ProcessEnv = process.env): DestinationStream | undefined {
  const format = env.BENCHPRINT_LOG_FORMAT || (process.stdout.isTTY ? 'pretty' : 'json');
  if (format !== 'pretty') return undefined;
  const pretty = createRequire(import.meta.url)('pino-pretty') as (o: Record<string, unknown>) => DestinationStream;
  return pretty({ colorize: !!process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service', singleLine: false, sync: true });
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'benchprint' },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? terminalStream(),
  );
}

/** A logger that discards everything, for tests and tools that do not care. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
