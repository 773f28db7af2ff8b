// Printers set up over the API: kept in the station across restarts on top of the config file's set, checked as the
// config file is, one change at a time.
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import { startZebraPrinter, type ZebraDouble } from '../doubles/zebra-printer.js';
import { asToken, demoStation } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const ADMIN = 'admin-token-0123456789abcdefghijk';
const dir = tempDir();
let zebra: ZebraDouble;
let station: RunningStation | undefined;
const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function boot(): Promise<ReturnType<typeof asToken>> {
  await station?.stop();
  station = await demoStation(dir, (c) => {
    c.auth.tokens = [{ name: 'office', token: ADMIN, scopes: ['read', 'print', 'admin'] }];
  });
  return asToken(station.app, ADMIN);
}

afterAll(async () => {
  await station?.stop();
  await zebra?.close();
});

type Listed = { items: Array<{ id: string; source: string; uri: string; state: string; settings: Record<string, unknown> }> };

describe('printers set up over the API', () => {
  it('keeps additions, changes and removals across a restart, saying where each printer comes from', async () => {
    zebra = await startZebraPrinter();
    let admin = await boot();
    expect((await admin('/api/v1/admin/printers', json({ printer: { id: 'zebra', name: 'Zebra', driver: 'zpl', uri: zebra.uri } }))).status).toBe(201);
    const tags = ((await (await admin('/api/v1/admin/printers')).json()) as Listed).items.find((p) => p.id === 'tags')!;
    expect((await admin('/api/v1/admin/printers/tags', json({ printer: { ...tags.settings, name: 'Tags, renamed' } }))).status).toBe(200);
    expect((await admin('/api/v1/admin/printers/marken/remove', json({ confirm: 'marken' }))).status).toBe(200);

    admin = await boot();
    const after = ((await (await admin('/api/v1/admin/printers')).json()) as Listed).items;
    expect(after.map((p) => [p.id, p.source])).toEqual([
      ['tags', 'config, changed here'],
      ['labels', 'config'],
      ['office', 'config'],
      ['receipt', 'config'],
      ['zebra', 'added here'],
    ]);
    expect(station!.printers.get('tags').entry.name).toBe('Tags, renamed');
    const printed = await admin('/api/v1/printers/zebra/test-print', { method: 'POST' });
    expect(((await printed.json()) as { job: { state: string } }).job.state).toBe('done');
    expect(zebra.labels()).toBe(1);
  }, 30_000);

  it("lists every driver's options in shapes the kiosk's printer form can draw and read back", async () => {
    const admin = await boot();
    const { drivers } = (await (await admin('/api/v1/admin/printers')).json()) as { drivers: Array<{ name: string; options: { properties: Record<string, Record<string, unknown>> } }> };
    expect(drivers.map((d) => d.name).sort()).toEqual(['escpos', 'folder', 'ipp', 'zpl']);
    // src/kiosk/static/printers.js: a checkbox, a list, a set of checkboxes, a number or a text box, by the schema's type.
    const drawable = (s: Record<string, unknown>) =>
      ['boolean', 'integer', 'number', 'string'].includes(s.type as string) || Array.isArray(s.enum) || (s.type === 'array' && Array.isArray((s.items as { enum?: unknown })?.enum));
    const undrawable = drivers.flatMap((d) => Object.entries(d.options.properties).filter(([, s]) => !drawable(s)).map(([key]) => `${d.name}.${key}`));
    expect(undrawable).toEqual([]);
  });

  it('refuses settings that cannot work, naming the property, and changes nothing', async () => {
    const admin = await boot();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ id: 'x1', driver: 'zpl', uri: 'http://printer' }, /uri: driver zpl takes tcp: addresses, not http:/],
      [{ id: 'x2', driver: 'zpl', uri: 'tcp://printer', options: { confirmEvery: 0 } }, /options\.confirmEvery: /],
      [{ id: 'X 3', driver: 'zpl', uri: 'tcp://printer' }, /id: expected lower-case letters/],
      [{ id: 'x4', driver: 'laser', uri: 'tcp://printer' }, /driver: unknown driver "laser"/],
      [{ id: 'x5', driver: 'folder', uri: 'file:///tmp/x', listen: { address: '127.0.0.1', port: 9555, allow: ['127.0.0.1'] } }, /listen: only ZPL and ESC\/POS printers/],
      [{ id: 'x6', driver: 'zpl', uri: 'tcp://printer', listen: { address: '127.0.0.1', port: 9555, allow: ['everyone'] } }, /listen\.allow\[0\]: expected an IPv4 address or network/],
    ];
    for (const [printer, message] of cases) {
      const res = await admin('/api/v1/admin/printers', json({ printer }));
      expect(res.status, JSON.stringify(printer)).toBe(422);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    expect(station!.printers.list().map((p) => p.id)).toEqual(['tags', 'labels', 'office', 'receipt', 'zebra']);
  });

  it('takes one change at a time: the same printer added twice at once is added once', async () => {
    const admin = await boot();
    const both = await Promise.all([1, 2].map(() => admin('/api/v1/admin/printers', json({ printer: { id: 'twice', driver: 'zpl', uri: zebra.uri } }))));
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
  });

  it('removes a printer only when no job waits for it', async () => {
    const admin = await boot();
    zebra.state = 'paper-out';
    const res = await admin('/api/v1/jobs', json({ kind: 'test', printer: 'zebra' }));
    expect(res.status).toBe(201);
    const refused = await admin('/api/v1/admin/printers/zebra/remove', json({ confirm: 'zebra' }));
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/Zebra still has 1 job waiting, printing or needing attention/);
    expect((await admin('/api/v1/admin/printers/zebra/remove', json({ confirm: 'tags' }))).status).toBe(422);
    zebra.state = 'ready';
    // The job waits for the printer's next check (the printer answered "out of labels"), then prints.
    const { id } = (await res.json()) as { id: string };
    await expect.poll(() => station!.queue.get(id).state, { timeout: 10_000 }).toBe('done');
    expect((await admin('/api/v1/admin/printers/zebra/remove', json({ confirm: 'zebra' }))).status).toBe(200);
  }, 30_000);
});
