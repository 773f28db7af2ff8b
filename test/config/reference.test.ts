import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { configReference, replaceConfigReference } from '../../src/config/reference.js';
import { silentLogger } from '../../src/logger.js';
import { loadPrinters } from '../../src/printing/registry.js';

describe('configuration reference', () => {
  it('documents every key with a description and an example', () => {
    const rows = configReference();
    expect(rows.length).toBeGreaterThan(30);
    for (const r of rows) {
      expect(r.description, r.key).not.toBe('');
      expect(r.example, r.key).not.toBe('');
    }
  });

  it('is the table in the README (run `npm run docs:config` after changing the schema)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(replaceConfigReference(readme)).toBe(readme);
  });

  it('has an example for a real bench that loads as it is, every printer usable, once the secrets are in the environment', async () => {
    const path = new URL('../../deploy/config.example.json', import.meta.url).pathname;
    const { config } = loadConfig(path, { BENCHPRINT_GOLDLEAF_API_KEY: 'k'.repeat(32), BENCHPRINT_GOLDLEAF_KEY_NAME: 'crimp-bench-2', BENCHPRINT_TOKEN_ERP: 't'.repeat(32) });
    const printers = await loadPrinters(config.printers, silentLogger());
    try {
      expect(printers.list().map((p) => [p.id, p.entry.driver, p.problem ?? 'ok'])).toEqual([
        ['tags', 'zpl', 'ok'],
        ['labels', 'zpl', 'ok'],
        ['office', 'ipp', 'ok'],
        ['receipt', 'escpos', 'ok'],
        ['marken', 'folder', 'ok'],
        ['pts', 'folder', 'ok'],
      ]);
    } finally {
      await printers.close();
    }
  });
});
