// Logs: JSON lines for machines (a pipe, systemd's journal), readable lines for a person at a terminal; secrets are
// redacted in both.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;
const log = (env: Record<string, string>) =>
  execFileSync(process.execPath, ['--import', 'tsx', '-e', "const { createLogger } = await import('./src/logger.ts'); createLogger().info({ printer: 'tags', apiKey: 'secret-key-123' }, 'printer ready');"], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });

describe('the log', () => {
  it('is JSON lines when stdout is not a terminal', () => {
    const line = JSON.parse(log({ BENCHPRINT_LOG_FORMAT: '' }).trim().split('\n')[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, msg: 'printer ready', printer: 'tags', apiKey: '[redacted]', service: 'benchprint' });
  });

  it('is readable lines where asked for (a terminal gets these by itself), secrets still redacted', () => {
    const out = log({ BENCHPRINT_LOG_FORMAT: 'pretty' });
    expect(out).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: printer ready\n\s+printer: "tags"\n\s+apiKey: "\[redacted\]"/);
    expect(out).not.toContain('secret-key-123');
  });
});
