// Debian's Chromium driven by playwright-core, with the flags this closed network needs.
import { chromium, type Browser, type Page } from 'playwright-core';
import type { StationConfig } from '../../src/config/schema.js';
import type { RunningStation } from '../../src/station.js';
import { startTcpPrinter, type TcpPrinterDouble as ZebraDouble } from '../doubles/tcp-printer.js';
import { demoStation } from './station.js';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A bench for kiosk tests: a Zebra double for tags and an office PDF folder, the station synced, Chromium at 1024x600. */
export async function kioskBench(dir: string, patch: (config: StationConfig) => void = () => {}): Promise<{ zebra: ZebraDouble; station: RunningStation; browser: Browser; page: Page; close(): Promise<void> }> {
  const zebra = await startTcpPrinter('zpl');
  const station = await demoStation(dir, (c) => {
    c.printers = [
      { id: 'tags', name: 'Zebra tags', driver: 'zpl', uri: zebra.uri, dpmm: 8, options: { connectTimeoutMs: 500, statusTimeoutMs: 500 } },
      { id: 'office', name: 'Office PDF', driver: 'folder', uri: `file://${dir}/office`, dpmm: 8, options: { formats: ['pdf', 'file'], create: true } },
    ];
    patch(c);
  });
  await station.sync.syncOnce();
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1024, height: 600 } });
  const close = async () => {
    await browser.close();
    await station.stop();
    await zebra.close();
  };
  return { zebra, station, browser, page, close };
}

/**
 * Answers the kiosk's questions (its dialog on the page) as they come, yes while `yes()` says so, keeping their words
 * in `asked` (as the browser's `dialog` event would, for its own boxes); while `yes()` says undefined the question is
 * left open. Watches until `stop()` or the page closes.
 */
export function answerQuestions(page: Page, yes: () => boolean | undefined, asked: string[] = []): { asked: string[]; stop(): void } {
  let watching = true;
  void (async () => {
    const box = page.locator('#ask');
    while (watching && !page.isClosed()) {
      const open = await box.waitFor({ state: 'visible', timeout: 250 }).then(
        () => true,
        () => false,
      );
      if (!open || !watching) continue;
      asked.push((await box.locator('.ask-text').textContent().catch(() => '')) ?? '');
      let answer = yes();
      while (answer === undefined && watching && !page.isClosed()) {
        await new Promise((r) => setTimeout(r, 100));
        answer = yes();
      }
      await box.locator(`[data-answer="${answer ? 'yes' : 'no'}"]`).click().catch(() => undefined);
      await box.waitFor({ state: 'detached', timeout: 5000 }).catch(() => undefined);
    }
  })();
  return {
    asked,
    stop: () => {
      watching = false;
    },
  };
}
