// Zebra (ZPL) printers on raw TCP 9100: labels confirmed by ~HS answers on the job's own connection, done when printed.
import { z } from 'zod';
import { describeError } from '../src/errors.js';
import { sleep } from '../src/lib/backoff.js';
import { TcpSession, ask, rawTcpPrinter, tcpTarget, silentPrinter } from '../src/printing/tcp.js';
import { setupZpl } from './zpl-setup.js';
import { hostStatusAnswer, type HostStatus } from '../src/printing/zpl-status.js';
import {
  HOLDING_STATES,
  PartialPrintError,
  PrinterHeldError,
  type DeliveryEvidence,
  type DriverDefinition,
  type PrintOptions,
  type PrintResult,
  type PrinterDriver,
  type PrinterStatus,
  type PrintDocument,
} from '../src/printing/types.js';

const optionsSchema = z.strictObject({
  connectTimeoutMs: z.number().int().min(100).max(60_000).default(3000),
  writeTimeoutMs: z.number().int().min(100).max(300_000).default(15_000),
  statusTimeoutMs: z.number().int().min(100).max(30_000).default(2000),
  /**
   * Ask ~HS after every this many labels: after a cut, at most this many labels are in doubt. Each answer waits for
   * the printer to take in the labels before it, and the next group is recorded as leaving (and that record synced to
   * disk) only once it came. 10, as many as joinJobs: a rush of one-label jobs goes in one group. With 5, twenty tags
   * asked for at once on three printers (about seven each) waited for a second round at every printer (12-05,
   * bench/queue.ts, three alternating pairs: submit to first byte p99 without pause 61-91 ms with 5, 45-50 with 10).
   */
  confirmEvery: z.number().int().min(1).max(1000).default(10),
  /** Confirm labels with ~HS. Off only for printers that cannot answer it: jobs then end "sent", not "done". */
  confirm: z.boolean().default(true),
  /** A printer paused at its panel: hold the job (default), or send it into the printer's memory to print on resume. */
  whenPaused: z.enum(['hold', 'send']).default('hold'),
  /**
   * Labels the printer may hold unprinted before more are sent. It bounds what a power cut at the printer can lose,
   * and keeps its memory from filling (a full printer stops reading, and then cannot answer ~HS).
   */
  maxAhead: z.number().int().min(1).max(1000).default(20),
  /**
   * A one-label job goes without asking the printer first when it answered ready this recently (ms; the answer that
   * confirmed the job before): a round trip less for each tag of a rush. Should the printer have stopped meanwhile
   * (out of labels), the label waits in its memory, confirmed, and the job says so. 0 asks before every job.
   */
  freshStatusMs: z.number().int().min(0).max(10_000).default(1000),
  /**
   * Keep the connection open this long (ms) after a confirmed job: the printer's next one-label job goes on it once it
   * has answered ~HS there, without a new connection (a queue of tags: ~25% more jobs per second, measured). A Zebra
   * serves one connection at a time, so another computer printing to it waits up to this long; the station closes it
   * before asking the printer's status on its own or setting it up, and whenever the printer closes or resets it.
   * 0: a connection per job.
   */
  keepOpenMs: z.number().int().min(0).max(60_000).default(500),
  /**
   * One-label jobs waiting for this printer that go together as one delivery, confirmed in groups of confirmEvery (a
   * rush of tags: a round trip per group instead of one or two per tag). 1 sends each job on its own.
   */
  joinJobs: z.number().int().min(1).max(100).default(10),
  /** How often to ask while labels the printer has received wait to print. */
  pollMs: z.number().int().min(10).max(10_000).default(250),
  /** How long to wait for ~HS after labels sent into a paused printer's memory (it may stop reading when full). */
  printTimeoutMs: z.number().int().min(1000).max(3_600_000).default(120_000),
});
type ZplOptions = z.infer<typeof optionsSchema>;

const HS = Buffer.from('~HS\r\n', 'latin1');
const EMPTY = Buffer.alloc(0);
const HS_WITH_ODOMETER = Buffer.from('~HQOD\r\n~HS\r\n', 'latin1');

/**
 * The bytes of the next group of labels (with the stored graphics first when `prefix` says so, and the status request
 * after). If the document cannot be read back, nothing of the group has left: before anything of this delivery was
 * sent that is the store's error as it is (nothing sent); after, the labels sent so far are what the printer has.
 */
function readGroup(document: PrintDocument, prefix: number, from: number, to: number, sent: number, confirmed: number, startPart: number, request: Buffer): Buffer {
  try {
    return Buffer.concat([prefix ? document.bytes.slice(0, prefix) : EMPTY, document.bytes.slice(from, to), request]);
  } catch (err) {
    if (sent === startPart) throw err;
    throw new PartialPrintError(describeError(err), { bytesSent: from, partsSent: sent, partsConfirmed: confirmed }, err);
  }
}

