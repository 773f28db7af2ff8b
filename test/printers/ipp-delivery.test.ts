// The IPP driver against a real IPP Everywhere printer (ippeveprinter) that refuses at the HTTP level: nothing printed,
// so nothing is in doubt, and the operator reads what to change; and one that waits for paper with the job.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import ipp from 'ipp';
import { afterEach, describe, expect, it } from 'vitest';
import { StationError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { loadPrinters } from '../../src/printing/registry.js';
import { PartialPrintError, PrinterUnavailableError, type DeliveryProgress, type RenderedDocument } from '../../src/printing/types.js';
import { startCupsQueue } from '../doubles/cups-queue.js';
import { startIppPrinter, type IppPrinterDouble } from '../doubles/ipp-printer.js';

let printer: IppPrinterDouble | undefined;
afterEach(async () => {
  await printer?.close();
  printer = undefined;
});

const pdf: RenderedDocument = { format: 'pdf', bytes: Buffer.from('%PDF-1.4\n%%EOF\n'), meta: { name: 'tags.pdf', contentType: 'application/pdf' } };
const setup = (uri: string, jobTimeoutMs = 5000) => loadPrinters([{ id: 'p', driver: 'ipp', uri, options: { pollMs: 100, jobTimeoutMs } }], silentLogger());

describe('IPP printer that refuses over HTTP', () => {
  it('a queue that asks for a password: the job is not printed, not in doubt, and says what to change', async () => {
    printer = await startIppPrinter({ password: true });
    const printers = await setup(printer.uri);
    const err = await printers.print('p', pdf, { signal: AbortSignal.timeout(10_000) }).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(PartialPrintError);
    expect(err).toBeInstanceOf(PrinterUnavailableError);
    expect((err as PrinterUnavailableError).message).toMatch(/answered HTTP 401: it asks for a user name and password to print/);
    expect((err as PrinterUnavailableError).hint).toMatch(/without a password/);
    expect(printer.jobFiles()).toHaveLength(0);
  });

  it('an address with no queue: the printer is shown in error with the reason, and a job waits for it', async () => {
    printer = await startIppPrinter();
    const printers = await setup(printer.uri.replace('/ipp/print', '/ipp/no-such-queue'));
    expect(await printers.refresh('p')).toMatchObject({ state: 'error', detail: expect.stringMatching(/client-error-not-found .*: it has no queue at that address/) });
    const err = await printers.print('p', pdf, { signal: AbortSignal.timeout(10_000) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrinterUnavailableError);
    expect((err as PrinterUnavailableError).hint).toMatch(/queue's name/);
    expect(printer.jobFiles()).toHaveLength(0);
  });

  it('a printer that does not take PDF refuses the job for good, nothing in doubt', async () => {
    printer = await startIppPrinter({ takes: 'image/pwg-raster' });
    const printers = await setup(printer.uri);
    const err = await printers.print('p', pdf, { signal: AbortSignal.timeout(10_000) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StationError);
    expect(err).not.toBeInstanceOf(PartialPrintError);
    expect(err).toMatchObject({ code: 'IPP_REFUSED', retryable: false, message: expect.stringMatching(/not-supported \("Unsupported document-format.*"\): it does not take the job as sent, a PDF/) });
    expect(printer.jobFiles()).toHaveLength(0);
  });
});

describe('IPP printer out of paper with the job', () => {
  it('follows the job for as long as the printer waits for paper, saying so, and calls it done once printed', async () => {
    printer = await startIppPrinter({ paperOut: true });
    const printers = await setup(printer.uri, 1000);
    const heard: DeliveryProgress[] = [];
    const outcome = printers.print('p', pdf, { signal: AbortSignal.timeout(20_000), onProgress: (p) => void heard.push(p) }).catch((e: unknown) => e);
    await expect.poll(() => heard.find((p) => p.waitingFor), { timeout: 5000 }).toMatchObject({
      waitingFor: 'out of paper (media-empty-warning)',
      partsConfirmed: 0,
      status: { state: 'printing', detail: 'out of paper (media-empty-warning)' },
    });
    // The printer's status says so too; a warning holds no job back (a CUPS queue takes jobs while it waits for paper).
    expect(await printers.refresh('p')).toMatchObject({ state: 'printing', detail: 'out of paper (media-empty-warning)' });
    // Longer than jobTimeoutMs: the printer says why the job waits, so it is not in doubt (before: after 1 s).
    await new Promise((r) => setTimeout(r, 2500));
    expect(printer.jobFiles()).toHaveLength(1);
    printer.loadPaper();
    expect(await outcome).toMatchObject({ confirmed: true, partsConfirmed: 1, partsPrinted: 1 });
  });

  it('a station stopping meanwhile leaves the job in doubt, saying the printer still has it, never failed or unsent', async () => {
    printer = await startIppPrinter({ paperOut: true });
    const printers = await setup(printer.uri, 1000);
    const stop = new AbortController();
    const heard: DeliveryProgress[] = [];
    const outcome = printers.print('p', pdf, { signal: stop.signal, onProgress: (p) => void heard.push(p) }).catch((e: unknown) => e);
    await expect.poll(() => heard.some((p) => p.waitingFor), { timeout: 5000 }).toBe(true);
    stop.abort(new Error('The station is stopping.'));
    const err = await outcome;
    expect(err).toBeInstanceOf(PartialPrintError);
    // The printer's own words for the job: processing, or still pending when the printer had not taken it up yet.
    expect((err as PartialPrintError).message).toMatch(/^The station stopped following IPP job \d+ while the printer still had it \((processing|pending), [\w-]+\): it may print it yet\.$/);
    printer.loadPaper();
    await expect.poll(() => printer!.jobFiles().length).toBe(1);
  });
});

describe('IPP jobs longer than jobTimeoutMs', () => {
  it('are followed while their pages come out', async () => {
    // The job takes 2.4 s, a page every 0.4 s; the time limit is 1.5 s.
    printer = await startIppPrinter({ printSeconds: 2.4, pages: 6 });
    const printers = await setup(printer.uri, 1500);
    expect(await printers.print('p', pdf, { signal: AbortSignal.timeout(20_000) })).toMatchObject({ confirmed: true, partsConfirmed: 1 });
  });

  it('say how many jobs are ahead of them while they wait their turn in a busy CUPS queue', async () => {
    // The office's two jobs, 1.5 s each, then ours; the time limit (1 s) is for a job that goes nowhere.
    const queue = await startCupsQueue({ printSeconds: 0.2 });
    try {
      queue.submitElsewhere('office report 1', 1.5);
      queue.submitElsewhere('office report 2', 1.5);
      const printers = await setup(queue.uri, 1000);
      const said: Array<string | undefined> = [];
      const result = await printers.print('p', pdf, { signal: AbortSignal.timeout(10_000), onProgress: (p: DeliveryProgress) => void said.push(p.waitingTurn) });
      expect(result).toMatchObject({ confirmed: true, partsConfirmed: 1 });
      // Each change said once, in order: two ahead (one printing), one, then none (its own turn).
      expect(said.filter((w, i) => i === 0 || w !== said[i - 1])).toEqual([undefined, '2 other jobs ahead of this one', '1 other job ahead of this one', undefined]);
      expect(queue.printed()).toEqual(['office report 1', 'office report 2', 'tags.pdf']);
    } finally {
      await queue.close();
    }
  });

  it('are followed while they wait their turn behind jobs the printer is printing, not while it does nothing', async () => {
    // A CUPS queue keeps the job pending while it prints the ones before it (ippeveprinter refuses a second job
    // instead); here for 2.5 s, with a time limit of 1 s.
    for (const [printerState, expected] of [['processing', { confirmed: true }], ['idle', { message: expect.stringMatching(/did not finish within 1000 ms; the printer still has it \(pending\) and may print it yet/) }]] as const) {
      const fake = await fakeIpp((operation, ms) =>
        operation === 'Get-Printer-Attributes' ? { 'printer-attributes-tag': { 'printer-state': ms < 2500 ? printerState : 'idle', 'printer-state-reasons': 'none', 'queued-job-count': 1 } }
        : operation === 'Print-Job' ? { 'job-attributes-tag': { 'job-id': 7, 'job-state': 'pending' } }
        : { 'job-attributes-tag': { 'job-state': ms < 2500 ? 'pending' : 'completed' } },
      );
      try {
        const printers = await setup(fake.uri, 1000);
        expect(await printers.print('p', pdf, { signal: AbortSignal.timeout(10_000) }).catch((e: unknown) => e)).toMatchObject(expected);
      } finally {
        await fake.close();
      }
    }
  });
});

/**
 * An IPP printer that answers each operation with the attributes `answer` gives for it, `ms` after it started (the
 * job states RFC 8011 allows that ippeveprinter cannot be made to answer: a job completed with errors, say).
 */
async function fakeIpp(answer: (operation: string, ms: number) => Record<string, unknown>): Promise<{ uri: string; close(): Promise<void> }> {
  const started = Date.now();
  const server: Server = createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', () => {
      const asked = ipp.parse(Buffer.concat(body)) as { operation: string; id: number };
      res.writeHead(200, { 'content-type': 'application/ipp' });
      res.end(ipp.serialize({ statusCode: 'successful-ok', id: asked.id, 'operation-attributes-tag': { 'attributes-charset': 'utf-8', 'attributes-natural-language': 'en' }, ...answer(asked.operation, Date.now() - started) }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    uri: `ipp://127.0.0.1:${(server.address() as AddressInfo).port}/ipp/print`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A printer that finishes every job at once, `completed` with the job-state-reasons given. */
const finishingWith = (reasons: string[]) =>
  fakeIpp((operation) =>
    operation === 'Get-Printer-Attributes' ? { 'printer-attributes-tag': { 'printer-state': 'idle', 'printer-state-reasons': 'none', 'printer-is-accepting-jobs': true, 'queued-job-count': 0 } }
    : operation === 'Print-Job' ? { 'job-attributes-tag': { 'job-id': 1, 'job-state': 'pending' } }
    : { 'job-attributes-tag': { 'job-state': 'completed', 'job-state-reasons': reasons } },
  );

describe('an IPP printer that finished the job', () => {
  it('with errors: the job is in doubt, in the printer\'s words, not done', async () => {
    const fake = await finishingWith(['job-completed-with-errors']);
    try {
      const printers = await setup(fake.uri);
      const err = await printers.print('p', pdf, { signal: AbortSignal.timeout(10_000) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PartialPrintError);
      expect((err as PartialPrintError).message).toMatch(/^IPP job 1 was finished by the printer with errors \(job-completed-with-errors\): it may not have printed whole\.$/);
      expect((err as PartialPrintError).evidence).toMatchObject({ partsSent: 1, partsConfirmed: 0 });
    } finally {
      await fake.close();
    }
  });

  it('with warnings: done, the warnings said', async () => {
    const fake = await finishingWith(['job-completed-with-warnings']);
    try {
      const printers = await setup(fake.uri);
      expect(await printers.print('p', pdf, { signal: AbortSignal.timeout(10_000) })).toMatchObject({ confirmed: true, partsConfirmed: 1, note: 'the printer finished it with warnings (job-completed-with-warnings)' });
    } finally {
      await fake.close();
    }
  });
});
