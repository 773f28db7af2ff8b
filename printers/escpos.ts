// ESC/POS receipt printers on raw TCP 9100 (travelers): held while out of paper, done once the printer has printed
// the traveler (GS r answered in order); out of paper partway, the job waits with it until it has; in doubt when the
// printer fails or goes silent before.
import { z } from 'zod';
import { describeError } from '../src/errors.js';
import { TcpSession, ask, rawTcpPrinter, tcpTarget, type AnswerParser, silentPrinter } from '../src/printing/tcp.js';
import { HOLDING_STATES, PartialPrintError, PrinterHeldError, type DriverDefinition, type PrintOptions, type PrintResult, type PrinterDriver, type PrinterStatus, type PrintDocument, wholeBytes } from '../src/printing/types.js';

const optionsSchema = z.strictObject({
  connectTimeoutMs: z.number().int().min(100).max(60_000).default(3000),
  writeTimeoutMs: z.number().int().min(100).max(300_000).default(15_000),
  statusTimeoutMs: z.number().int().min(100).max(30_000).default(1500),
  /** How long a traveler may take to come out once received (the printer answers GS r when it has printed it). */
  printTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
  /** Confirm each job with the printer's status. Off only for printers that cannot answer DLE EOT: jobs then end "sent", not "done". */
  confirm: z.boolean().default(true),
  /**
   * Done once the printer says it has printed the traveler (GS r 1, answered in order). Off for printers that answer
   * DLE EOT but not GS r: jobs then end "sent" once the printer has the traveler.
   */
  confirmPrinted: z.boolean().default(true),
});
type EscPosOptions = z.infer<typeof optionsSchema>;

/**
 * DLE EOT 1 (printer), 2 (offline cause), 4 (paper roll): real-time commands, each answered by one status byte the
 * moment it arrives, even mid-job and with data still waiting to print: an answer proves the printer has everything
 * before it, not that it has printed it.
 */
const STATUS_REQUEST = Buffer.from([0x10, 0x04, 0x01, 0x10, 0x04, 0x02, 0x10, 0x04, 0x04]);
/** GS r 1 (paper sensor status): processed in order, so its answer comes once everything before it has printed. */
const PRINTED_REQUEST = Buffer.from([0x1d, 0x72, 0x01]);
/** GS r 1/49 (paper) and 2/50 (drawer) in a document: the printer answers each, before ours. */
const GS_R = /\x1dr[\x01\x02\x31\x32]/g;

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

/** One thing the printer sent: a real-time status byte (DLE EOT) or an in-order GS r answer. */
type Said = { realTime: number } | { inOrder: number };

/**
 * The next real-time or GS r answer, told apart as Epson's "identification of send status" does: real-time status
 * 0xx1xx10, automatic status back (4 bytes) 0xx1xx00, GS r 0xx0xxxx; block data (0x37 or 0x5f, up to a NUL) and
 * anything else is skipped.
 */
