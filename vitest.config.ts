import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Two files at a time, also on two cores (vitest's default there is one): most tests wait on printers, browsers,
    // timers and child stations rather than compute, so the suite takes ~5 min instead of ~9 on the CI machine.
    maxWorkers: 2,
    // What a test waits for to happen (expect.poll without its own timeout): 5 s instead of vitest's 1 s, for a
    // machine busy with the other file's browser or station. It only ever waits longer for what must happen.
    expect: { poll: { timeout: 5000 } },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default'],
  },
});
