// The ESC/POS driver's proof of delivery: DLE EOT before the traveler (hold), GS r after it (printed), against a
// printer that prints from its buffer after answering real-time questions, as receipt printers do.
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { loadPrinters } from '../../src/printing/registry.js';
import { PartialPrintError, PrinterHeldError, type DeliveryProgress, type RenderedDocument } from '../../src/printing/types.js';
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
    expect((err as PrinterHeldError).printerStatus.detail).toMatch(/no answer to a status request .*set its option confirm to false/);
    expect(receipt.received().length).toBe(0);
    await receipt.close();
    printers = await setup({ confirm: false });
    receipt.mode = 'silent';
    expect(await printers.print('r', traveler, { signal: AbortSignal.timeout(5000) })).toMatchObject({ confirmed: false });
  });

  it('a printer that answered before and is silent now is not pointed at turning confirmation off', async () => {
    const printers = await setup();
    expect(await printers.print('r', traveler, { signal: AbortSignal.timeout(5000) })).toMatchObject({ confirmed: true });
    receipt.mode = 'silent';
    const err = await printers.print('r', traveler, { signal: AbortSignal.timeout(5000) }).catch((e: unknown) => e);
    expect((err as PrinterHeldError).printerStatus.detail).toBe(
      'no answer to a status request (DLE EOT) within 300 ms, though it has answered before: another computer may be sending to it (it takes one connection at a time), or it is stuck',
    );
    expect(await printers.refresh('r', 2000)).toMatchObject({ state: 'error', detail: expect.stringMatching(/though it has answered before/) });
  });

  it('is not done while the traveler it has received is still printing', async () => {
    const printers = await setup({ printTimeoutMs: 5000 });
    receipt.bytesPerMs = 0.5; // ~50 ms for this traveler: the printer has it long before it has printed it
    expect(await printers.print('r', traveler, { signal: AbortSignal.timeout(5000) })).toMatchObject({ confirmed: true, partsPrinted: 1 });
    expect(receipt.received().equals(traveler.bytes as Buffer)).toBe(true);
    expect(receipt.waiting()).toBe(0);
  });

  it('a printer that runs out of paper partway through the traveler: the job waits with it, saying so, and is done once a new roll is in', async () => {
    // Longer out of paper than the time limit for a traveler to print: waiting for a person is not going nowhere.
    const printers = await setup({ printTimeoutMs: 1000 });
    receipt.bytesPerMs = 0.5;
    receipt.paperLeft = 12;
    const said: Array<string | undefined> = [];
    const printing = printers.print('r', traveler, { signal: AbortSignal.timeout(10_000), onProgress: (p: DeliveryProgress) => void said.push(p.waitingFor) });
    await expect.poll(() => said.at(-1), { timeout: 3000 }).toBe('out of paper');
    await new Promise((r) => setTimeout(r, 1500));
    expect(receipt.received().length).toBe(12);
    // A new roll: the rest comes out by itself, and only then is the traveler done.
    receipt.loadPaper();
    expect(await printing).toMatchObject({ confirmed: true, partsConfirmed: 1, partsPrinted: 1 });
    expect(receipt.received().equals(traveler.bytes as Buffer)).toBe(true);
    expect(said.at(-1)).toBeUndefined();
  });

  it('an error partway (not paper or the cover) leaves the traveler in doubt, the rest in its memory', async () => {
    const printers = await setup({ printTimeoutMs: 5000 });
    receipt.bytesPerMs = 0.5;
    receipt.paperLeft = 12;
    const printing = printers.print('r', traveler, { signal: AbortSignal.timeout(5000) }).catch((e: unknown) => e);
    await expect.poll(() => receipt.state, { timeout: 3000 }).toBe('paper-out');
    receipt.state = 'error';
    const err = await printing;
    expect(err).toBeInstanceOf(PartialPrintError);
    expect((err as PartialPrintError).message).toMatch(/stopped before it had printed the whole traveler: .*What is left of it is in the printer's memory and prints once that is put right, unless the printer is switched off/);
    expect((err as PartialPrintError).evidence).toMatchObject({ partsSent: 1, partsConfirmed: 0 });
  });

  it('counts the GS r questions in the document itself: their answers do not confirm the traveler', async () => {
    const printers = await setup({ printTimeoutMs: 5000 });
    const asks = Buffer.concat([Buffer.from('\x1b@first half\n\x1dr\x01', 'latin1'), Buffer.from('second half, longer than the paper left\n\x1dV\x00', 'latin1')]);
    receipt.bytesPerMs = 0.5;
    receipt.paperLeft = 20;
    let ended = false;
    const printing = printers.print('r', { ...traveler, bytes: asks }, { signal: AbortSignal.timeout(10_000) }).finally(() => (ended = true));
    // The document's own question is answered after its first half; the job goes on waiting for its second.
    await expect.poll(() => receipt.state, { timeout: 3000 }).toBe('paper-out');
    await new Promise((r) => setTimeout(r, 500));
    expect(ended).toBe(false);
    expect(receipt.received().length).toBe(20);
    receipt.loadPaper();
    expect(await printing).toMatchObject({ confirmed: true });
    expect(receipt.received().toString('latin1')).toMatch(/first half\n.*second half, longer than the paper left\n\x1dV\x00$/s);
  });

  it('a printer that answers DLE EOT but not GS r: in doubt, pointing at the option that ends its jobs sent', async () => {
    let printers = await setup({ printTimeoutMs: 400 });
    receipt.mode = 'realtime-only';
    const err = await printers.print('r', traveler, { signal: AbortSignal.timeout(5000) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartialPrintError);
    expect((err as PartialPrintError).message).toMatch(/did not say it had printed it within 400 ms \(it reports ready; .*confirmPrinted off\)/);
    await receipt.close();
    printers = await setup({ confirmPrinted: false });
    receipt.mode = 'realtime-only';
    expect(await printers.print('r', traveler, { signal: AbortSignal.timeout(5000) })).toMatchObject({ confirmed: false, note: expect.stringMatching(/received the traveler/) });
  });

  it('a printer that resets the connection before the traveler has printed leaves it in doubt', async () => {
    const printers = await setup({ printTimeoutMs: 5000 });
    receipt.mode = 'cut';
    receipt.cutAfterBytes = 20 + 9; // the status question before, then part of the traveler
    const err = await printers.print('r', traveler, { signal: AbortSignal.timeout(5000) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartialPrintError);
    expect((err as PartialPrintError).message).toMatch(/connection failed before the printer said it had printed the traveler/);
  });
});
