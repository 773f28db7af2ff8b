// IPP / CUPS printers: Print-Job with PDF, the job followed to completion, printer state and reasons mapped to status.
import ipp from 'ipp';
import { z } from 'zod';
import { StationError, describeError } from '../src/errors.js';
import { sleep } from '../src/lib/backoff.js';
import { readyMedia } from '../src/printing/media.js';
import { unreachable } from '../src/printing/tcp.js';
import { HOLDING_STATES, PartialPrintError, PrinterHeldError, PrinterUnavailableError, type DriverDefinition, type PrinterDriver, type PrinterStatus, SEGMENT_BYTES, type DocumentBytes, wholeBytes } from '../src/printing/types.js';

const optionsSchema = z.strictObject({
  requestTimeoutMs: z.number().int().min(500).max(300_000).default(30_000),
  /** How long to follow a job before calling it stuck. */
  jobTimeoutMs: z.number().int().min(1000).max(3_600_000).default(600_000),
  pollMs: z.number().int().min(50).max(60_000).default(1000),
  userName: z.string().min(1).max(60).default('benchprint'),
});
type IppOptions = z.infer<typeof optionsSchema>;

type IppResponse = Record<string, unknown> & { statusCode?: string };

/** printer-state-reasons, most urgent first; keywords may carry -error/-warning/-report suffixes. */
const REASONS: Array<[RegExp, PrinterStatus['state'], string]> = [
  [/^(door-open|cover-open|interlock-open)/, 'head-open', 'a door or cover is open'],
  [/^(media-empty|media-needed|input-tray-missing)/, 'no-media', 'out of paper'],
  [/^(marker-supply-empty|toner-empty|ribbon-empty)/, 'ribbon-out', 'out of toner or ribbon'],
  [/^(offline|connecting-to-device|shutdown|timed-out)/, 'offline', 'the printer is offline'],
  [/^(media-jam|other-error|fuser-|cutter-|printer-stopped)/, 'error', 'the printer reports an error'],
  [/^(paused|moving-to-paused)/, 'paused', 'paused'],
];

/**
 * The first reason among `reasons` that a person must put right (out of paper, a door open, a jam), in words with the
 * printer's keyword; `warnings` counts those reported as warnings too. CUPS reports a printer out of paper as
 * `media-empty-warning` while it keeps the job processing (its backends wait for paper), as ippeveprinter does.
 */
function personNeeded(reasons: unknown, warnings: boolean): PrinterStatus | undefined {
  const list = (Array.isArray(reasons) ? reasons : [reasons]).map(String).filter((r) => r && r !== 'none' && !r.endsWith('-report'));
  const counted = warnings ? list : list.filter((r) => !r.endsWith('-warning'));
  for (const [pattern, mapped, detail] of REASONS) {
    const hit = counted.find((r) => pattern.test(r));
    if (hit) return { state: mapped, detail: `${detail} (${hit})` };
  }
  return undefined;
}

export function mapPrinterState(state: unknown, reasons: unknown): PrinterStatus {
  const list = (Array.isArray(reasons) ? reasons : [reasons]).map(String).filter((r) => r && r !== 'none');
  // An error holds jobs; a warning (a printer processing a job while out of paper, say) is said, and holds none.
  const serious = personNeeded(list, false);
  if (serious) return serious;
  const warned = personNeeded(list, true)?.detail;
  if (state === 'stopped') return { state: 'paused', detail: list.length ? `stopped (${list.join(', ')})` : 'stopped' };
  if (state === 'processing') return warned ? { state: 'printing', detail: warned } : { state: 'printing' };
  if (state === 'idle') return warned ? { state: 'ready', detail: warned } : list.length ? { state: 'ready', detail: list.join(', ') } : { state: 'ready' };
  return { state: 'unknown', detail: `printer-state ${String(state)}` };
}

/**
 * What a refusal from an IPP printer (an HTTP status, or an IPP status code in a successful HTTP answer) means at the
 * bench: in plain words, what to do, and whether a job may wait for it to be put right (nothing was printed either way).
 */
const REFUSALS: Array<[RegExp, string, string, boolean]> = [
  [/^(401|client-error-not-authenticated)$/, 'it asks for a user name and password to print', "The station prints without one: let this PC print to the queue without a password (in CUPS, the queue's policy).", true],
  [/^(403|client-error-forbidden|client-error-not-authorized)$/, 'it does not let this PC print', 'Allow printing from this PC on the printer or its CUPS server.', true],
  [/^(404|client-error-not-found)$/, 'it has no queue at that address', "Check the queue's name in the printer's address.", true],
  [/^426$/, 'it only takes encrypted connections', "Use ipps:// in the printer's address.", true],
  [/^(413|client-error-request-entity-too-large)$/, 'the document is too large for it', 'Print fewer labels per job.', false],
  // The station asks for nothing but a PDF with a name: a value the printer does not support is the format.
  [/^client-error-(document-format|attributes-or-values)-not-supported$/, 'it does not take the job as sent, a PDF', 'Use a printer or CUPS queue that prints PDF.', false],
  [/^(5\d\d|server-error-.*)$/, 'it cannot take jobs now', 'The station tries again.', true],
];

