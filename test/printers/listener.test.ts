// The station as a printer for the office: raw TCP clients (as `nc` or an ERP's port-9100 printing) send ZPL to the
// station, which queues it on the bench's Zebra with the queue's confirmation and history. Allowed addresses only;
// a stream over the size limit is cut with nothing printed; commands that would change the printer are taken out or
// the job refused; ~HS from a client is answered with the real printer's state.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import { startZebraPrinter, type ZebraDouble } from '../doubles/zebra-printer.js';
import { startEscPosPrinter, type EscPosDouble } from '../doubles/escpos-printer.js';
import { closedPort } from '../doubles/tcp-printer.js';
import { asToken, demoStation } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const ADMIN = 'admin-token-0123456789abcdefghijk';
let station: RunningStation;
let zebra: ZebraDouble;
let receipt: EscPosDouble;
let port: number;
let strictPort: number;
let receiptPort: number;

beforeAll(async () => {
  zebra = await startZebraPrinter();
  receipt = await startEscPosPrinter();
  port = await closedPort();
  strictPort = await closedPort();
  receiptPort = await closedPort();
  station = await demoStation(tempDir(), (c) => {
    c.auth.tokens = [{ name: 'office', token: ADMIN, scopes: ['read', 'print', 'admin'] }];
    c.printers = [
      { id: 'tags', name: 'Tag printer', driver: 'zpl', uri: zebra.uri, dpmm: 8, options: {}, listen: { address: '127.0.0.1', port, allow: ['127.0.0.1/32'], maxBytes: 8 * 1024 * 1024, idleSec: 5, foreign: 'strip' } },
      { id: 'strict', name: 'Strict tags', driver: 'zpl', uri: zebra.uri, dpmm: 8, options: {}, listen: { address: '127.0.0.1', port: strictPort, allow: ['127.0.0.0/8'], maxBytes: 1024 * 1024, idleSec: 5, foreign: 'refuse' } },
      { id: 'receipt', name: 'Traveler printer', driver: 'escpos', uri: receipt.uri, dpmm: 8, options: {}, listen: { address: '127.0.0.1', port: receiptPort, allow: ['127.0.0.1/32'], maxBytes: 1024 * 1024, idleSec: 5, foreign: 'strip' } },
    ];
  });
}, 30_000);
afterAll(async () => {
  await station?.stop();
  await zebra?.close();
  await receipt?.close();
});

/** Sends data as `nc -N` does (connect, write, half-close) and resolves with what came back and how it ended. */
function send(to: number, data: string | Buffer, localAddress = '127.0.0.1'): Promise<{ reply: string; ended: 'closed' | 'reset' | 'refused' }> {
  return new Promise((resolve) => {
    let reply = '';
    const socket: Socket = connect({ port: to, host: '127.0.0.1', localAddress });
    socket.on('data', (d: Buffer) => (reply += d.toString('latin1')));
    socket.on('connect', () => socket.end(data));
    socket.on('error', (err: NodeJS.ErrnoException) => resolve({ reply, ended: err.code === 'ECONNREFUSED' ? 'refused' : 'reset' }));
    socket.on('close', () => resolve({ reply, ended: 'closed' }));
  });
}

const lanJobs = () => station.jobs.list({ limit: 1000 }).filter((j) => j.requestedBy.startsWith('LAN '));

