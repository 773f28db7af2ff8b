// Builds the station's structured logger (pino); secrets are redacted as a safety net behind never logging them.
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

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'benchprint' },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}

/** A logger that discards everything, for tests and tools that do not care. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
