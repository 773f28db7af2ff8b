// The ZPL driver's proof of delivery against a Zebra-like double: what it calls confirmed, printed, held or in doubt.
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { loadPrinters } from '../../src/printing/registry.js';
import { PartialPrintError, PrinterHeldError, type DeliveryProgress } from '../../src/printing/types.js';
import { startZebraPrinter, type ZebraDouble } from '../doubles/zebra-printer.js';
import { zplLabels } from '../helpers/queue.js';

let zebra: ZebraDouble;
afterEach(() => zebra?.close());

async function setup(options: Record<string, unknown> = {}) {
  zebra = await startZebraPrinter();
  const printers = await loadPrinters([{ id: 'z', driver: 'zpl', uri: zebra.uri, options: { statusTimeoutMs: 500, writeTimeoutMs: 1500, pollMs: 20, ...options } }], silentLogger());
  return printers;
}

const outcome = (p: Promise<unknown>) => p.then((r) => ({ ok: r }), (err: unknown) => ({ err }));

describe('ZPL delivery', () => {
  it('is done when the printer has confirmed every label, in groups on the same connection, and says how many printed', async () => {
    const printers = await setup({ confirmEvery: 4 });
    zebra.msPerLabel = 15;
    const progress: DeliveryProgress[] = [];
    const result = await printers.print('z', zplLabels(10), { signal: AbortSignal.timeout(10_000), onProgress: (p) => void progress.push(p) });
    expect(result).toMatchObject({ confirmed: true, partsConfirmed: 10 });
    // Printed is what the printer said had come out at its last answer: the labels it still held were not.
    expect(result.partsPrinted).toBeLessThan(10);
    await expect.poll(() => zebra.labels()).toBe(10);
    expect(zebra.printed.map((f) => /label (\d+) of/.exec(f)![1])).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    // Before each group leaves, the parts about to go are reported (stored by the queue); then confirmed.
    const beforeWrites = progress.filter((p) => p.partsSent > p.partsConfirmed).map((p) => p.partsSent);
    expect(beforeWrites).toEqual([4, 8, 10]);
    // One question before sending, one after each group, and some while the last labels printed.
    expect(zebra.statusAnswers).toBeGreaterThanOrEqual(4);
    expect(result.note).toMatch(/odometer advanced \d+ in while the job was sent/);
  });

  it.each([
    ['paper-out', 'no-media', /out of labels/],
    ['head-open', 'head-open', /print head is open/],
    ['ribbon-out', 'ribbon-out', /out of ribbon/],
    ['paused', 'paused', /paused/],
  ] as const)('sends nothing to a printer that answers %s, and says why', async (state, mapped, words) => {
    const printers = await setup();
    zebra.state = state;
    const r = await outcome(printers.print('z', zplLabels(3), { signal: AbortSignal.timeout(5000) }));
    expect((r as { err: unknown }).err).toBeInstanceOf(PrinterHeldError);
    const err = (r as { err: PrinterHeldError }).err;
    expect(err.printerStatus.state).toBe(mapped);
    expect(err.printerStatus.detail).toMatch(words);
    expect(err.partsConfirmed).toBe(0);
    expect(zebra.buffered() + zebra.labels()).toBe(0);
  });

  it('sends into a paused printer when told to, and is done once it is resumed and has printed', async () => {
    const printers = await setup({ whenPaused: 'send' });
    zebra.state = 'paused';
    const seen: string[] = [];
    const job = printers.print('z', zplLabels(6), { signal: AbortSignal.timeout(10_000), onProgress: (p) => void (p.status && seen.push(p.status.state)) });
    await expect.poll(() => zebra.buffered()).toBe(6);
    expect(zebra.labels()).toBe(0);
    zebra.state = 'ready';
    expect(await job).toMatchObject({ partsConfirmed: 6 });
    await expect.poll(() => zebra.labels()).toBe(6);
    expect(seen).toContain('paused');
  });

  it('when the labels run out with more to send, stops sending: what it confirmed stays in the printer, nothing is in doubt', async () => {
    const printers = await setup({ confirmEvery: 3, maxAhead: 6 });
    zebra.msPerLabel = 5;
    zebra.paperLeft = 4;
    const r = await outcome(printers.print('z', zplLabels(40), { signal: AbortSignal.timeout(10_000) }));
    const err = (r as { err: PrinterHeldError }).err;
    expect(err).toBeInstanceOf(PrinterHeldError);
    expect(err.printerStatus.state).toBe('no-media');
    expect(zebra.labels()).toBe(4);
    // Everything it holds was confirmed; nothing beyond was sent.
    expect(zebra.labels() + zebra.buffered()).toBe(err.partsConfirmed);
    expect(err.partsConfirmed).toBeLessThanOrEqual(4 + 6 + 3);
    // Reloaded: the held labels print, and the job goes on after the confirmed ones.
    zebra.state = 'ready';
    await printers.print('z', zplLabels(40), { signal: AbortSignal.timeout(10_000), startPart: err.partsConfirmed });
    expect(zebra.printed.map((f) => Number(/label (\d+) of/.exec(f)![1]))).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('when the labels run out with the last labels sent, waits with them (saying so) until the printer goes on', async () => {
    const printers = await setup({ confirmEvery: 4 });
    zebra.paperLeft = 0;
    const held: string[] = [];
    const job = printers.print('z', zplLabels(8), { signal: AbortSignal.timeout(10_000), onProgress: (p) => void (p.status?.state === 'no-media' && held.push(p.status.detail!)) });
    await expect.poll(() => held.length).toBeGreaterThan(0);
    expect(held[0]).toMatch(/out of labels \(8 labels waiting in it\)/);
    zebra.state = 'ready';
    expect(await job).toMatchObject({ partsConfirmed: 8 });
    await expect.poll(() => zebra.labels()).toBe(8);
  });

  it('a reset after 3 of 8 labels is not "done": nothing confirmed, the first group in doubt, the rest not sent', async () => {
    const printers = await setup({ confirmEvery: 5 });
    zebra.mode = 'cut';
    zebra.cutAfterFormats = 3;
    const r = await outcome(printers.print('z', zplLabels(8), { signal: AbortSignal.timeout(5000) }));
    const err = (r as { err: PartialPrintError }).err;
    expect(err).toBeInstanceOf(PartialPrintError);
    expect(err.evidence).toMatchObject({ partsConfirmed: 0, partsSent: 5 });
    expect(err.message).toMatch(/reset the connection|closed the connection/);
    await expect.poll(() => zebra.labels()).toBe(3);
  });

  it('when the printer memory is full and it stops reading, the labels sent since its last answer are in doubt', async () => {
    const printers = await setup({ confirmEvery: 3, maxAhead: 50 });
    zebra.paperLeft = 2;
    zebra.bufferCapacity = 4;
    const err = ((await outcome(printers.print('z', zplLabels(30), { signal: AbortSignal.timeout(10_000) }))) as { err: PartialPrintError | PrinterHeldError }).err;
    if (err instanceof PrinterHeldError) {
      expect(zebra.labels() + zebra.buffered()).toBe(err.partsConfirmed);
    } else {
      expect(err).toBeInstanceOf(PartialPrintError);
      expect(err.evidence.partsSent - err.evidence.partsConfirmed).toBeLessThanOrEqual(3);
      expect(zebra.labels() + zebra.buffered()).toBeLessThanOrEqual(err.evidence.partsSent);
    }
  });

  it('a reset after 50 of 2,000 labels leaves at most one group in doubt', async () => {
    const printers = await setup({ confirmEvery: 5 });
    zebra.mode = 'cut';
    zebra.cutAfterFormats = 50;
    const r = await outcome(printers.print('z', zplLabels(2000), { signal: AbortSignal.timeout(10_000) }));
    const err = (r as { err: PartialPrintError }).err;
    expect(err).toBeInstanceOf(PartialPrintError);
    expect(err.evidence.partsConfirmed).toBe(45);
    expect(err.evidence.partsSent).toBe(50);
    await expect.poll(() => zebra.labels()).toBe(50);
  });

  it('a printer that goes away while labels wait in it leaves them in doubt, as held in the printer', async () => {
    const printers = await setup({ confirmEvery: 4 });
    zebra.paperLeft = 0;
    const job = outcome(printers.print('z', zplLabels(8), { signal: AbortSignal.timeout(10_000) }));
    await expect.poll(() => zebra.state).toBe('paper-out');
    await new Promise((r) => setTimeout(r, 100));
    await zebra.close();
    const err = ((await job) as { err: PartialPrintError }).err;
    expect(err).toBeInstanceOf(PartialPrintError);
    expect(err.evidence).toMatchObject({ partsConfirmed: 8, partsSent: 8, partsPrinted: 0, heldInPrinter: true });
  });

  it('with confirm off, hands the labels over and says it could not confirm them', async () => {
    const printers = await setup({ confirm: false });
    zebra.mode = 'silent';
    const result = await printers.print('z', zplLabels(7), { signal: AbortSignal.timeout(5000) });
    expect(result).toMatchObject({ confirmed: false, partsSent: 7, partsConfirmed: 0 });
    await expect.poll(() => zebra.labels()).toBe(7);
  });

  it('sends one label at once to a printer that answered ready a moment ago; the answer after it still decides', async () => {
    // A connection per job here: a kept connection is asked ~HS before each job (see the tests of keepOpenMs).
    const printers = await setup({ freshStatusMs: 5000, keepOpenMs: 0 });
    await printers.print('z', zplLabels(1, 'first'), { signal: AbortSignal.timeout(5000) });
    const asked = zebra.statusAnswers;
    await printers.print('z', zplLabels(1, 'second'), { signal: AbortSignal.timeout(5000) });
    // No question before it: only the one that confirms it.
    expect(zebra.statusAnswers - asked).toBe(1);
    await expect.poll(() => zebra.printed.map((f) => /\^FD(\w+) 1 of 1/.exec(f)![1])).toEqual(['first', 'second']);

    // Out of labels since that answer: the label goes into its memory, confirmed, and the job waits for it to print.
    zebra.state = 'paper-out';
    const seen: string[] = [];
    const third = printers.print('z', zplLabels(1, 'third'), { signal: AbortSignal.timeout(10_000), onProgress: (p) => void (p.status && seen.push(p.status.state)) });
    await expect.poll(() => zebra.buffered()).toBe(1);
    await expect.poll(() => seen).toContain('no-media');
    zebra.state = 'ready';
    expect(await third).toMatchObject({ confirmed: true, partsConfirmed: 1 });
    await expect.poll(() => zebra.labels()).toBe(3);

    // A job of several labels, or an answer older than that, asks first as always.
    const before = zebra.statusAnswers;
    zebra.state = 'head-open';
    const held = await outcome(printers.print('z', zplLabels(2, 'fourth'), { signal: AbortSignal.timeout(5000) }));
    expect((held as { err: unknown }).err).toBeInstanceOf(PrinterHeldError);
    expect(zebra.statusAnswers - before).toBe(1);
    expect(zebra.buffered()).toBe(0);

    // A recent answer to the station's monitor counts too: ready, the next label goes at once...
    zebra.state = 'ready';
    expect((await printers.refresh('z', 1000)).state).toBe('ready');
    let since = zebra.statusAnswers;
    await printers.print('z', zplLabels(1, 'fifth'), { signal: AbortSignal.timeout(5000) });
    expect(zebra.statusAnswers - since).toBe(1);
    // ...out of labels (even if reloaded since), the next label is asked for first.
    zebra.state = 'paper-out';
    expect((await printers.refresh('z', 1000)).state).toBe('no-media');
    zebra.state = 'ready';
    since = zebra.statusAnswers;
    await printers.print('z', zplLabels(1, 'sixth'), { signal: AbortSignal.timeout(5000) });
    expect(zebra.statusAnswers - since).toBe(2);
  });

  it('sends no more while maxAhead labels wait in the printer, counting those of the jobs before', async () => {
    const printers = await setup({ maxAhead: 4, confirmEvery: 2 });
    zebra.msPerLabel = 25;
    // One-label jobs one after another, each confirmed at once, faster than the printer prints them.
    for (let i = 1; i <= 10; i++) expect(await printers.print('z', zplLabels(1, `tag${i}`), { signal: AbortSignal.timeout(10_000) })).toMatchObject({ confirmed: true });
    // And a longer job: before each group it waits until fewer than four wait.
    expect(await printers.print('z', zplLabels(7, 'long'), { signal: AbortSignal.timeout(10_000) })).toMatchObject({ confirmed: true, partsConfirmed: 7 });
    // Fewer than maxAhead waited before each send of at most confirmEvery labels.
    expect(zebra.mostBuffered).toBeLessThanOrEqual(4 - 1 + 2);
    await expect.poll(() => zebra.labels()).toBe(17);
  });

  it('ends a confirmed job without waiting for a printer that keeps the connection open', async () => {
    const printers = await setup({ keepOpenMs: 0 });
    zebra.keepsConnectionsOpen = true;
    const result = await printers.print('z', zplLabels(2), { signal: AbortSignal.timeout(5000) });
    expect(result).toMatchObject({ confirmed: true, partsConfirmed: 2 });
    // Done while the printer still holds its side open (it has everything, confirmed).
    expect(zebra.openJobConnections()).toBe(1);
    // Ten one-label jobs one after another: waiting for each close (it was up to 500 ms a job) would take 5 s; the
    // jobs themselves take a few ms each, so 3 s leaves a wide margin on a loaded machine.
    const ten = (async () => {
      for (let i = 1; i <= 10; i++) await printers.print('z', zplLabels(1, `tag${i}`), { signal: AbortSignal.timeout(5000) });
      return 'printed';
    })();
    expect(await Promise.race([ten, new Promise((r) => setTimeout(r, 3000, 'held'))])).toBe('printed');
    await expect.poll(() => zebra.labels()).toBe(12);
  });
});

describe('a connection kept for the next job', () => {
  const tag = (f: string) => /\^FD(\w+) 1 of/.exec(f)?.[1];

  it('carries one-label jobs that follow within keepOpenMs, each asked ~HS on it first', async () => {
    const printers = await setup({ keepOpenMs: 1000 });
    for (let i = 1; i <= 10; i++) {
      const asked = zebra.statusAnswers;
      expect(await printers.print('z', zplLabels(1, `tag${i}`), { signal: AbortSignal.timeout(5000) })).toMatchObject({ confirmed: true, partsConfirmed: 1 });
      // The first job asks before and after its label on its new connection; each next one asks on the kept one.
      expect(zebra.statusAnswers - asked).toBe(2);
    }
    expect(zebra.connections).toBe(1);
    await expect.poll(() => zebra.printed.map(tag)).toEqual(Array.from({ length: 10 }, (_, i) => `tag${i + 1}`));
    // Longer than keepOpenMs without a job: closed, and the next job has a connection of its own.
    await new Promise((r) => setTimeout(r, 1200));
    expect(zebra.openJobConnections()).toBe(0);
    await printers.print('z', zplLabels(1, 'later'), { signal: AbortSignal.timeout(5000) });
    expect(zebra.connections).toBe(2);
  });

  it.each(['close', 'reset'] as const)('after the printer ends it (%s), the next label goes on a new connection: printed once, nothing in doubt', async (how) => {
    const printers = await setup({ keepOpenMs: 5000 });
    await printers.print('z', zplLabels(1, 'before'), { signal: AbortSignal.timeout(5000) });
    zebra.hangUp(how);
    expect(await printers.print('z', zplLabels(1, 'after'), { signal: AbortSignal.timeout(5000) })).toMatchObject({ confirmed: true, partsConfirmed: 1 });
    expect(zebra.connections).toBe(2);
    await expect.poll(() => zebra.printed.map(tag)).toEqual(['before', 'after']);
  });

  it('sends no label on a kept connection the printer no longer answers on', async () => {
    const printers = await setup({ keepOpenMs: 5000 });
    await printers.print('z', zplLabels(1, 'before'), { signal: AbortSignal.timeout(5000) });
    zebra.mode = 'silent';
    const r = await outcome(printers.print('z', zplLabels(1, 'after'), { signal: AbortSignal.timeout(5000) }));
    // Not on the kept connection (no answer to ~HS), nor on a new one (no answer either): held, nothing sent.
    expect((r as { err: unknown }).err).toBeInstanceOf(PrinterHeldError);
    expect(zebra.buffered() + zebra.labels()).toBe(1);
    expect(zebra.connections).toBe(2);
  });

  it('held by another computer\'s connection, the job waits saying so, never advising to stop confirming, and prints once it is free', async () => {
    // Each job asks first (a label to a printer that answered a moment ago would go unasked: see freshStatusMs).
    const printers = await setup({ keepOpenMs: 0, freshStatusMs: 0 });
    await printers.print('z', zplLabels(1, 'before'), { signal: AbortSignal.timeout(5000) });
    await expect.poll(() => zebra.openJobConnections()).toBe(0);
    // The office opens the printer's one raw connection and keeps it.
    const office = connect(zebra.port, '127.0.0.1');
    await new Promise((r) => office.once('connect', r));
    try {
      const r = await outcome(printers.print('z', zplLabels(1, 'held'), { signal: AbortSignal.timeout(5000) }));
      expect((r as { err: unknown }).err).toBeInstanceOf(PrinterHeldError);
      const detail = ((r as { err: PrinterHeldError }).err).printerStatus.detail!;
      expect(detail).toBe('no answer to ~HS within 500 ms, though it has answered before: another computer may be sending to it (it takes one connection at a time), or it is stuck');
      expect((await printers.refresh('z', 2000)).detail).toBe(detail);
    } finally {
      office.end();
    }
    expect(await printers.print('z', zplLabels(1, 'after'), { signal: AbortSignal.timeout(5000) })).toMatchObject({ confirmed: true });
    await expect.poll(() => zebra.printed.map(tag)).toEqual(['before', 'after']);
    // A printer never heard from is the one that may not answer ~HS at all.
    await zebra.close();
    const fresh = await setup();
    zebra.mode = 'silent';
    const never = await outcome(fresh.print('z', zplLabels(1, 'x'), { signal: AbortSignal.timeout(5000) }));
    expect(((never as { err: PrinterHeldError }).err).printerStatus.detail).toMatch(/set its option confirm to false/);
  });

  it('is closed before the station asks the printer on its own, so the printer (one connection at a time) answers', async () => {
    const printers = await setup({ keepOpenMs: 5000 });
    await printers.print('z', zplLabels(1, 'before'), { signal: AbortSignal.timeout(5000) });
    expect(zebra.servesOneConnection).toBe(true);
    expect((await printers.refresh('z', 1000)).state).toBe('ready');
    // Jobs of several labels take a connection of their own (two answers at once can wait on a delayed ACK).
    await printers.print('z', zplLabels(3, 'three'), { signal: AbortSignal.timeout(5000) });
    expect(zebra.connections).toBe(3);
  });
});
