// The kiosk in Chromium while its station stops and starts again (an update, a restart of the bench PC's service):
// it says the station is not answering for as long as that lasts, and is back by itself once the station is. The
// browser keeps connections open after an answer, and a stopping station closes only its listening socket: the
// kiosk's event stream, ended by the stop, opened again on such a connection and showed the station connected.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import { launchBrowser } from '../helpers/browser.js';
import { demoStation } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
let station: RunningStation;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  station = await demoStation(dir, (c) => {
    c.printers = [{ id: 'office', name: 'Office PDF', driver: 'folder', uri: `file://${dir}/office`, options: { formats: ['pdf'], create: true } }];
    c.server.shutdownGraceMs = 6000;
  });
  await station.sync.syncOnce();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1024, height: 600 } });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await station?.stop();
});

describe('the kiosk while its station stops and starts again', () => {
  it('says the station is not answering all through the stop, and is back by itself once it is', async () => {
    const port = Number(new URL(station.url).port);
    await page.goto(`${station.url}/kiosk`);
    const offline = page.locator('#offline');
    await expect.poll(() => page.evaluate('document.readyState')).toBe('complete');
    await page.waitForTimeout(500); // the event stream is open
    expect(await offline.isHidden()).toBe(true);

    const stopped = station.stop();
    await expect.poll(() => offline.isVisible(), { timeout: 3000 }).toBe(true);
    // Seen every quarter second until the stop is over (it waits up to its grace period for connections).
    const seen: boolean[] = [];
    for (let i = 0; i < 16; i++) {
      await page.waitForTimeout(250);
      seen.push(await offline.isVisible());
    }
    expect(seen.every(Boolean), `banner shown at each look: ${seen.join(' ')}`).toBe(true);
    await stopped;

    // The station starts again at the same address, with the same data: the kiosk reconnects without a reload.
    station = await demoStation(dir, (c) => {
      c.printers = [{ id: 'office', name: 'Office PDF', driver: 'folder', uri: `file://${dir}/office`, options: { formats: ['pdf'], create: true } }];
      c.server.port = port;
    });
    await expect.poll(() => offline.isHidden(), { timeout: 10_000 }).toBe(true);
  });
});
