import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { loadPrinters, type PrinterRegistry } from '../../src/printing/registry.js';
import { PartialPrintError, PrinterHeldError } from '../../src/printing/types.js';
import { zplLabels } from '../helpers/queue.js';
import { mapPrinterState } from '../../printers/ipp.js';
import { connect } from 'node:net';
import { startTcpPrinter, type EscPosDouble, type TcpPrinterDouble } from '../doubles/tcp-printer.js';
import type { EscPosState } from '../doubles/escpos-printer.js';
import type { ZebraState } from '../doubles/zebra-printer.js';
import { startIppPrinter, type IppPrinterDouble } from '../doubles/ipp-printer.js';

describe('ZPL status from ~HS', () => {
  let double: TcpPrinterDouble;
  let printers: PrinterRegistry;
  beforeAll(async () => {
    double = await startTcpPrinter('zpl');
    printers = await loadPrinters([{ id: 'z', driver: 'zpl', uri: double.uri, options: { statusTimeoutMs: 300, writeTimeoutMs: 800, confirmEvery: 5 } }], silentLogger());
  });
  afterAll(() => double.close());

  it.each([
    ['ready', 'ready'],
    ['paper-out', 'no-media'],
    ['paused', 'paused'],
    ['head-open', 'head-open'],
    ['ribbon-out', 'ribbon-out'],
  ] as Array<[ZebraState, string]>)('printer %s -> %s', async (state, expected) => {
    double.mode = 'normal';
    double.state = state;
    const view = await printers.refresh('z');
    expect(view.state).toBe(expected);
    expect(view.lastSeenAt).toBeDefined();
  });

  it('says printing, with the labels it still holds, while it works through its buffer', async () => {
    double.state = 'ready';
    double.msPerLabel = 300;
    const s = connect(double.port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    s.end('^XA^FDa^FS^XZ^XA^FDb^FS^XZ^XA^FDc^FS^XZ');
    await expect.poll(() => double.buffered()).toBe(3);
    const view = await printers.refresh('z');
    expect(view.state).toBe('printing');
    expect(view.detail).toMatch(/3 labels still to print/);
    double.msPerLabel = 0;
    await expect.poll(() => double.labels(), { timeout: 3000 }).toBe(3);
  });

  it('a reachable printer that stays silent is in error, not offline', async () => {
    double.mode = 'silent';
    const view = await printers.refresh('z');
    expect(view.state).toBe('error');
    expect(view.detail).toMatch(/no answer to ~HS within 300 ms/);
  });

  it('does not poll a printer while a job streams, and calls a printer that hangs mid-job unproven', async () => {
    double.mode = 'stall';
    double.stallAfterFormats = 3;
    const doc = zplLabels(12);
    const job = printers.print('z', doc, { signal: AbortSignal.timeout(20_000) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await expect.poll(() => double.jobs.length).toBeGreaterThan(0);
    const connectionsBefore = double.jobs.length;
    expect((await printers.refresh('z')).state).toBe('printing');
    expect(double.jobs.length).toBe(connectionsBefore);
    const err = await job;
    expect(err).toBeInstanceOf(PartialPrintError);
    expect((err as PartialPrintError).message).toMatch(/did not answer ~HS within 800 ms after the labels/);
    // Three of the first five arrived, none was confirmed: five are in doubt, seven were never sent.
    expect((err as PartialPrintError).evidence).toMatchObject({ partsConfirmed: 0, partsSent: 5 });
    double.stallAfterFormats = 0;
  });

  it('holds a job, sending nothing, when the printer does not answer ~HS at all', async () => {
    double.mode = 'stall';
    const before = double.received().length;
    const err = await printers.print('z', zplLabels(2), { signal: AbortSignal.timeout(5000) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrinterHeldError);
    expect((err as PrinterHeldError).printerStatus.detail).toMatch(/no answer to ~HS within 300 ms/);
    expect(double.received().length).toBe(before);
    double.mode = 'normal';
  });
});

describe('ESC/POS status from DLE EOT', () => {
  let double: EscPosDouble;
  let printers: PrinterRegistry;
  beforeAll(async () => {
    double = await startTcpPrinter('escpos');
    printers = await loadPrinters([{ id: 'r', driver: 'escpos', uri: double.uri, options: { statusTimeoutMs: 300 } }], silentLogger());
  });
  afterAll(() => double.close());

  it.each([
    ['ready', 'ready'],
    ['paper-out', 'no-media'],
    ['head-open', 'head-open'],
    ['paused', 'paused'],
  ] as Array<[EscPosState, string]>)('printer %s -> %s', async (state, expected) => {
    double.mode = 'normal';
    double.state = state;
    expect((await printers.refresh('r')).state).toBe(expected);
  });

  it('says plainly when a printer connects but does not report status, and when one that did has stopped', async () => {
    double.mode = 'silent';
    // This one has answered (above): busy with another computer's connection, or stuck.
    expect(await printers.refresh('r')).toMatchObject({ state: 'error', detail: expect.stringMatching(/though it has answered before/) });
    const never = await loadPrinters([{ id: 'r', driver: 'escpos', uri: double.uri, options: { statusTimeoutMs: 300 } }], silentLogger());
    const view = await never.refresh('r');
    expect(view.state).toBe('unknown');
    expect(view.detail).toMatch(/does not answer status/);
    await never.close();
  });
});

describe('IPP status', () => {
  it.each([
    ['idle', 'none', 'ready'],
    ['processing', 'none', 'printing'],
    ['stopped', ['media-empty-error', 'paused'], 'no-media'],
    ['idle', ['door-open-error'], 'head-open'],
    ['idle', ['toner-empty-error'], 'ribbon-out'],
    ['stopped', 'paused', 'paused'],
    ['idle', ['media-low-report'], 'ready'],
    ['stopped', ['other-error'], 'error'],
  ])('printer-state %s with %j -> %s', (state, reasons, expected) => {
    expect(mapPrinterState(state, reasons).state).toBe(expected);
  });

  it('says a warning a person must act on without holding jobs back (CUPS: out of paper while it keeps the job)', () => {
    expect(mapPrinterState('processing', ['media-empty-warning'])).toEqual({ state: 'printing', detail: 'out of paper (media-empty-warning)' });
    expect(mapPrinterState('idle', ['toner-low-report', 'door-open-warning'])).toEqual({ state: 'ready', detail: 'a door or cover is open (door-open-warning)' });
    expect(mapPrinterState('processing', ['toner-low-warning'])).toEqual({ state: 'printing' });
  });

  let ippPrinter: IppPrinterDouble;
  beforeAll(async () => {
    ippPrinter = await startIppPrinter();
  });
  afterAll(() => ippPrinter.close());

  it('reads a real IPP printer as ready', async () => {
    const printers = await loadPrinters([{ id: 'i', driver: 'ipp', uri: ippPrinter.uri }], silentLogger());
    expect((await printers.refresh('i')).state).toBe('ready');
  });
});

describe('an address that leads to no printer', () => {
  it('says which way it fails and what to check: a name no device has, a port nothing listens on', async () => {
    // The .invalid domain never exists (RFC 6761): ENOTFOUND, or EAI_AGAIN on a machine whose name server is away.
    const closed = await startTcpPrinter('zpl');
    const port = closed.port;
    await closed.close();
    const printers = await loadPrinters(
      [
        { id: 'named', driver: 'zpl', uri: 'tcp://zebra-bench3.invalid:9100' },
        { id: 'ipp-named', driver: 'ipp', uri: 'ipp://laser.invalid/ipp/print' },
        { id: 'port', driver: 'zpl', uri: `tcp://127.0.0.1:${port}` },
      ],
      silentLogger(),
    );
    const named = await printers.refresh('named');
    expect(named.state).toBe('offline');
    expect(named.detail).toMatch(/^Printer at zebra-bench3\.invalid:9100 could not be (found: no device on the network has the name "zebra-bench3\.invalid"\. Check the name, or give the printer's IP address instead|looked up: the network's name server did not answer for "zebra-bench3\.invalid")/);
    const ippNamed = await printers.refresh('ipp-named');
    expect(ippNamed.state).toBe('offline');
    expect(ippNamed.detail).toMatch(/^IPP printer laser\.invalid:631 could not be (found: no device on the network has the name "laser\.invalid"|looked up)/);
    const refused = await printers.refresh('port');
    expect(refused.detail).toMatch(/^Printer at 127\.0\.0\.1:\d+ refused the connection\. .*is the port right \(9100 for most label printers\)\?$/);
  });
});

describe('printer configuration', () => {
  it('reports a misconfigured printer on that printer while the others work', async () => {
    const printers = await loadPrinters(
      [
        { id: 'ok', driver: 'folder', uri: 'file:///tmp', options: {} },
        { id: 'typo', name: 'Tag printer', driver: 'zebra', uri: 'tcp://127.0.0.1:9100' },
        { id: 'scheme', driver: 'zpl', uri: 'ipp://127.0.0.1/x' },
        { id: 'opts', driver: 'zpl', uri: 'tcp://127.0.0.1:9100', options: { connectTimeoutMs: 'soon' } },
      ],
      silentLogger(),
    );
    const byId = Object.fromEntries(printers.views().map((v) => [v.id, v]));
    expect(byId.ok!.problem).toBeUndefined();
    expect(byId.typo!.problem).toMatch(/unknown driver "zebra"; known drivers: zpl, escpos, ipp, folder/);
    expect(byId.scheme!.problem).toMatch(/driver zpl takes tcp: addresses, not ipp:/);
    expect(byId.opts!.problem).toMatch(/options\.connectTimeoutMs/);
    expect(byId.typo!.state).toBe('error');
    await expect(printers.print('typo', { format: 'zpl', bytes: Buffer.from('x'), meta: { name: 'x', contentType: 'x' } }, { signal: AbortSignal.timeout(1000) })).rejects.toMatchObject({ code: 'PRINTER_NOT_USABLE', message: expect.stringMatching(/^Tag printer \(printer "typo"\) is not usable: driver: unknown driver "zebra"/) });
  });
});
