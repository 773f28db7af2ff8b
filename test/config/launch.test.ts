// npm start, the systemd unit and src/launch.ts say the same: how the station's node is started.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { missingLaunchSettings, STATION_NODE_FLAGS } from '../../src/launch.js';

const file = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** "node --x --y script.js" as node's flags and the script. */
function command(line: string): { flags: string[]; script: string } {
  const words = line.trim().split(/\s+/);
  expect(words.shift()).toMatch(/(^|\/)node$/);
  const flags: string[] = [];
  while (words[0]?.startsWith('--')) flags.push(words.shift()!);
  return { flags, script: words.join(' ') };
}

describe('how the station is started', () => {
  it('npm start gives it the flags of src/launch.ts', () => {
    const start = (JSON.parse(file('package.json')) as { scripts: Record<string, string> }).scripts.start!;
    expect(command(start)).toEqual({ flags: STATION_NODE_FLAGS, script: 'dist/src/index.js' });
  });

  it('the systemd unit gives it the same', () => {
    const exec = /^ExecStart=(.*)$/m.exec(file('deploy/benchprint.service'))![1]!;
    expect(command(exec)).toEqual({ flags: STATION_NODE_FLAGS, script: '/opt/benchprint/dist/src/index.js' });
  });

  it('names what a process was started without', () => {
    expect(missingLaunchSettings(STATION_NODE_FLAGS)).toEqual([]);
    expect(missingLaunchSettings(['--inspect'])).toEqual([...STATION_NODE_FLAGS]);
  });
});