/** The printer's last answer on a job's connection that found it able to print, and when. */
interface LastReady {
  answer?: HostStatus;
  at?: number;
  /** The printer has answered ~HS since the station started, whatever it said. */
  heard?: boolean;
}

/**
 * Sends a ZPL document part by part, each group proven received by an ~HS answer, and waits until it has printed.
 * `asked`: the printer's answer on this connection just before (a kept connection is asked before it carries a job).
 */
async function printZpl(document: PrintDocument, o: ZplOptions, session: TcpSession, { signal, startPart = 0, onProgress }: PrintOptions, ready: LastReady = {}, asked?: HostStatus): Promise<PrintResult> {
  const bytes = document.bytes;
  const ends = document.meta.partEnds?.length ? document.meta.partEnds : [bytes.length];
  const total = ends.length;
  // The odometer tells how much media one job fed; labels of several jobs sent together are not one job.
  const odometer = total > 1 && !document.meta.joined;
  // What the labels need first (stored graphics) goes with the first write of every delivery, a resume too.
  const prefix = document.meta.prefix ?? 0;
  const offset = (part: number) => (part === 0 ? prefix : ends[part - 1]!);
  let needsPrefix = prefix > 0;
  const holds = (s: PrinterStatus) => HOLDING_STATES.includes(s.state) && !(s.state === 'paused' && o.whenPaused === 'send');
  // Every label is at the printer and it cannot print them now: the job says why while they wait in it.
  const waitsFor = (all: boolean, s: PrinterStatus) => (all && holds(s) ? { waitingFor: s.detail ?? s.state } : {});
  let sent = startPart;
  let confirmed = startPart;
  let printed: number | undefined;
  const evidence = (heldInPrinter = false): DeliveryEvidence => ({ bytesSent: offset(sent), partsSent: sent, partsConfirmed: confirmed, ...(printed === undefined ? {} : { partsPrinted: printed }), ...(heldInPrinter ? { heldInPrinter } : {}) });
  const doubt = (why: string, err?: unknown, heldInPrinter = false) =>
    new PartialPrintError(`${why} (printer ${session.address}; ${confirmed} of ${total} labels confirmed, ${sent} handed over).`, evidence(heldInPrinter), err);
  const status = async (request: Buffer, timeoutMs: number): Promise<HostStatus | undefined> => {
    await session.write(request, o.writeTimeoutMs, signal);
    return session.answer(hostStatusAnswer, timeoutMs, signal);
  };
  // What the printer still holds may include labels of an earlier job, so this is a lower bound.
  const countPrinted = (hs: HostStatus) => Math.max(0, confirmed - hs.formatsInBuffer - hs.labelsRemaining);

  // Before anything is sent: a printer that cannot print now holds the job (nothing in doubt), as does one that is silent.
  // One label to a printer that answered ready a moment ago goes at once; its own answer after it confirms it.
  const fresh = total - startPart === 1 && ready.answer && ready.at !== undefined && Date.now() - ready.at < o.freshStatusMs;
  let first = asked ?? (fresh ? ready.answer : undefined);
  if (!first) {
    try {
      first = await status(odometer ? HS_WITH_ODOMETER : HS, o.statusTimeoutMs);
    } catch (err) {
      throw new PrinterHeldError({ state: 'error', detail: `${describeError(err)} before answering ~HS` }, confirmed);
    }
  }
  if (!first) throw new PrinterHeldError({ state: 'error', detail: silentPrinter('~HS', o.statusTimeoutMs, !!ready.heard) }, confirmed);
  ready.heard = true;
  if (holds(first.status)) throw new PrinterHeldError(first.status, confirmed);

  let last = first;
  let odometerAtEnd: HostStatus['odometer'];
  while (sent < total) {
    // Far enough ahead of the printer (with its labels or the jobs' before it): wait for it to print some before sending
    // more, asking soon, then less often.
    for (let wait = Math.min(20, o.pollMs); last.formatsInBuffer + last.labelsRemaining >= o.maxAhead; wait = Math.min(o.pollMs, wait * 2)) {
      try {
        await sleep(wait, signal);
        const polled = await status(HS, o.writeTimeoutMs);
        if (!polled) throw new Error(`no answer to ~HS within ${o.writeTimeoutMs} ms`);
        last = polled;
      } catch (err) {
        // Nothing of this delivery sent yet: nothing is in doubt; the job waits for the printer.
        if (sent === startPart) throw new PrinterHeldError({ state: 'error', detail: `${describeError(err)} while it printed the labels it held` }, confirmed);
        throw doubt(`The printer stopped answering while it printed: ${describeError(err)}`, err, true);
      }
      printed = countPrinted(last);
      onProgress?.({ bytesSent: offset(sent), partsSent: sent, partsConfirmed: confirmed, partsPrinted: printed, status: last.status });
      if (holds(last.status)) {
        await session.end(500);
        throw new PrinterHeldError(last.status, confirmed, printed);
      }
    }
    const next = Math.min(total, sent + o.confirmEvery);
    const request = next === total && odometer ? HS_WITH_ODOMETER : HS;
    // A long job's bytes are read from the store as they are sent, never held whole; read before they are recorded
    // as leaving, so a document the store cannot give back is not mistaken for labels lost on the way.
    const group = readGroup(document, needsPrefix ? prefix : 0, offset(sent), offset(next), sent, confirmed, startPart, request);
    // Stored before the bytes leave, so a crash can never hide them.
    await onProgress?.({ bytesSent: offset(next), partsSent: next, partsConfirmed: confirmed, ...(printed === undefined ? {} : { partsPrinted: printed }) });
    let answer: HostStatus | undefined;
    try {
      await session.write(group, o.writeTimeoutMs, signal);
      needsPrefix = false;
      sent = next;
      // A paused printer that takes the labels into its memory may stop reading when that is full: wait longer then.
      answer = await session.answer(hostStatusAnswer, last.status.state === 'paused' ? o.printTimeoutMs : o.writeTimeoutMs, signal);
    } catch (err) {
      sent = next;
      throw doubt(`The connection failed before the printer confirmed the labels: ${describeError(err)}`, err);
    }
    if (!answer) throw doubt(`The printer did not answer ~HS within ${o.writeTimeoutMs} ms after the labels`);
    confirmed = sent;
    last = answer;
    if (answer.odometer) odometerAtEnd = answer.odometer;
    printed = countPrinted(answer);
    onProgress?.({ bytesSent: offset(sent), partsSent: sent, partsConfirmed: confirmed, partsPrinted: printed, status: answer.status, ...waitsFor(sent === total, answer.status) });
    // Out of labels (or head open) mid-job: what it has stays in its memory and prints after reloading; the rest waits here.
    if (sent < total && holds(answer.status)) {
      await session.end(500);
      throw new PrinterHeldError(answer.status, confirmed, printed);
    }
  }

  // Everything is at the printer and confirmed. If it cannot print now (out of labels, head open), the labels wait in
  // its memory: the job waits with them, saying so, until the printer is ready again.
  while (holds(last.status)) {
    try {
      await sleep(o.pollMs, signal);
      const answer = await status(HS, o.writeTimeoutMs);
      if (!answer) throw new Error(`no answer to ~HS within ${o.writeTimeoutMs} ms`);
      last = answer;
    } catch (err) {
      if (signal.aborted) throw doubt('The station stopped while labels it had sent waited in the printer', err, true);
      throw doubt(`All labels reached the printer, but it stopped answering while they waited in it: ${describeError(err)}`, err, true);
    }
    printed = countPrinted(last);
    onProgress?.({ bytesSent: offset(sent), partsSent: sent, partsConfirmed: confirmed, partsPrinted: printed, status: last.status, ...waitsFor(true, last.status) });
  }
  Object.assign(ready, { answer: last, at: Date.now() }); // it could print: the loop above waited while it could not
  // What has come out so far; the queue follows the rest from later answers (the printer prints in order).
  const fed = first.odometer && odometerAtEnd ? odometerAtEnd.value - first.odometer.value : undefined;
  return {
    bytesSent: offset(sent),
    partsSent: total,
    partsConfirmed: total,
    partsPrinted: countPrinted(last),
    confirmed: true,
    ...(fed !== undefined ? { note: `the printer's odometer advanced ${fed} ${odometerAtEnd!.unit} while the job was sent` } : {}),
  };
}

