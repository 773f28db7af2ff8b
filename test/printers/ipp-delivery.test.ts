// The IPP driver against a real IPP Everywhere printer (ippeveprinter) that refuses at the HTTP level: nothing printed,
// so nothing is in doubt, and the operator reads what to change.
import { afterEach, describe, expect, it } from 'vitest';
import { StationError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { loadPrinters } from '../../src/printing/registry.js';
import { PartialPrintError, PrinterUnavailableError, type RenderedDocument } from '../../src/printing/types.js';
import { startIppPrinter, type IppPrinterDouble } from '../doubles/ipp-printer.js';

let printer: IppPrinterDouble | undefined;
afterEach(async () => {
  await printer?.close();
  printer = undefined;
});

const pdf: RenderedDocument = { format: 'pdf', bytes: Buffer.from('%PDF-1.4\n%%EOF\n'), meta: { name: 'tags.pdf', contentType: 'application/pdf' } };
const setup = (uri: string) => loadPrinters([{ id: 'p', driver: 'ipp', uri, options: { pollMs: 100, jobTimeoutMs: 5000 } }], silentLogger());

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
