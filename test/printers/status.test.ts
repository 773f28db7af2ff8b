import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { loadPrinters, type PrinterRegistry } from '../../src/printing/registry.js';
import { PartialPrintError, type RenderedDocument } from '../../src/printing/types.js';
import { mapPrinterState } from '../../printers/ipp.js';
import { startTcpPrinter, type DoubleState, type TcpPrinterDouble } from '../doubles/tcp-printer.js';
import { startIppPrinter, type IppPrinterDouble } from '../doubles/ipp-printer.js';

describe('ZPL status from ~HS', () => {
  let double: TcpPrinterDouble;
  let printers: PrinterRegistry;
  beforeAll(async () => {
    double = await startTcpPrinter('zpl');
    printers = await loadPrinters([{ id: 'z', driver: 'zpl', uri: double.uri, options: { statusTimeoutMs: 300, writeTimeoutMs: 800 } }], silentLogger());
  });
  afterAll(() => double.close());

  it.each([
    ['ready', 'ready'],
    ['paper-out', 'no-media'],
    ['paused', 'paused'],
    ['head-open', 'head-open'],
    ['ribbon-out', 'ribbon-out'],
    ['printing', 'printing'],
  ] as Array<[DoubleState, string]>)('printer %s -> %s', async (state, expected) => {
    double.mode = 'normal';
    double.state = state;
    const view = await printers.refresh('z');
    expect(view.state).toBe(expected);
    expect(view.lastSeenAt).toBeDefined();
  });

  it('a reachable printer that stays silent is in error, not offline', async () => {
    double.mode = 'silent';
    const view = await printers.refresh('z');
    expect(view.state).toBe('error');
    expect(view.detail).toMatch(/no answer to ~HS within 300 ms/);
  });

  it('does not poll a printer while a job streams, and reports a stalled printer as partly sent', async () => {
    double.mode = 'stall';
    const big: RenderedDocument = { format: 'zpl', bytes: Buffer.alloc(24 * 1024 * 1024, 0x41), meta: { name: 'big.zpl', contentType: 'x' } };
    const job = printers.print('z', big, { signal: AbortSignal.timeout(20_000) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await new Promise((r) => setTimeout(r, 100));
    const connectionsBefore = double.jobs.length;
    expect((await printers.refresh('z')).state).toBe('printing');
    expect(double.jobs.length).toBe(connectionsBefore);
    const err = await job;
    expect(err).toBeInstanceOf(PartialPrintError);
    expect((err as PartialPrintError).message).toMatch(/took no data for 800 ms/);
  });
});

describe('ESC/POS status from DLE EOT', () => {
  let double: TcpPrinterDouble;
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
  ] as Array<[DoubleState, string]>)('printer %s -> %s', async (state, expected) => {
    double.mode = 'normal';
    double.state = state;
    expect((await printers.refresh('r')).state).toBe(expected);
  });

  it('says plainly when a printer connects but does not report status', async () => {
    double.mode = 'silent';
    const view = await printers.refresh('r');
    expect(view.state).toBe('unknown');
    expect(view.detail).toMatch(/does not answer status/);
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

describe('printer configuration', () => {
  it('reports a misconfigured printer on that printer while the others work', async () => {
    const printers = await loadPrinters(
      [
        { id: 'ok', driver: 'folder', uri: 'file:///tmp', options: {} },
        { id: 'typo', driver: 'zebra', uri: 'tcp://127.0.0.1:9100' },
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
    await expect(printers.print('typo', { format: 'zpl', bytes: Buffer.from('x'), meta: { name: 'x', contentType: 'x' } }, { signal: AbortSignal.timeout(1000) })).rejects.toMatchObject({ code: 'PRINTER_NOT_USABLE' });
  });
});