/** For printers set up with confirm false: the bytes are handed over, and the job says it is unconfirmed. */
async function sendUnconfirmed(document: PrintDocument, o: ZplOptions, session: TcpSession, { signal, startPart = 0, onProgress }: PrintOptions): Promise<PrintResult> {
  const ends = document.meta.partEnds?.length ? document.meta.partEnds : [document.bytes.length];
  const prefix = document.meta.prefix ?? 0;
  const offset = (part: number) => (part === 0 ? prefix : ends[part - 1]!);
  let sent = startPart;
  while (sent < ends.length) {
    const next = Math.min(ends.length, sent + o.confirmEvery);
    const group = readGroup(document, sent === startPart ? prefix : 0, offset(sent), offset(next), sent, startPart, startPart, EMPTY);
    await onProgress?.({ bytesSent: offset(next), partsSent: next, partsConfirmed: startPart });
    try {
      await session.write(group, o.writeTimeoutMs, signal);
    } catch (err) {
      throw new PartialPrintError(`The connection failed while sending: ${describeError(err)}.`, { bytesSent: offset(next), partsSent: next, partsConfirmed: startPart }, err);
    }
    sent = next;
  }
  await session.end();
  return { bytesSent: offset(sent), partsSent: sent, partsConfirmed: startPart, confirmed: false };
}