describe('the raw listener', () => {
  it('takes 50 formats from 50 clients at once: exactly 50 labels print, each in history with its client', async () => {
    const formats = Array.from({ length: 50 }, (_, i) => `^XA^FO20,20^A0N,30,30^FDoffice label ${String(i).padStart(2, '0')}^FS^XZ`);
    const results = await Promise.all(formats.map((f) => send(port, f)));
    expect(results.every((r) => r.ended === 'closed')).toBe(true);
    await expect.poll(() => lanJobs().length, { timeout: 20_000 }).toBe(50);
    await station.queue.runUntilIdle();
    const printed = zebra.printed.filter((p) => p.includes('office label'));
    expect(printed).toHaveLength(50);
    expect(new Set(printed.map((p) => /office label (\d+)/.exec(p)![1])).size).toBe(50);
    for (const job of lanJobs()) {
      expect(job).toMatchObject({ printerId: 'tags', kind: 'raw', state: 'done', requestedBy: 'LAN 127.0.0.1', partsTotal: 1, origin: 'raw TCP from 127.0.0.1' });
      expect(job.title).toBe('1 label of ZPL from 127.0.0.1');
    }
  }, 60_000);

  it('refuses a client outside the allow list at once, queueing nothing', async () => {
    const before = lanJobs().length;
    const result = await send(port, '^XA^FO20,20^FDfrom elsewhere^FS^XZ', '127.0.0.9');
    expect(result.ended).not.toBe('refused'); // the port is open: the station closed it on the client
    await new Promise((r) => setTimeout(r, 300));
    expect(lanJobs().length).toBe(before);
    expect(zebra.printed.some((p) => p.includes('from elsewhere'))).toBe(false);
    const admin = asToken(station.app, ADMIN);
    const tags = ((await (await admin('/api/v1/admin/printers')).json()) as { items: Array<{ id: string; listener: { refused: number; recent: Array<{ what: string }> } }> }).items.find((p) => p.id === 'tags')!;
    expect(tags.listener.refused).toBe(1);
    expect(tags.listener.recent[0]!.what).toBe('refused 127.0.0.9: not in the allow list (127.0.0.1/32)');
  });

  it('cuts a 50 MB stream at the limit, and nothing of it is queued', async () => {
    const before = lanJobs().length;
    const printedBefore = zebra.labels();
    // 50 MB of labels, sent as fast as the station reads.
    const one = '^XA^FO20,20^A0N,30,30^FDbulk^FS^XZ\n';
    const chunk = Buffer.from(one.repeat(Math.ceil((1024 * 1024) / one.length)));
    const result = await new Promise<{ sent: number; ended: string }>((resolve) => {
      let sent = 0;
      const socket = connect({ port, host: '127.0.0.1' }, () => {
        const pump = () => {
          while (sent < 50 * 1024 * 1024) {
            sent += chunk.length;
            if (!socket.write(chunk)) return void socket.once('drain', pump);
          }
          socket.end();
        };
        pump();
      });
      socket.on('error', () => resolve({ sent, ended: 'reset' }));
      socket.on('close', () => resolve({ sent, ended: 'closed' }));
    });
    expect(result.ended).toBe('reset');
    expect(result.sent).toBeLessThan(50 * 1024 * 1024);
    await new Promise((r) => setTimeout(r, 500));
    expect(lanJobs().length).toBe(before);
    expect(zebra.labels()).toBe(printedBefore);
  }, 60_000);

  it('takes out commands that would change the printer, or refuses the job where it is set up so', async () => {
    const zpl = '~JR^XA^JUS^PR12^FO20,20^A0N,30,30^FDstripped^FS^XZ~WC';
    await send(port, zpl);
    await expect.poll(() => lanJobs().find((j) => j.title.includes('without'))?.state, { timeout: 10_000 }).toBe('done');
    const out = zebra.printed.find((p) => p.includes('stripped'))!;
    expect(out).not.toMatch(/~JR|\^JUS|\^PR12|~WC/);
    expect(lanJobs().find((j) => j.title.includes('without'))!.title).toMatch(/without ~WC, ~JR, \^JU, \^PR/);

    const before = lanJobs().length;
    await send(strictPort, '^XA^FO20,20^FDrefused^FS^JUF^XZ');
    await new Promise((r) => setTimeout(r, 300));
    expect(lanJobs().length).toBe(before);
    expect(zebra.printed.some((p) => p.includes('refused'))).toBe(false);
  }, 30_000);

  it("takes a receipt from an ESC/POS sender: done once it has printed, the sender's own GS r confirming nothing", async () => {
    // A POS program's receipt asking the paper status halfway (GS r 1) and in real time (DLE EOT 4).
    const body = '\x1b@PICK LIST 4711\nhalf way\n\x1dr\x01second half of the receipt, longer\n\n\x1dV\x00';
    receipt.bytesPerMs = 0.25; // ~300 ms to print: "done" must wait for it
    await send(receiptPort, Buffer.from(`\x10\x04\x04${body}`, 'latin1'));
    await expect.poll(() => lanJobs().find((j) => j.printerId === 'receipt')?.state, { timeout: 10_000, interval: 5 }).toBe('done');
    // At the moment it is done, all of it has come out (the status questions are not printed).
    expect(receipt.waiting()).toBe(0);
    expect(receipt.received().toString('latin1')).toBe(body.replace('\x1dr\x01', ''));
  });

  it("answers a client's ~HS with the real printer's state, and a job sent after it prints", async () => {
    zebra.state = 'paper-out';
    await station.printers.refresh('tags');
    const asked = await send(port, '~HS');
    expect(asked.reply).toMatch(/^\x02030,1,/); // paper out flag set
    zebra.state = 'ready';
    await station.printers.refresh('tags');
    const ready = await send(port, '~HS\r\n^XA^FO20,20^FDafter status^FS^XZ');
    expect(ready.reply).toMatch(/^\x02030,0,0,/);
    await expect.poll(() => zebra.printed.some((p) => p.includes('after status')), { timeout: 10_000 }).toBe(true);
  }, 30_000);

  it('takes one long format arriving in many packets, answering a ~HS inside it', async () => {
    const before = lanJobs().length;
    const big = `^XA^FO20,20^A0N,30,30^FDlong ${'x'.repeat(3 * 1024 * 1024)}~HS${'y'.repeat(1024 * 1024)}^FS^XZ`;
    const result = await send(port, Buffer.from(big, 'latin1'));
    expect(result.ended).toBe('closed');
    expect(result.reply).toMatch(/^\x02030,0,0,/);
    await expect.poll(() => lanJobs().length, { timeout: 20_000 }).toBe(before + 1);
    const job = lanJobs()[0]!;
    expect(job.bytesTotal).toBe(big.length - 3); // the ~HS was answered here, not passed on
  }, 60_000);

  it('starts and stops with the printer\'s settings, without a restart', async () => {
    const admin = asToken(station.app, ADMIN);
    const current = ((await (await admin('/api/v1/admin/printers')).json()) as { items: Array<{ id: string; settings: Record<string, unknown> }> }).items.find((p) => p.id === 'strict')!;
    const { listen: _off, ...withoutListen } = current.settings;
    const res = await admin('/api/v1/admin/printers/strict', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ printer: withoutListen }) });
    expect(res.status).toBe(200);
    expect((await send(strictPort, '^XA^FDx^FS^XZ')).ended).toBe('refused');
  });
});
