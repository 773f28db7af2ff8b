// Dates and times as the shop reads them: a tag's assembly date, a datasheet's "printed" stamp and the kiosk's times
// are in the shop's time zone, not UTC's (a bench in Houston crimping at 19:30 on the 3rd dates its tags the 3rd).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { ShopClock } from '../../src/lib/shop-clock.js';
import { FORMATTERS } from '../../src/labels/bind.js';
import type { RunningStation } from '../../src/station.js';
import { pdfText } from '../helpers/barcodes.js';
import { asKiosk, demoStation, printedToFolder } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

describe('the shop clock', () => {
  it('gives the date and time of the shop, wherever UTC has got to', () => {
    const at = new Date('2026-12-04T01:30:05Z');
    const houston = new ShopClock('America/Chicago');
    expect(houston.date(at)).toBe('2026-12-03');
    expect(houston.minute(at)).toBe('2026-12-03 19:30');
    expect(houston.time(at, true)).toBe('19:30:05');
    expect(houston.dayAndMinute('2026-12-04T01:30:05.123Z')).toBe('12-03 19:30');
    expect(new ShopClock('Asia/Tokyo').minute(at)).toBe('2026-12-04 10:30');
    expect(new ShopClock('UTC').minute(at)).toBe('2026-12-04 01:30');
    // Midnight is 00, not 24; summer time is the zone's own.
    expect(new ShopClock('Europe/Berlin').minute('2026-12-03T23:00:00Z')).toBe('2026-12-04 00:00');
    expect(new ShopClock('Europe/Berlin').minute('2026-07-01T22:15:00Z')).toBe('2026-07-02 00:15');
  });

  it("is the machine's own local time when no zone is named", () => {
    const was = process.env.TZ;
    try {
      process.env.TZ = 'America/Chicago';
      const local = new ShopClock();
      expect(local.timeZone).toBeUndefined();
      expect(local.minute(new Date('2026-12-04T01:30:05Z'))).toBe('2026-12-03 19:30');
      expect(local.zoneName(new Date('2026-12-04T01:30:05Z'))).toBe('UTC-06:00');
      expect(local.zoneName(new Date('2026-07-04T01:30:05Z'))).toBe('UTC-05:00');
      process.env.TZ = 'Asia/Kolkata';
      expect(local.time('2026-12-04T01:30:05Z', true)).toBe('07:00:05');
      expect(local.zoneName('2026-12-04T01:30:05Z')).toBe('UTC+05:30');
    } finally {
      if (was === undefined) delete process.env.TZ;
      else process.env.TZ = was;
    }
  });

  it('formats a GoldLeaf date as written, not moved to UTC', () => {
    expect(FORMATTERS.date!('2026-12-03T18:00:00-06:00', 'DD.MM.YYYY')).toBe('03.12.2026');
    expect(FORMATTERS.date!('2026-12-03', undefined)).toBe('2026-12-03');
    expect(FORMATTERS.date!('not a date', undefined)).toBe('not a date');
  });

  it('refuses a time zone it does not know, naming the key', () => {
    const dir = tempDir();
    const path = join(dir, 'bad-zone.json');
    writeFileSync(path, JSON.stringify({ goldleaf: { sandbox: true }, station: { timeZone: 'America/Houston' } }));
    let problems: string[] = [];
    try {
      loadConfig(path, {});
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      problems = (err as ConfigError).problems;
    }
    expect(problems.join('\n')).toMatch(/station\.timeZone.*America\/Chicago/);
  });
});

// A zone whose date differs from UTC's right now, both ways round the clock: UTC+14 from 10:30 UTC on (its date is
// already tomorrow), UTC-11 before (its date is still yesterday). Neither has summer time.
const now = new Date();
const ahead = now.getUTCHours() * 60 + now.getUTCMinutes() >= 10 * 60 + 30;
const zone = ahead ? 'Pacific/Kiritimati' : 'Pacific/Pago_Pago';
const offsetMs = (ahead ? 14 : -11) * 3_600_000;
const shopDate = (at: Date) => new Date(at.getTime() + offsetMs).toISOString().slice(0, 10);

describe(`a station set to ${zone}`, () => {
  const dir = tempDir();
  let station: RunningStation;
  const out = join(dir, 'out');
  beforeAll(async () => {
    station = await demoStation(dir, (c) => {
      c.station.timeZone = zone;
      c.printers = [{ id: 'bench', name: 'Bench folder', driver: 'folder', uri: `file://${out}`, dpmm: 8, options: { formats: ['zpl', 'pdf'], create: true } }];
    });
    await station.sync.syncOnce();
  }, 30_000);
  afterAll(async () => {
    await station?.stop();
  });

  const printed = (body: object) => printedToFolder(station, out, { workOrder: 'WO-24005' })(body);

  it("dates the tags with the shop's day", async () => {
    const asked = new Date();
    const zpl = (await printed({ kind: 'labels', line: 10, template: 'hose-tag', quantity: 2 })).toString('utf8');
    expect(shopDate(asked)).not.toBe(asked.toISOString().slice(0, 10));
    const dates = [...zpl.matchAll(/\b(20\d\d-\d\d-\d\d)\b/g)].map((m) => m[1]);
    expect(dates.length).toBeGreaterThanOrEqual(2);
    expect(new Set(dates)).toEqual(new Set([shopDate(asked)]));
  });

  it("stamps the datasheet with the shop's time, and the kiosk's history shows it", async () => {
    const asked = new Date();
    const text = pdfText(await printed({ kind: 'document', document: 'datasheet' }));
    const stamp = /printed (\d{4}-\d\d-\d\d \d\d:\d\d)/.exec(text)?.[1];
    expect(stamp?.slice(0, 10)).toBe(shopDate(asked));
    expect(Math.abs(Date.parse(`${stamp!.replace(' ', 'T')}:00Z`) - (asked.getTime() + offsetMs))).toBeLessThan(2 * 60_000);

    const page = await (await (await asKiosk(station.app))('/kiosk/history')).text();
    const job = station.jobs.list({ limit: 1 })[0]!;
    expect(page).toContain(`<td>${new Date(Date.parse(job.createdAt) + offsetMs).toISOString().slice(5, 16).replace('T', ' ')}</td>`);
    expect(page).toContain(`data-tz="${zone}"`);
    expect(page).toContain('</div></td><td>Bench folder</td>'); // the printer by its name, as on every other screen
  });

  it("marks in the list the work orders due before the shop's date as overdue, and those due on it as today", async () => {
    const today = shopDate(new Date());
    const utcToday = new Date().toISOString().slice(0, 10);
    // One due on the shop's date; one due on UTC's, which for the shop is yesterday (or tomorrow); one a week ahead.
    const due = { 'WO-24002': today, 'WO-24003': utcToday, 'WO-24004': '2099-01-01' } as Record<string, string>;
    for (const wo of station.sandbox!.state.data.workOrders.values()) {
      if (!(String(wo.number) in due)) continue;
      wo.dueDate = due[String(wo.number)];
      wo.lastModified = new Date().toISOString();
    }
    await station.sync.syncOnce();
    const page = await (await (await asKiosk(station.app))('/kiosk')).text();
    const cell = (wo: string) => new RegExp(`>${wo}</a></td><td>[^<]*</td><td>([^]*?)</td>`).exec(page)?.[1];
    expect(cell('WO-24002')).toBe(`${today} <span class="badge today">today</span>`);
    expect(cell('WO-24003')).toBe(ahead ? `${utcToday} <span class="badge late">overdue</span>` : utcToday);
    expect(cell('WO-24004')).toBe('2099-01-01');
  });
});