/** The printer said no to an operation: it was not performed, so nothing printed. */
class IppRefusal extends StationError {
  /** 'answered client-error-not-found ("…")': what the printer said, without what it means for a job. */
  readonly answered: string;
  /** "answered HTTP 401: it asks for …", for the printer's status. */
  readonly reason: string;
  readonly waits: boolean;
  constructor(answer: string, host: string, said?: unknown) {
    const [, meaning, hint, waits] = REFUSALS.find(([pattern]) => pattern.test(answer)) ?? [undefined, 'it refused the request', 'Check the printer and its address.', false];
    const answered = `answered ${/^\d+$/.test(answer) ? `HTTP ${answer}` : answer}${typeof said === 'string' && said ? ` ("${said.slice(0, 200)}")` : ''}`;
    const reason = `${answered}: ${meaning}`;
    super('IPP_REFUSED', `IPP printer ${host} ${reason}.`, { status: 502, hint });
    this.answered = answered;
    this.reason = reason;
    this.waits = waits;
  }

  /** For a job: one that may wait for the printer is tried again; one the printer can never take fails. */
  forJob(): StationError {
    return this.waits ? new PrinterUnavailableError(this.message, this.hint ?? 'Check the printer.', this) : this;
  }
}

/** The request's head, then the document a segment at a time. */
function* pieces(head: Uint8Array, data: DocumentBytes): Generator<Uint8Array> {
  yield head;
  for (let at = 0; at < data.length; at += SEGMENT_BYTES) yield data.slice(at, Math.min(data.length, at + SEGMENT_BYTES));
}