const definition: DriverDefinition<ZplOptions> = {
  name: 'zpl',
  description: 'Zebra and compatible label printers speaking ZPL on raw TCP (port 9100).',
  uriSchemes: ['tcp:'],
  optionsSchema,
  create(settings): PrinterDriver {
    const o = settings.options;
    const target = tcpTarget(settings.uri, o.connectTimeoutMs);
    const ready: LastReady = {};
    // The connection of the last confirmed job, kept for the next one for keepOpenMs.
    let kept: { session: TcpSession; timer: NodeJS.Timeout } | undefined;
    const take = (): TcpSession | undefined => {
      const k = kept;
      kept = undefined;
      if (!k) return undefined;
      clearTimeout(k.timer);
      if (k.session.idle) return k.session;
      k.session.destroy(); // the printer closed or reset it meanwhile, or said something unasked: a new one
      return undefined;
    };
    const drop = () => take()?.release(500);
    /** Asks ~HS on a kept connection: its answer is the printer's state for the job about to go (and see freshStatusMs). */
    const answers = async (session: TcpSession, signal: AbortSignal): Promise<HostStatus | undefined> => {
      try {
        await session.write(HS, o.statusTimeoutMs, signal);
        const answer = await session.answer(hostStatusAnswer, o.statusTimeoutMs, signal);
        if (answer) ready.heard = true;
        if (answer && !HOLDING_STATES.includes(answer.status.state)) Object.assign(ready, { answer, at: Date.now() });
        else ready.at = undefined; // not an answer that lets a label go unasked on the next connection
        return answer;
      } catch {
        ready.at = undefined;
        return undefined;
      }
    };
    return rawTcpPrinter({
      formats: ['zpl'],
      // Joined jobs are confirmed a group of labels at a time, as a job's labels are; a printer set up not to confirm
      // gets each job on its own.
      ...(o.confirm ? { joins: Math.min(o.joinJobs, o.maxAhead) } : {}),
      busy: { state: 'printing', detail: 'printing a job' },
      async print(document, options) {
        // A kept connection carries a job only once it has answered ~HS for it: a printer that closed, reset or lost
        // it meanwhile gets a new one, and no label ever leaves on a connection that may already be dead. That answer
        // is the job's question before sending. One-label jobs, alone or joined, take it: a longer job asks for two
        // answers at once (~HQOD and ~HS), and on a connection past its first exchanges the second can wait for a
        // delayed ACK (Nagle at the printer: 40 ms each time, measured with the double); its own connection costs it
        // nothing that matters. Joined jobs ask one answer at a time.
        const single = (document.meta.partEnds?.length ?? 1) - (options.startPart ?? 0) === 1;
        let session = single || document.meta.joined ? take() : (drop(), undefined);
        let asked: HostStatus | undefined;
        if (session) {
          asked = await answers(session, options.signal);
          if (!asked) {
            session.destroy();
            session = undefined;
          }
        }
        session ??= await TcpSession.open(target, options.signal);
        let confirmed = false;
        try {
          const result = await (o.confirm ? printZpl(document, o, session, options, ready, asked) : sendUnconfirmed(document, o, session, options));
          confirmed = result.confirmed;
          return result;
        } finally {
          // Everything confirmed: the connection stays for the next job, or closes in the background (waiting for
          // the printer's close proved nothing and held its next job). Anything else: cut.
          if (!confirmed) session.destroy();
          else if (o.keepOpenMs > 0 && session.idle) kept = { session, timer: setTimeout(drop, o.keepOpenMs).unref() };
          else session.release(500);
        }
      },
      setup: {
        actions: ['identify', 'calibrate', 'darkness', 'speed'],
        run: (action, signal) => {
          drop();
          return setupZpl(action, o, target, signal);
        },
      },
      close: async () => drop(),
      async query(signal) {
        drop();
        let answer: HostStatus | undefined;
        try {
          answer = await ask(target, HS, hostStatusAnswer, o.statusTimeoutMs, signal);
        } catch (err) {
          ready.at = undefined;
          return { state: 'offline', detail: describeError(err) };
        }
        // Reachable but silent is a fault at the printer, not a missing printer.
        if (!answer) {
          ready.at = undefined;
          return { state: 'error', detail: silentPrinter('~HS', o.statusTimeoutMs, !!ready.heard) };
        }
        ready.heard = true;
        // What the monitor hears counts too: a printer found out of labels is asked again before the next label.
        if (HOLDING_STATES.includes(answer.status.state)) ready.at = undefined;
        else Object.assign(ready, { answer, at: Date.now() });
        return answer.status;
      },
    });
  },
};

export default definition;