export const escPosSaid: AnswerParser<Said> = (buf) => {
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!;
    if (isStatusByte(b)) return { value: { realTime: b }, used: i + 1 };
    if ((b & 0x90) === 0) return { value: { inOrder: b }, used: i + 1 };
    if ((b & 0x93) === 0x10) {
      if (i + 4 > buf.length) return undefined;
      i += 3;
    } else if (b === 0x37 || b === 0x5f) {
      const end = buf.indexOf(0, i + 1);
      if (end < 0) return undefined;
      i = end;
    }
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

/** States in which a printer has stopped printing until someone acts (a paused one may resume by itself). */
const STOPPED: ReadonlyArray<PrinterStatus['state']> = ['no-media', 'head-open', 'error'];

/** Whether the printer has answered a status request since the station started (see silentPrinter). */
interface Heard {
  ever?: boolean;
}

async function printEscPos(document: PrintDocument, o: EscPosOptions, session: TcpSession, { signal, onProgress }: PrintOptions, heard: Heard): Promise<PrintResult> {
  const total = document.meta.partEnds?.length || 1;
  const bytes = wholeBytes(document.bytes);
  const length = bytes.length;
  const askStatus = async (): Promise<PrinterStatus | undefined> => {
    await session.write(STATUS_REQUEST, o.writeTimeoutMs, signal);
    return session.answer(escPosAnswer, o.statusTimeoutMs, signal);
  };
  if (o.confirm) {
    let before: PrinterStatus | undefined;
    try {
      before = await askStatus();
    } catch (err) {
      throw new PrinterHeldError({ state: 'error', detail: `${describeError(err)} before answering a status request` }, 0);
    }
    if (!before) throw new PrinterHeldError({ state: 'error', detail: silentPrinter('a status request (DLE EOT)', o.statusTimeoutMs, !!heard.ever) }, 0);
    heard.ever = true;
    if (HOLDING_STATES.includes(before.state)) throw new PrinterHeldError(before, 0);
  }
  await onProgress?.({ bytesSent: length, partsSent: total, partsConfirmed: 0 });
  const doubt = (why: string, err?: unknown) => new PartialPrintError(`${why} (printer ${session.address}).`, { bytesSent: length, partsSent: total, partsConfirmed: 0 }, err);
  try {
    if (!o.confirm) {
      await session.write(bytes, o.writeTimeoutMs, signal);
      await session.end();
      return { bytesSent: length, partsSent: total, partsConfirmed: 0, confirmed: false };
    }
    if (!o.confirmPrinted) {
      // The printer answers DLE EOT as it reads it, after the traveler: it has it, but it does not say when it printed.
      await session.write(Buffer.concat([bytes, STATUS_REQUEST]), o.writeTimeoutMs, signal);
      const after = await session.answer(escPosAnswer, o.writeTimeoutMs, signal);
      if (!after) throw doubt(`The printer did not answer a status request within ${o.writeTimeoutMs} ms after the traveler`);
      session.release(500);
      return { bytesSent: length, partsSent: total, partsConfirmed: 0, confirmed: false, note: 'the printer received the traveler; it does not report when it has printed' };
    }
    await session.write(Buffer.concat([bytes, PRINTED_REQUEST]), o.writeTimeoutMs, signal);
    const waiting = (status: PrinterStatus, waitingFor: string | undefined) => void onProgress?.({ bytesSent: length, partsSent: total, partsConfirmed: 0, status, ...(waitingFor ? { waitingFor } : {}) });
    await untilPrinted(session, (Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1').match(GS_R)?.length ?? 0) + 1, o, signal, { doubt, waiting });
  } catch (err) {
    if (err instanceof PartialPrintError) throw err;
    throw doubt(`The connection failed before the printer said it had printed the traveler: ${describeError(err)}`, err);
  }
  session.release(500);
  return { bytesSent: length, partsSent: total, partsConfirmed: total, partsPrinted: total, confirmed: true };
}

/** States in which the printer keeps what it has and goes on by itself once a person has put it right. */
const WAITS_FOR_PERSON: ReadonlyArray<PrinterStatus['state']> = ['no-media', 'head-open'];

/**
 * Waits for the printer's answer to our GS r (the last of `answers`): it comes once the traveler has printed. While
 * waiting, each quiet second asks the printer in real time how it is. Out of paper or its cover open, it keeps the rest
 * of the traveler in its memory and prints it once a new roll is in and the cover shut, then answers: the job says why
 * it waits (`waiting`) for as long as that lasts, with nothing in doubt. An error, or no answer, leaves it in doubt.
 */
async function untilPrinted(
  session: TcpSession,
  answers: number,
  o: EscPosOptions,
  signal: AbortSignal,
  job: { doubt: (why: string) => PartialPrintError; waiting: (status: PrinterStatus, why: string | undefined) => void },
): Promise<void> {
  let deadline = Date.now() + o.printTimeoutMs;
  const stopped = (status: PrinterStatus) =>
    job.doubt(`The printer stopped before it had printed the whole traveler: ${status.detail ?? status.state}. What is left of it is in the printer's memory and prints once that is put right, unless the printer is switched off`);
  let realTime: number[] = [];
  /** When the status request not answered yet went. */
  let askedAt: number | undefined;
  /** Past the deadline: the time by which the answer to one last status request must come, and that answer. */
  let lastCall: number | undefined;
  let lastWord: PrinterStatus | undefined;
  let waitingFor: string | undefined;
  const ask = async () => {
    await session.write(STATUS_REQUEST, o.writeTimeoutMs, signal);
    askedAt = Date.now();
  };
  while (answers > 0) {
    if (Date.now() >= deadline && lastCall === undefined) {
      if (askedAt === undefined) await ask();
      lastCall = askedAt! + o.statusTimeoutMs;
    }
    const left = (lastCall ?? deadline) - Date.now();
    if (left <= 0) break;
    const said = await session.answer(escPosSaid, Math.min(left, 1000), signal);
    if (!said) {
      if (askedAt === undefined) await ask();
      continue;
    }
    if ('inOrder' in said) {
      answers--;
      continue;
    }
    realTime.push(said.realTime);
    if (realTime.length < 3) continue;
    const status = parseEscPosStatus(Buffer.from(realTime));
    realTime = [];
    askedAt = undefined;
    if (STOPPED.includes(status.state) && !WAITS_FOR_PERSON.includes(status.state)) throw stopped(status);
    // Out of paper or its cover open: the job waits with the printer, however long, saying why.
    const why = WAITS_FOR_PERSON.includes(status.state) ? (status.detail ?? status.state) : undefined;
    const resumed = waitingFor !== undefined && why === undefined;
    if (why !== waitingFor) job.waiting(status, (waitingFor = why));
    // Waiting, and going on after it (the rest of the traveler still to print), are not time lost.
    if (why || resumed) {
      deadline = Date.now() + o.printTimeoutMs;
      lastCall = undefined;
    } else if (lastCall !== undefined) {
      lastWord = status;
      break;
    }
  }
  if (answers === 0) {
    if (waitingFor) job.waiting({ state: 'ready' }, undefined);
    return;
  }
  throw job.doubt(
    lastWord
      ? `The printer has the traveler but did not say it had printed it within ${o.printTimeoutMs} ms (it reports ${lastWord.detail ?? lastWord.state}; a printer that does not answer GS r can be set up with its option confirmPrinted off)`
      : `The printer stopped answering before it said it had printed the traveler`,
  );
}

const definition: DriverDefinition<EscPosOptions> = {
  name: 'escpos',
  description: 'ESC/POS receipt printers on raw TCP (port 9100), for travelers.',
  uriSchemes: ['tcp:'],
  optionsSchema,
  create(settings): PrinterDriver {
    const o = settings.options;
    const target = tcpTarget(settings.uri, o.connectTimeoutMs);
    const heard: Heard = {};
    return rawTcpPrinter({
      formats: ['escpos'],
      busy: { state: 'printing', detail: 'printing a traveler' },
      async print(document, options) {
        const session = await TcpSession.open(target, options.signal);
        try {
          return await printEscPos(document, o, session, options, heard);
        } finally {
          session.destroy();
        }
      },
      async query(signal) {
        try {
          const answer = await ask(target, STATUS_REQUEST, escPosAnswer, o.statusTimeoutMs, signal);
          if (answer) heard.ever = true;
          return answer ?? (heard.ever ? { state: 'error', detail: silentPrinter('a status request (DLE EOT)', o.statusTimeoutMs, true) } : { state: 'unknown', detail: 'connected, but the printer does not answer status requests' });
        } catch (err) {
          return { state: 'offline', detail: describeError(err) };
        }
      },
    });
  },
};

export default definition;