const definition: DriverDefinition<IppOptions> = {
  name: 'ipp',
  description: 'IPP Everywhere printers and CUPS queues (ipp:// or ipps://), for PDF.',
  uriSchemes: ['ipp:', 'ipps:'],
  optionsSchema,
  create(settings): PrinterDriver {
    const printerUri = settings.uri.href;
    const http = new URL(settings.uri.href.replace(/^ipp/, 'http'));
    if (!settings.uri.port) http.port = '631';
    const o = settings.options;

    const call = async (operation: string, attributes: Record<string, unknown>, signal: AbortSignal, data?: DocumentBytes): Promise<IppResponse> => {
      // The request's attributes, then the document as it is (serialized without data, the attributes end the same).
      const head = ipp.serialize({
        operation,
        'operation-attributes-tag': { 'attributes-charset': 'utf-8', 'attributes-natural-language': 'en', 'printer-uri': printerUri, 'requesting-user-name': o.userName, ...attributes },
      });
      // A long document (a job's, in the store) is sent a segment at a time as it is read (chunked), never held whole.
      const streamed = data !== undefined && !(data instanceof Uint8Array) && data.length > SEGMENT_BYTES;
      const body = !data ? head : streamed ? ReadableStream.from(pieces(head, data)) : Buffer.concat([head, wholeBytes(data)]);
      const res = await fetch(http, {
        method: 'POST',
        headers: { 'content-type': 'application/ipp' },
        body,
        ...(streamed ? { duplex: 'half' as const } : {}),
        signal: AbortSignal.any([signal, AbortSignal.timeout(o.requestTimeoutMs)]),
      });
      if (!res.ok) {
        await res.body?.cancel();
        throw new IppRefusal(String(res.status), http.host);
      }
      return ipp.parse(Buffer.from(await res.arrayBuffer())) as IppResponse;
    };
    /** The printer's refusal of the operation, if it refused it. */
    const refusal = (r: IppResponse): IppRefusal | undefined =>
      typeof r.statusCode === 'string' && r.statusCode.startsWith('successful')
        ? undefined
        : new IppRefusal(String(r.statusCode), http.host, (r['operation-attributes-tag'] as Record<string, unknown> | undefined)?.['status-message']);
    /** The answer, unless the printer refused the operation. */
    const accepted = (r: IppResponse): IppResponse => {
      const no = refusal(r);
      if (no) throw no;
      return r;
    };
    /** The printer's status, and what it waits for a person to put right, warnings included (see personNeeded). */
    const readPrinter = async (signal: AbortSignal): Promise<{ status: PrinterStatus; waitsFor?: PrinterStatus }> => {
      const r = accepted(await call('Get-Printer-Attributes', { 'requested-attributes': ['printer-state', 'printer-state-reasons', 'printer-is-accepting-jobs', 'queued-job-count', 'media-ready'] }, signal));
      const attrs = (r['printer-attributes-tag'] ?? {}) as Record<string, unknown>;
      const mapped = mapPrinterState(attrs['printer-state'], attrs['printer-state-reasons']);
      const status = attrs['printer-is-accepting-jobs'] === false && mapped.state === 'ready' ? { state: 'paused' as const, detail: 'not accepting jobs' } : mapped;
      // Jobs it has and has not finished (pending, held, printing): a job the station gave up following may still print.
      const queued = Number(attrs['queued-job-count']);
      const waitsFor = personNeeded(attrs['printer-state-reasons'], true);
      // What it has loaded, for sending each label or page to a printer whose stock takes it.
      const media = readyMedia(attrs['media-ready']);
      return { status: { ...status, ...(queued > 0 ? { jobsWaiting: queued } : {}), ...(media.length ? { media } : {}) }, ...(waitsFor ? { waitsFor } : {}) };
    };
    /**
     * How many of the printer's unfinished jobs are ahead of ours, from its list (jobs with a lower id that it prints
     * or will: not held ones); where it does not give its list, its queued-job-count less ours.
     */
    const jobsAhead = async (jobId: unknown, queued: number | undefined, signal: AbortSignal): Promise<number | undefined> => {
      const listed = await call('Get-Jobs', { 'which-jobs': 'not-completed', 'requested-attributes': ['job-id', 'job-state'] }, signal)
        .then(accepted)
        .catch(() => undefined);
      const said = listed?.['job-attributes-tag'];
      if (said !== undefined && typeof jobId === 'number') {
        const jobs = (Array.isArray(said) ? said : [said]) as Array<Record<string, unknown>>;
        return jobs.filter((j) => typeof j['job-id'] === 'number' && j['job-id'] < jobId && (j['job-state'] === 'pending' || j['job-state'] === 'processing')).length;
      }
      return queued && queued > 1 ? queued - 1 : undefined;
    };
    /**
     * Words for a job waiting its turn; none when the printer's list shows nothing ahead of it any more (the job before
     * it ended between our questions: it is this job's turn).
     */
    const turnWords = async (jobId: unknown, queued: number | undefined, signal: AbortSignal): Promise<string | undefined> => {
      const ahead = await jobsAhead(jobId, queued, signal);
      if (ahead === 0) return undefined;
      return ahead ? `${ahead} other ${ahead === 1 ? 'job' : 'jobs'} ahead of this one` : 'printing another job first';
    };
    const readStatus = async (signal: AbortSignal): Promise<PrinterStatus> => (await readPrinter(signal)).status;
    /** Why a request found no printer, in words ("could not be found: no device …"; fetch itself says only "fetch failed"). */
    const notReached = (err: unknown): { why: string; hint: string } => {
      const code = (err as { cause?: { code?: string } }).cause?.code;
      if (code) return unreachable(code, http.hostname);
      if (err instanceof Error && err.name === 'TimeoutError') return unreachable('ETIMEDOUT', http.hostname);
      return { why: `could not be reached (${describeError(err)})`, hint: 'Check that it is on and that the address is right.' };
    };
    const printerStatus = (signal: AbortSignal): Promise<PrinterStatus> =>
      readStatus(signal).catch((err: unknown): PrinterStatus => {
        if (err instanceof IppRefusal) return { state: 'error', detail: err.reason };
        const { why, hint } = notReached(err);
        return { state: 'offline', detail: `IPP printer ${http.host} ${why}. ${hint}` };
      });

    return {
      formats: ['pdf'],
      async print(document, { signal, onProgress }) {
        const parts = document.meta.partEnds?.length || 1;
        const length = document.bytes.length;
        // A printer that reports it cannot print now (out of paper, door open, stopped) holds the job: nothing is sent.
        const before = await readStatus(signal).catch((err: unknown) => {
          if (err instanceof IppRefusal) throw err.forJob();
          const { why, hint } = notReached(err);
          throw new PrinterUnavailableError(`IPP printer ${http.host} ${why}.`, hint, err);
        });
        if (HOLDING_STATES.includes(before.state)) throw new PrinterHeldError(before, 0);
        const unsure = (why: string, err?: unknown) => new PartialPrintError(why, { bytesSent: length, partsSent: parts, partsConfirmed: 0 }, err);
        await onProgress?.({ bytesSent: length, partsSent: parts, partsConfirmed: 0 });
        let response: IppResponse;
        try {
          response = await call('Print-Job', { 'job-name': document.meta.name.slice(0, 200), 'document-format': 'application/pdf' }, signal, document.bytes);
        } catch (err) {
          // An HTTP error is the printer's answer that it did not take the job: nothing printed.
          if (err instanceof IppRefusal) throw err.forJob();
          // fetch gives no byte count: a connection that failed before any answer may or may not have carried the job.
          const code = (err as { cause?: { code?: string } }).cause?.code;
          if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
            const { why, hint } = notReached(err);
            throw new PrinterUnavailableError(`IPP printer ${http.host} ${why}.`, hint, err);
          }
          throw unsure(`The IPP request to ${http.host} failed while the job was being sent: ${describeError(err)}.`, err);
        }
        const refused = refusal(response);
        if (refused) throw refused.forJob();
        const jobId = (response['job-attributes-tag'] as Record<string, unknown> | undefined)?.['job-id'];
        let deadline = Date.now() + o.jobTimeoutMs;
        let waitingFor: string | undefined;
        let waitingTurn: string | undefined;
        let impressions = 0;
        for (;;) {
          const job = await call('Get-Job-Attributes', { 'job-id': jobId, 'requested-attributes': ['job-state', 'job-state-reasons', 'job-impressions-completed'] }, signal).then(accepted).catch((err: unknown) => {
            // A refusal here is about the job (gone from the printer's list, say), not the queue: the printer's words.
            throw unsure(`Job ${String(jobId)} was sent, but its progress could not be followed: ${err instanceof IppRefusal ? `the printer ${err.answered}` : describeError(err)}.`, err);
          });
          const attrs = (job['job-attributes-tag'] ?? {}) as Record<string, unknown>;
          const state = attrs['job-state'];
          const said = attrs['job-state-reasons'];
          const reasons = said === undefined ? [] : (Array.isArray(said) ? said : [said]).map(String);
          // The printer's own word that the job printed; one it finished with errors may not have printed whole.
          if (state === 'completed' && reasons.includes('job-completed-with-errors')) throw unsure(`IPP job ${String(jobId)} was finished by the printer with errors (${reasons.join(', ')}): it may not have printed whole.`);
          if (state === 'completed') {
            const warned = reasons.includes('job-completed-with-warnings') ? { note: `the printer finished it with warnings (${reasons.join(', ')})` } : {};
            return { bytesSent: length, partsSent: parts, partsConfirmed: parts, partsPrinted: parts, confirmed: true, reference: `ipp job ${String(jobId)}`, ...warned };
          }
          if (state === 'aborted' || state === 'canceled') throw unsure(`IPP job ${String(jobId)} ended as ${String(state)} (${reasons.join(', ')}).`);
          // A printer that waits for a person (out of paper, a door open, a jam) prints the job once that is put right:
          // the job waits in it, saying why, for as long as the printer says so. So does a long job whose pages keep
          // coming out, and one waiting its turn behind others while the printer prints. The time limit is for a job
          // that goes nowhere without a reason.
          const printer = await readPrinter(signal).catch(() => undefined);
          const stopped = state === 'processing-stopped' ? { state: 'paused' as const, detail: `the printer stopped the job (${reasons.join(', ')})` } : undefined;
          const waitsFor = printer?.waitsFor ?? stopped;
          const pages = Number(attrs['job-impressions-completed']);
          const printing = Number.isFinite(pages) && pages > impressions;
          if (printing) impressions = pages;
          const behindOthers = state === 'pending' && printer?.status.state === 'printing';
          if (waitsFor || printing || behindOthers) deadline = Date.now() + o.jobTimeoutMs;
          // Waiting its turn, the job says how many are ahead of it, so that nobody takes a job that is simply queued
          // behind the office's for one that is stuck.
          const turn = behindOthers && !waitsFor ? await turnWords(jobId, printer.status.jobsWaiting, signal) : undefined;
          if (printer && (waitsFor?.detail !== waitingFor || turn !== waitingTurn)) {
            waitingFor = waitsFor?.detail;
            waitingTurn = turn;
            onProgress?.({ bytesSent: length, partsSent: parts, partsConfirmed: 0, status: printer.status, ...(waitingFor ? { waitingFor } : {}), ...(waitingTurn ? { waitingTurn } : {}) });
          }
          if (Date.now() > deadline) {
            const held = typeof state === 'string' ? `; the printer still has it (${state}${reasons.length ? `, ${reasons.join(', ')}` : ''}) and may print it yet` : '';
            throw unsure(`IPP job ${String(jobId)} did not finish within ${o.jobTimeoutMs} ms${held}.`);
          }
          // Stopped meanwhile (the station is stopping): the printer keeps the job and may print it yet.
          await sleep(o.pollMs, signal).catch((err: unknown) => {
            throw unsure(`The station stopped following IPP job ${String(jobId)} while the printer still had it (${String(state)}${reasons.length ? `, ${reasons.join(', ')}` : ''}): it may print it yet.`, err);
          });
        }
      },
      status: printerStatus,
    };
  },
};

export default definition;
