// A printer set to be for some things only (its entry's `for`): a bench with a Marken hot folder and a PTS share sends
// each its own files, and an office printer set for datasheets is not offered tags, nor given them by the API or a move.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import { asKiosk, demoStation } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
let station: RunningStation;
let kiosk: Awaited<ReturnType<typeof asKiosk>>;

beforeAll(async () => {
  station = await demoStation(dir, (c) => {
    const entry = (id: string) => c.printers.find((p) => (p as { id: string }).id === id) as { for?: string[]; media?: unknown };
    entry('marken').for = ['marken'];
    // The office printer's paper not set: it would take a tag as well as a page, but it is for datasheets.
    entry('office').for = ['datasheets'];
    delete entry('office').media;
    // A second hot folder, before the Marken one would be chosen for PTS files by its place alone.
    c.printers.splice(3, 0, { id: 'pts', name: 'Parker PTS share', driver: 'folder', uri: `file://${dir}/pts`, dpmm: 8, options: { formats: ['file'], create: true }, for: ['pts'] });
    c.printers.push({ id: 'upstairs', name: 'Upstairs printer', driver: 'folder', uri: `file://${dir}/upstairs`, dpmm: 8, options: { formats: ['pdf'], create: true }, for: ['datasheets'] });
  });
  await station.sync.syncOnce();
  kiosk = await asKiosk(station.app);
});
afterAll(async () => station?.stop());

const post = (path: string, body: object, headers: Record<string, string> = {}) => kiosk(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('what each printer is for', () => {
  it('sends Marken files to the Marken hot folder and PTS files to the PTS share, from the kiosk', async () => {
    const page = await (await kiosk('/kiosk/wo/WO-24005')).text();
    expect(page).toContain('<button data-action="document" data-printer="marken" data-document="marken"');
    expect(page).toContain('<button data-action="document" data-printer="pts" data-document="pts"');
    // The office printer is not among the label choices, though its stock is not set.
    expect(page).not.toMatch(/<option value="[^"]+" data-printer="office"/);
    expect(page).toContain('<button data-action="document" data-printer="office" data-document="datasheet"');
    for (const document of ['marken', 'pts']) {
      expect((await post('/api/v1/jobs', { kind: 'document', printer: document, workOrder: 'WO-24005', document, line: 10 })).status).toBe(201);
    }
    await station.queue.runUntilIdle();
    expect(readdirSync(join(dir, 'pts'))).toHaveLength(1);
    expect(readdirSync(join(dir, 'virtual-printers', 'marken'))).toHaveLength(1);
  });

  it("refuses what a printer is not for, saying what it is for, and queues nothing", async () => {
    const before = station.jobs.list({ limit: 100 }).length;
    const pts = await post('/api/v1/jobs', { kind: 'document', printer: 'marken', workOrder: 'WO-24005', document: 'pts', line: 10 });
    expect(pts.status).toBe(422);
    const { error } = (await pts.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('NOT_FOR_THIS_PRINTER');
    expect(error.message).toContain('Marken hot folder (virtual) is set to take Marken files only, not PTS files.');
    const tags = await post('/api/v1/jobs', { kind: 'labels', printer: 'office', workOrder: 'WO-24005', line: 10, template: 'assembly-4x6', quantity: 1 });
    expect(tags.status).toBe(422);
    expect(((await tags.json()) as { error: { message: string } }).error.message).toContain('Office printer (virtual, PDF) is set to take datasheets only, not tags and labels.');
    expect(station.jobs.list({ limit: 100 })).toHaveLength(before);
    // Its own test page is for any printer.
    const test = await post('/api/v1/printers/office/test-print', {});
    expect(test.status).toBe(200);
    expect(((await test.json()) as { job: { state: string } }).job.state).toBe('done');
  });

  it('moves a waiting labels job only to a printer that is for labels', async () => {
    station.queue.pause('labels');
    const made = (await (await post('/api/v1/jobs', { kind: 'labels', printer: 'labels', workOrder: 'WO-24005', line: 10, template: 'assembly-4x6', quantity: 1 })).json()) as { id: string };
    const moved = await post('/api/v1/jobs/move', { jobs: [made.id], to: 'office' }, { 'x-admin-pin': '0000' });
    expect(moved.status).toBe(422);
    expect(((await moved.json()) as { error: { message: string } }).error.message).toContain('is set to take datasheets only, not tags and labels');
    expect(station.queue.get(made.id)).toMatchObject({ state: 'queued', printerId: 'labels' });
    // Several at once: one that cannot go, and none is moved (the datasheet could have gone upstairs alone).
    station.queue.pause('office');
    const sheet = (await (await post('/api/v1/jobs', { kind: 'document', printer: 'office', workOrder: 'WO-24005', document: 'datasheet' })).json()) as { id: string };
    const both = await post('/api/v1/jobs/move', { jobs: [sheet.id, made.id], to: 'upstairs' }, { 'x-admin-pin': '0000' });
    expect(both.status).toBe(422);
    expect(station.queue.get(sheet.id)).toMatchObject({ state: 'queued', printerId: 'office' });
    expect((await post('/api/v1/jobs/move', { jobs: [sheet.id], to: 'upstairs' }, { 'x-admin-pin': '0000' })).status).toBe(200);
    station.queue.resume('labels');
    station.queue.resume('office');
    await station.queue.runUntilIdle();
    expect(station.queue.get(made.id).state).toBe('done');
    expect(station.queue.get(sheet.id)).toMatchObject({ state: 'done', printerId: 'upstairs' });
  });
});
