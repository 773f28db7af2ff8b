// Finding printers: the ippeveprinter the tests start, announced over DNS-SD through the machine's avahi, is found
// with a working address and can be added and printed to; scans are bounded; a malformed answer stops nothing.
import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mdnsQuery, parseDns } from '../../src/printing/discovery.js';
import { hostsOf, scanSubnet, type ScanProgress } from '../../src/printing/scan.js';
import type { RunningStation } from '../../src/station.js';
import { startIppPrinter, type IppPrinterDouble } from '../doubles/ipp-printer.js';
import { asToken, demoStation } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const ADMIN = 'admin-token-0123456789abcdefghijk';
const NAME = `benchprint-found-${process.pid}`;
let station: RunningStation;
let ipp: IppPrinterDouble;
let admin: ReturnType<typeof asToken>;
const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  ipp = await startIppPrinter({ announceAs: NAME });
  station = await demoStation(tempDir(), (c) => {
    c.auth.tokens = [{ name: 'office', token: ADMIN, scopes: ['read', 'print', 'admin'] }];
  });
  admin = asToken(station.app, ADMIN);
}, 30_000);
afterAll(async () => {
  await station?.stop();
  await ipp?.close();
});

// DNS-SD needs an interface that carries multicast (loopback does not): a machine with none cannot find anything.
const lan = Object.values(networkInterfaces())
  .flat()
  .some((a) => a && a.family === 'IPv4' && !a.internal);

describe('discovery', () => {
  it.runIf(lan)('finds the announced IPP printer over DNS-SD, and it can be added and printed to', async () => {
    type Found = { name: string; uri: string; driver: string; port: number };
    // avahi may take a moment to publish a new service: ask again for a few seconds.
    let mine: Found | undefined;
    for (let i = 0; i < 5 && !mine; i++) {
      const res = await admin('/api/v1/admin/discovery', json({ method: 'dns-sd' }));
      expect(res.status).toBe(200);
      mine = ((await res.json()) as { found: Found[] }).found.find((f) => f.name === NAME);
    }
    expect(mine).toMatchObject({ driver: 'ipp', port: ipp.port });
    expect(mine!.uri).toMatch(new RegExp(`^ipp://[\\d.]+:${ipp.port}/ipp/print$`));

    const added = await admin('/api/v1/admin/printers', json({ printer: { id: 'office-ipp', name: 'Office IPP', driver: 'ipp', uri: mine!.uri, dpmm: 12 } }));
    expect(added.status).toBe(201);
    const printed = await admin('/api/v1/printers/office-ipp/test-print', { method: 'POST' });
    expect(((await printed.json()) as { job: { state: string } }).job.state).toBe('done');
    expect(ipp.jobFiles()).toHaveLength(1);
  }, 60_000);

  it('scans at most 1,024 addresses, and says so for a larger network', async () => {
    expect(hostsOf('192.168.7.0/24', 1024)).toHaveLength(254);
    expect(hostsOf('192.168.7.9', 1024)).toEqual(['192.168.7.9']);
    const res = await admin('/api/v1/admin/discovery', json({ method: 'scan', subnet: '10.0.0.0/16' }));
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/10\.0\.0\.0\/16 has 65536 addresses; a scan takes at most 1024/);
    expect((await admin('/api/v1/admin/discovery', json({ method: 'scan', subnet: 'the office' }))).status).toBe(422);
  });

  it('scans a subnet address by address, finds the open port, and leaves nothing listening on the scan when done', async () => {
    // Something listens on one loopback address; every other address of the /25 refuses at once.
    const server: Server = createServer((socket) => socket.on('error', () => undefined).resume()); // reads, answers nothing
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.9', resolve));
    const port = (server.address() as { port: number }).port;
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const progress: ScanProgress = { id: 's', subnet: '127.0.0.0/25', ports: [port], total: 0, checked: 0, found: [], done: false, startedAt: new Date().toISOString() };
      await scanSubnet(progress, { concurrency: 16, connectMs: 1000, answerMs: 200 }, new AbortController().signal);
      await new Promise((r) => setTimeout(r, 50)); // warnings are emitted on a later tick
      expect(progress).toMatchObject({ total: 126, checked: 126, done: true });
      expect(progress.stopped).toBeUndefined();
      expect(progress.found.map((f) => [f.address, f.port, f.driver])).toEqual([['127.0.0.9', port, 'escpos']]);
      // Each probe takes its listener off the scan's signal when it ends: 126 probes, never more than 16 at once.
      expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await new Promise((r) => server.close(r));
    }
  });

  it('reads DNS answers with name pointers, and refuses malformed ones without throwing past the parser', () => {
    const query = mdnsQuery(['_ipp._tcp.local'], 7);
    expect(query.readUInt16BE(4)).toBe(1);
    // A truncated answer and a pointer loop: errors the browser skips (one bad answer stops nothing else).
    const truncated = Buffer.concat([Buffer.from([0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0]), Buffer.from([4, 0x5f, 0x69, 0x70])]);
    expect(() => parseDns(truncated)).toThrow();
    const loop = Buffer.from([0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0xc0, 12, 0, 12, 0, 1, 0, 0, 0, 10, 0, 0]);
    expect(() => parseDns(loop)).toThrow();
  });
});
