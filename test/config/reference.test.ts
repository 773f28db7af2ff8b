import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configReference, replaceConfigReference } from '../../src/config/reference.js';

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
});
