import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SANDBOX_KEY, startSandbox } from '../src/sandbox/server.js';
import { runStation } from './helpers/child.js';
import { tempDir } from './helpers/temp.js';

const dir = tempDir();

describe('the station as a process', () => {
  it('starts in demo mode, says so with the kiosk URL, and finishes a request in flight on SIGTERM before exiting 0', async () => {
    const child = runStation([], { BENCHPRINT_DATA_DIR: join(dir, 'demo'), BENCHPRINT_PORT: '0', BENCHPRINT_HOST: '127.0.0.1', BENCHPRINT_CONFIG: '' });
    try {
      const demo = await child.waitFor((l) => String(l.msg).startsWith('DEMO MODE'));
      const ready = await child.waitFor((l) => String(l.msg).startsWith('benchprint ready'));
      const kiosk = (ready.kiosk as string[])[0]!;
      expect(kiosk).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/kiosk$/);
      await child.waitFor((l) => l.msg === 'sync done');
      // Started as npm start starts it (the helper does): nothing to say about memory settings.
      expect(child.lines.filter((l) => 'missing' in l)).toEqual([]);
      const opened = await fetch(kiosk);
      expect(opened.status).toBe(200);
      // The kiosk's session and origin, as its browser on this PC sends them.
      const session = { cookie: opened.headers.get('set-cookie')!.split(';')[0]!, origin: new URL(kiosk).origin };

      // Make GoldLeaf slow, start a sync request, and stop the station while it runs.
      const sandboxUrl = String(demo.goldleaf).replace(/\/api\/v1$/, '');
      await fetch(`${sandboxUrl}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ kind: 'slow', delayMs: 1200, times: 1, pathIncludes: '/workorders' }) });
      const started = Date.now();
      const inFlight = fetch(kiosk.replace('/kiosk', '/api/v1/sync'), { method: 'POST', headers: session });
      await new Promise((r) => setTimeout(r, 300));
      child.proc.kill('SIGTERM');
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(((await res.json()) as { released: number }).released).toBe(22);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1200);
      expect(await child.exit()).toBe(0);
      expect(child.lines.some((l) => l.msg === 'stopped cleanly')).toBe(true);
      await expect(fetch(kiosk)).rejects.toThrow();
    } finally {
      child.proc.kill('SIGKILL');
    }
  });

  it('says when it was started without the memory setting npm start gives it', async () => {
    const child = runStation([], { BENCHPRINT_DATA_DIR: join(dir, 'plain'), BENCHPRINT_PORT: '0', BENCHPRINT_HOST: '127.0.0.1', BENCHPRINT_CONFIG: '' }, 'src/index.ts', []);
    try {
      const said = await child.waitFor((l) => 'missing' in l);
      expect(said.missing).toEqual(['--max-semi-space-size=2']);
      expect(String(said.msg)).toMatch(/^started without --max-semi-space-size=2, which npm start and the systemd unit give it: it holds 15-30 MB more/);
    } finally {
      child.proc.kill('SIGKILL');
    }
  });

  it('refuses a config with several mistakes, listing all of them, and exits 2', async () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify({ server: { port: 70000 }, goldleaf: { releasedStatuses: [] }, log: { level: 'loud' }, printers: [{ id: 'x' }] }));
    const child = runStation([], { BENCHPRINT_CONFIG: path, BENCHPRINT_DATA_DIR: join(dir, 'bad') });
    expect(await child.exit()).toBe(2);
    const err = child.stderr();
    for (const where of ['server.port', 'goldleaf.releasedStatuses', 'log.level', 'goldleaf.apiKey']) expect(err).toContain(where);
    expect(err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('check-config explains the same problems without starting, and passes a good file', async () => {
    const bad = runStation(['check-config', '--config', join(dir, 'bad.json')], {}, 'src/cli.ts');
    expect(await bad.exit()).toBe(2);
    expect(bad.stderr()).toContain('server.port');
    const goodPath = join(dir, 'good.json');
    // The shop's templates: one label of its own that is broken (the shipped one of its id serves).
    mkdirSync(join(dir, 'tpl', 'labels'), { recursive: true });
    writeFileSync(join(dir, 'tpl', 'labels', 'hose-tag.json'), '{"id": "hose-tag"}');
    writeFileSync(
      goodPath,
      JSON.stringify({
        goldleaf: { sandbox: true },
        station: { templatesDir: join(dir, 'tpl') },
        printers: [
          { id: 'hot', driver: 'folder', uri: `file://${dir}` },
          { id: 'zebra', driver: 'nope', uri: 'tcp://127.0.0.1:9' },
          { id: 'x' },
          { id: 'hot', driver: 'folder', uri: `file://${dir}` },
          { id: 'off', driver: 'zpl', uri: 'tcp://127.0.0.1:9' },
          { id: 'small', driver: 'folder', uri: `file://${dir}`, media: { widthMm: 76, heightMm: 25 }, options: { formats: ['zpl', 'file'] }, for: ['labels'] },
          { id: 'big', driver: 'folder', uri: `file://${dir}`, media: { widthMm: 101.6, heightMm: 152.4 }, options: { formats: ['pdf'] } },
        ],
        // Rules that would be refused at every release, said before the first one.
        autoPrint: {
          enabled: true,
          rules: [
            { printer: 'small', document: 'labels', template: 'assembly-4x6' },
            { printer: 'small', document: 'labels' },
            { printer: 'big', document: 'datasheet' },
            { printer: 'ghost', document: 'traveler' },
            { printer: 'big', document: 'labels', template: 'made-in-designer' },
            { printer: 'small', document: 'pts' },
          ],
        },
      }),
    );
    // The file named alone, as `npm run check-config -- <file>` passes it.
    const good = runStation(['check-config', goodPath], {}, 'src/cli.ts');
    const code = await good.exit();
    const out = good.lines.map((l) => l.msg).join('\n');
    expect(out).toContain(`${goodPath}: configuration is valid`);
    // Each usable entry's printer is asked how it is now: right for a printer that is off is worth hearing about.
    expect(out).toMatch(/printer hot .*: entry ok; the printer now: ready/);
    expect(out).toMatch(/printer off \(zpl, tcp:\/\/127\.0\.0\.1:9\): entry ok; the printer now: offline \(Printer at 127\.0\.0\.1:9 refused the connection/);
    expect(out).toMatch(/printer zebra .*NOT USABLE: driver: unknown driver "nope"/);
    expect(out).toMatch(/printer x .*NOT USABLE: driver: .*; uri: /);
    expect(out).toMatch(/printer printer-4 .*NOT USABLE: printers\[3\] in the config file has the id "hot" of printers\[0\]; each printer needs its own id/);
    expect(out).toContain(`templates: ${join(dir, 'tpl')}, over the shipped ones`);
    expect(out).toMatch(new RegExp(`template ${join(dir, 'tpl', 'labels', 'hose-tag.json')}: NOT USABLE: \\S`));
    expect(out).toContain('1 template file(s) will be skipped; the station still starts.');
    expect(out).toContain('auto-print rule 1 (labels assembly-4x6 on small): WOULD BE REFUSED: the label is 101.6 × 152.4 mm; the printer has 76 × 25 mm stock loaded');
    expect(out).toContain('auto-print rule 2 (labels hose-tag on small): ok');
    expect(out).toContain('auto-print rule 3 (datasheet on big): WOULD BE REFUSED: the datasheet is a page of 210 × 297 mm; the printer has 101.6 × 152.4 mm stock loaded');
    expect(out).toContain('auto-print rule 4 (traveler on ghost): WOULD BE REFUSED: there is no printer "ghost"');
    expect(out).toMatch(/auto-print rule 5 \(labels made-in-designer on big\): "made-in-designer" is not a template file: if it was made in the label designer/);
    expect(out).toContain('auto-print rule 6 (pts on small): WOULD BE REFUSED: the printer is set to be for labels only');
    expect(code).toBe(1);
    // A mistyped option is refused, not taken for demo mode.
    const typo = runStation(['check-config', '--cofig', goodPath], {}, 'src/cli.ts');
    expect(await typo.exit()).toBe(2);
    expect(typo.stderr()).toContain('unexpected arguments "--cofig"');
  });

  it('check-config asks GoldLeaf with the key, and tells a PC whose clock is days off', async () => {
    const sandbox = await startSandbox();
    try {
      const path = join(dir, 'real.json');
      writeFileSync(path, JSON.stringify({ goldleaf: { baseUrl: sandbox.baseUrl, tokenUrl: sandbox.tokenUrl, keyName: SANDBOX_KEY.keyName } }));
      const released = [...sandbox.state.data.workOrders.values()].filter((w) => w.status === 'Released').length;
      const check = async (key: string) => {
        const child = runStation(['check-config', path], { BENCHPRINT_GOLDLEAF_API_KEY: key }, 'src/cli.ts');
        const code = await child.exit();
        return { code, out: child.lines.map((l) => l.msg).join('\n') };
      };
      const good = await check(SANDBOX_KEY.apiKey);
      expect(good.out).toContain(`GoldLeaf: ${sandbox.baseUrl}: the key was accepted; ${released} released work orders`);
      expect(good.out).toContain("clock: this PC's clock agrees with GoldLeaf's");
      expect(good.code).toBe(0);

      const refused = await check('not-the-key-0000000000');
      expect(refused.out).toMatch(new RegExp(`GoldLeaf: ${sandbox.baseUrl.replace(/[.]/g, '\\.')}: NOT USABLE: .*key`, 'i'));
      expect(refused.out).not.toContain('not-the-key');
      expect(refused.code).toBe(1);

      sandbox.state.clockOffsetSec = 61 * 3600;
      const behind = await check(SANDBOX_KEY.apiKey);
      expect(behind.out).toMatch(/clock: WRONG: This PC's clock reads .*, GoldLeaf's .*: it is 2 days 1[23] h( \d+ min)? behind\./);
      expect(behind.code).toBe(1);
    } finally {
      await sandbox.close();
    }
  });

  it('refuses to start a second station on the same data folder', async () => {
    const env = { BENCHPRINT_DATA_DIR: join(dir, 'twice'), BENCHPRINT_PORT: '0', BENCHPRINT_HOST: '127.0.0.1' };
    const first = runStation([], env);
    try {
      await first.waitFor((l) => String(l.msg).startsWith('benchprint ready'));
      const second = runStation([], env);
      expect(await second.exit()).toBe(1);
      expect(second.lines.map((l) => l.msg).join()).toMatch(/Another benchprint \(pid \d+\) is using/);
    } finally {
      first.proc.kill('SIGTERM');
      await first.exit();
    }
  });
});
