// Takes kiosk screenshots at the bench's screen sizes (1024x600 and 1920x1080) for a person to look at.
// Usage: npm run screenshots [-- <output folder>]   (default: test-output/screenshots)
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { loadConfig } from '../src/config/load.js';
import { silentLogger } from '../src/logger.js';
import { startStation } from '../src/station.js';

const out = resolve(process.argv[2] ?? 'test-output/screenshots');
mkdirSync(out, { recursive: true });
const data = mkdtempSync(join(tmpdir(), 'bp-shots-'));
const loaded = loadConfig(undefined, { BENCHPRINT_DATA_DIR: data, BENCHPRINT_PORT: '0', BENCHPRINT_HOST: '127.0.0.1' });
const station = await startStation(loaded, silentLogger(), { startSync: false });
await station.sync.syncOnce();
// Something in the jobs panel: a finished job and one that needs attention.
const wo = 'WO-24005';
// As the kiosk on this PC: the session cookie it gets opening /kiosk, and its own origin.
const opened = await fetch(`${station.url}/kiosk`);
const kiosk = { cookie: opened.headers.get('set-cookie')!.split(';')[0]!, origin: station.url };
const fetchJson = (path: string, body: unknown) => fetch(`${station.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...kiosk }, body: JSON.stringify(body) });
await fetchJson('/api/v1/jobs', { kind: 'labels', printer: 'tags', workOrder: wo, line: 10, template: 'hose-tag', quantity: 8 });
await station.queue.runUntilIdle();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
try {
  for (const [w, h] of [
    [1024, 600],
    [1920, 1080],
  ] as const) {
    const page = await browser.newPage({ viewport: { width: w, height: h } });
    for (const [name, path] of [
      ['home', '/kiosk'],
      ['work-order', `/kiosk/wo/${wo}`],
      ['history', '/kiosk/history'],
    ]) {
      await page.goto(`${station.url}${path}`);
      await page.waitForLoadState('networkidle');
      await page.screenshot({ path: join(out, `${name}-${w}x${h}.png`) });
    }
    await page.close();
  }
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  await station.stop();
  rmSync(data, { recursive: true, force: true });
}
