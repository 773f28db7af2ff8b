import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, locateConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/logger.js';
import { loadPrinters } from '../../src/printing/registry.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
const write = (name: string, body: string) => {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
};
const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  it('runs demo mode without a file: sandbox and four virtual folder printers', () => {
    const { config, source } = loadConfig(undefined, {});
    expect(source).toBe('demo');
    expect(config.goldleaf.sandbox).toBe(true);
    expect(config.printers.map((p) => (p as { id: string }).id)).toEqual(['tags', 'labels', 'office', 'receipt', 'marken']);
    expect(config.server.port).toBe(8080);
  });

  it('lists every problem of a bad file at once, each with where, what and an example', () => {
    const path = write(
      'bad.json',
      JSON.stringify({
        station: { name: '' },
        server: { port: 'eighty', prot: 1 },
        goldleaf: { sandbox: true, statusQueryEncoding: 'pipes', pageSize: 0 },
        printers: [{ driver: 'zpl', uri: 'tcp://10.0.0.5:9100' }, { id: 'Bad Id', driver: 'zpl', uri: 'x', dpmm: 10 }],
        extra: true,
      }),
    );
    const problems = problemsOf(() => loadConfig(path, {}));
    const text = problems.join('\n');
    expect(problems.length).toBeGreaterThanOrEqual(6);
    expect(text).toMatch(/station\.name: .*A valid value looks like: "Crimp bench 2"/);
    expect(text).toMatch(/server\.port: .*expected number.*8080/);
    expect(text).toMatch(/server: unknown key "prot"\. Known keys here: host, port/);
    expect(text).toMatch(/goldleaf\.statusQueryEncoding: .*"repeat"/);
    expect(text).toMatch(/goldleaf\.pageSize: /);
    // Printer entries are checked one by one when the station builds them: a bad one stops nothing (below).
    expect(text).not.toMatch(/printers\[/);
    expect(text).toMatch(/\(top level\): unknown key "extra"/);
  });

  it('points at the line and column of a JSON syntax error', () => {
    const path = write('syntax.json', '{\n  "station": { "name": "Bench" },\n  "server": { "port": 8080, }\n}\n');
    const [problem] = problemsOf(() => loadConfig(path, {}));
    expect(problem).toMatch(/not valid JSON at line 3, column \d+/);
  });

  it('takes secrets from the environment and insists on them for the real API', () => {
    const path = write('real.json', JSON.stringify({ goldleaf: {}, auth: { tokens: [{ name: 'erp' }] } }));
    const problems = problemsOf(() => loadConfig(path, {}));
    expect(problems.join('\n')).toMatch(/BENCHPRINT_GOLDLEAF_API_KEY/);
    expect(problems.join('\n')).toMatch(/BENCHPRINT_GOLDLEAF_KEY_NAME/);
    expect(problems.join('\n')).toMatch(/BENCHPRINT_TOKEN_ERP/);
    const { config } = loadConfig(path, {
      BENCHPRINT_GOLDLEAF_API_KEY: 'k'.repeat(30),
      BENCHPRINT_GOLDLEAF_KEY_NAME: 'bench',
      BENCHPRINT_TOKEN_ERP: 't'.repeat(32),
      BENCHPRINT_PORT: '9090',
    });
    expect(config.goldleaf.apiKey).toBe('k'.repeat(30));
    expect(config.auth.tokens[0]).toMatchObject({ name: 'erp', token: 't'.repeat(32), scopes: ['read', 'print'] });
    expect(config.server.port).toBe(9090);
  });

  it('reports a bad environment value like a bad file value', () => {
    const path = write('port.json', JSON.stringify({ goldleaf: { sandbox: true } }));
    expect(problemsOf(() => loadConfig(path, { BENCHPRINT_PORT: 'abc' })).join()).toMatch(/server\.port/);
  });

  it('loads a file with bad printer entries: each is not usable, saying why, and the others work', async () => {
    const p = { driver: 'folder', uri: `file://${dir}` };
    const entries = [{ id: 'a', ...p }, { id: 'a', name: 'Second', ...p }, { ...p }, { id: 'Bad Id', ...p, dpmm: 10 }, { id: 'printer-3', ...p }];
    const path = write('printers.json', JSON.stringify({ goldleaf: { sandbox: true }, printers: entries }));
    const { config } = loadConfig(path, {});
    const printers = await loadPrinters(config.printers, silentLogger());
    try {
      expect(printers.list().map((x) => [x.id, x.problem ?? 'ok'])).toEqual([
        ['a', 'ok'],
        ['printer-2', 'printers[1] in the config file has the id "a" of printers[0]; each printer needs its own id'],
        // Its stand-in id is not the one printers[4] has.
        ['printer-3-2', expect.stringMatching(/^printers\[2\] in the config file has no usable id; id: /)],
        ['printer-4', expect.stringMatching(/^printers\[3\] in the config file has no usable id; id: expected lower-case letters.*; dpmm: /)],
        ['printer-3', 'ok'],
      ]);
      expect(printers.usable('a', 'file')).toBeDefined();
    } finally {
      await printers.close();
    }
  });

  it('takes the config file named alone on the command line, and refuses anything else there', () => {
    expect(locateConfig(['x.json'], {}, () => false)).toMatch(/x\.json$/);
    expect(locateConfig(['--config=y.json'], {}, () => false)).toMatch(/y\.json$/);
    expect(problemsOf(() => locateConfig(['--cofig', 'x.json'], {}, () => false)).join()).toMatch(/unexpected arguments "--cofig" "x\.json"/);
    expect(problemsOf(() => locateConfig(['--config', 'x.json', 'y.json'], {}, () => false)).join()).toMatch(/unexpected argument "y\.json"/);
  });

  it('never falls back to demo mode when an explicit file is missing', () => {
    const path = locateConfig([], { BENCHPRINT_CONFIG: join(dir, 'missing.json') }, () => false);
    expect(problemsOf(() => loadConfig(path, {})).join()).toMatch(/does not exist/);
    expect(locateConfig(['--config', 'x.json'], {}, () => false)).toMatch(/x\.json$/);
    expect(locateConfig([], {}, () => false)).toBeUndefined();
  });
});
