// ESC/POS receipt printers on raw TCP 9100 (travelers): held while out of paper, confirmed by DLE EOT after the job.
import { z } from 'zod';
import { describeError } from '../src/errors.js';
import { TcpSession, ask, rawTcpPrinter, tcpTarget, type AnswerParser } from '../src/printing/tcp.js';
import { HOLDING_STATES, PartialPrintError, PrinterHeldError, type DriverDefinition, type PrintOptions, type PrintResult, type PrinterDriver, type PrinterStatus, type PrintDocument, wholeBytes } from '../src/printing/types.js';

const optionsSchema = z.strictObject({
  connectTimeoutMs: z.number().int().min(100).max(60_000).default(3000),
  writeTimeoutMs: z.number().int().min(100).max(300_000).default(15_000),
  statusTimeoutMs: z.number().int().min(100).max(30_000).default(1500),
  /** Confirm each job with DLE EOT. Off only for printers that cannot answer it: jobs then end "sent", not "done". */
  confirm: z.boolean().default(true),
});
type EscPosOptions = z.infer<typeof optionsSchema>;

/** DLE EOT 1 (printer), 2 (offline cause), 4 (paper roll): each answered by one status byte, even mid-job. */
const STATUS_REQUEST = Buffer.from([0x10, 0x04, 0x01, 0x10, 0x04, 0x02, 0x10, 0x04, 0x04]);

/** Real-time status bytes always have bit 1 and bit 4 set, bits 0 and 7 clear. */
const isStatusByte = (b: number) => (b & 0x93) === 0x12;

/** The next three status bytes (the answers to one STATUS_REQUEST), skipping anything else. */
export const escPosAnswer: AnswerParser<PrinterStatus> = (buf) => {
  const found: number[] = [];
  for (let i = 0; i < buf.length; i++) {
    if (isStatusByte(buf[i]!)) found.push(buf[i]!);
    if (found.length === 3) return { value: parseEscPosStatus(Buffer.from(found)), used: i + 1 };
  }
  return undefined;
};

export function parseEscPosStatus(answer: Buffer): PrinterStatus {
  const bytes = [...answer].filter(isStatusByte);
  if (bytes.length < 3) return { state: 'unknown', detail: 'connected, but the printer does not answer status requests' };
  const [printer, offline, paper] = bytes as [number, number, number];
  if (offline & 0x04) return { state: 'head-open', detail: 'cover is open' };
  if (paper & 0x60 || offline & 0x20) return { state: 'no-media', detail: 'out of paper' };
  if (offline & 0x40) return { state: 'error', detail: 'the printer reports an error (cutter jam or head temperature)' };
  if (printer & 0x08) return { state: 'paused', detail: offline & 0x08 ? 'paper is being fed with the button' : 'printer is offline' };
  return paper & 0x0c ? { state: 'ready', detail: 'paper is running low' } : { state: 'ready' };
}

async function printEscPos(document: PrintDocument, o: EscPosOptions, session: TcpSession, { signal, onProgress }: PrintOptions): Promise<PrintResult> {
  const total = document.meta.partEnds?.length || 1;
  const bytes = wholeBytes(document.bytes);
  const length = bytes.length;
  if (o.confirm) {
    let before: PrinterStatus | undefined;
    try {
      await session.write(STATUS_REQUEST, o.writeTimeoutMs, signal);
      before = await session.answer(escPosAnswer, o.statusTimeoutMs, signal);
    } catch (err) {
      throw new PrinterHeldError({ state: 'error', detail: `${describeError(err)} before answering a status request` }, 0);
    }
    if (!before) throw new PrinterHeldError({ state: 'error', detail: `no answer to a status request (DLE EOT) within ${o.statusTimeoutMs} ms (if this printer cannot answer it, set its option confirm to false)` }, 0);
    if (HOLDING_STATES.includes(before.state)) throw new PrinterHeldError(before, 0);
  }
  onProgress?.({ bytesSent: length, partsSent: total, partsConfirmed: 0 });
  const doubt = (why: string, err?: unknown) => new PartialPrintError(`${why} (printer ${session.address}).`, { bytesSent: length, partsSent: total, partsConfirmed: 0 }, err);
  let after: PrinterStatus | undefined;
  try {
    await session.write(o.confirm ? Buffer.concat([bytes, STATUS_REQUEST]) : bytes, o.writeTimeoutMs, signal);
    if (!o.confirm) {
      await session.end();
      return { bytesSent: length, partsSent: total, partsConfirmed: 0, confirmed: false };
    }
    after = await session.answer(escPosAnswer, o.writeTimeoutMs, signal);
  } catch (err) {
    throw doubt(`The connection failed before the printer confirmed the traveler: ${describeError(err)}`, err);
  }
  if (!after) throw doubt(`The printer did not answer a status request within ${o.writeTimeoutMs} ms after the traveler`);
  // Received, but the paper ran out or the cover opened on the way: the printout is incomplete.
  if (after.state === 'no-media' || after.state === 'head-open') throw doubt(`The printer took the traveler but reports ${after.detail ?? after.state}: it may be cut short`);
  session.release(500);
  return { bytesSent: length, partsSent: total, partsConfirmed: total, partsPrinted: total, confirmed: true };
}

const definition: DriverDefinition<EscPosOptions> = {
  name: 'escpos',
  description: 'ESC/POS receipt printers on raw TCP (port 9100), for travelers.',
  uriSchemes: ['tcp:'],
  optionsSchema,
  create(settings): PrinterDriver {
    const o = settings.options;
    const target = tcpTarget(settings.uri, o.connectTimeoutMs);
    return rawTcpPrinter({
      formats: ['escpos'],
      busy: { state: 'printing', detail: 'printing a traveler' },
      async print(document, options) {
        const session = await TcpSession.open(target, options.signal);
        try {
          return await printEscPos(document, o, session, options);
        } finally {
          session.destroy();
        }
      },
      async query(signal) {
        try {
          const answer = await ask(target, STATUS_REQUEST, escPosAnswer, o.statusTimeoutMs, signal);
          return answer ?? { state: 'unknown', detail: 'connected, but the printer does not answer status requests' };
        } catch (err) {
          return { state: 'offline', detail: describeError(err) };
        }
      },
    });
  },
};

export default definition;
