// Runs the real station (src/index.ts through tsx) as a child process and reads its log lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STATION_NODE_FLAGS } from '../../src/launch.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Child {
  proc: ChildProcess;
  lines: Array<Record<string, unknown>>;
  stderr: () => string;
  /** Resolves with the first log line that matches. */
  waitFor(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  exit(): Promise<number | null>;
}

/** Started with node's flags as npm start and the systemd unit give them (src/launch.ts), unless told others. */
export function runStation(args: string[], env: Record<string, string>, entry = 'src/index.ts', nodeFlags: readonly string[] = STATION_NODE_FLAGS): Child {
  const proc = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', entry, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<{ match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }> = [];
  let buffer = '';
  let err = '';
  proc.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const text = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        line = { msg: text };
      }
      lines.push(line);
      for (const w of [...waiters]) if (w.match(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  proc.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = once(proc, 'exit').then(([code]) => code as number | null);
  return {
    proc,
    lines,
    stderr: () => err,
    waitFor(match, timeoutMs = 15_000) {
      const found = lines.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching log line within ${timeoutMs} ms; stderr: ${err}; log: ${JSON.stringify(lines.slice(-5))}`)), timeoutMs);
        waiters.push({ match, resolve: (l) => (clearTimeout(timer), resolve(l)) });
        void exited.then((code) => reject(new Error(`station exited (${code}) before the expected line; stderr: ${err}`)));
      });
    },
    exit: () => exited,
  };
}

/**
 * A station's configuration file in `dir` (its data there too): the GoldLeaf sandbox, any free port on loopback, one
 * API token with `scopes`, and `printers`. Returns its path, for BENCHPRINT_CONFIG.
 */
export function stationConfig(dir: string, token: string, scopes: string[], printers: unknown[]): string {
  const path = join(dir, 'config.json');
  writeFileSync(
    path,
    JSON.stringify({
      station: { dataDir: join(dir, 'data') },
      server: { host: '127.0.0.1', port: 0 },
      auth: { tokens: [{ name: 'erp', token, scopes }] },
      goldleaf: { sandbox: true },
      printers,
    }),
  );
  return path;
}
