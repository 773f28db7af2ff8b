// The ESC/POS driver's proof of delivery: DLE EOT before the traveler (hold) and after it (confirm).
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { loadPrinters } from '../../src/printing/registry.js';
import { PartialPrintError, PrinterHeldError, type RenderedDocument } from '../../src/printing/types.js';
import { startEscPosPrinter, type EscPosDouble } from '../doubles/escpos-printer.js';

let receipt: EscPosDouble;
afterEach(() => receipt?.close());

const traveler: RenderedDocument = { format: 'escpos', bytes: Buffer.from('\x1b@WO-24001 traveler\n\n\n\x1dV\x00', 'latin1'), meta: { name: 't.bin', contentType: 'application/octet-stream' } };

async function setup(options: Record<string, unknown> = {}) {
  receipt = await startEscPosPrinter();
  return loadPrinters([{ id: 'r', driver: 'escpos', uri: receipt.uri, options: { statusTimeoutMs: 300, writeTimeoutMs: 800, ...options } }], silentLogger());
}

describe('ESC/POS delivery', () => {
  it('is done when the printer answers status after the traveler', async () => {
    const printers = await setup();
    expect(await printers.print('r', traveler, { signal: AbortSignal.timeout(5000) })).toMatchObject({ confirmed: true, partsConfirmed: 1 });
    expect(receipt.received().equals(traveler.bytes as Buffer)).toBe(true);
  });

  it.each([
    ['paper-out', 'no-media'],
    ['head-open', 'head-open'],
  ] as const)('sends nothing while the printer reports %s', async (state, mapped) => {
    const printers = await setup();
    receipt.state = state;
    const err = await printers.print('r', traveler, { signal: AbortSignal.timeout(5000) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrinterHeldError);
    expect((err as PrinterHeldError).printerStatus.state).toBe(mapped);
    expect(receipt.received().length).toBe(0);
  });

  it('holds a job for a printer that does not answer status, and sends it unconfirmed when set up so', async () => {
    let printers = await setup();
    receipt.mode = 'silent';
    const err = await printers.print('r', traveler, { signal: AbortSignal.timeout(5000) }).catch((e: unknown) => e);
    expect((err as PrinterHeldError).printerStatus.detail).toMatch(/no answer to a status request/);
    expect(receipt.received().length).toBe(0);
    await receipt.close();
    printers = await setup({ confirm: false });
    receipt.mode = 'silent';
    expect(await printers.print('r', traveler, { signal: AbortSignal.timeout(5000) })).toMatchObject({ confirmed: false });
  });

  it('a printer that runs out of paper during the traveler leaves it in doubt', async () => {
    const printers = await setup();
    const job = printers.print('r', { ...traveler, bytes: Buffer.concat([traveler.bytes, Buffer.alloc(2_000_000, 0x41)]) }, { signal: AbortSignal.timeout(5000) }).catch((e: unknown) => e);
    await expect.poll(() => receipt.received().length, { interval: 1 }).toBeGreaterThan(0);
    receipt.state = 'paper-out';
    const err = await job;
    expect(err).toBeInstanceOf(PartialPrintError);
    expect((err as PartialPrintError).message).toMatch(/out of paper: it may be cut short/);
  });
});
