// IPP / CUPS printers: Print-Job with PDF, the job followed to completion, printer state and reasons mapped to status.
import ipp from 'ipp';
import { z } from 'zod';
import { StationError, describeError } from '../src/errors.js';
import { sleep } from '../src/lib/backoff.js';
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

export function mapPrinterState(state: unknown, reasons: unknown): PrinterStatus {
  const list = (Array.isArray(reasons) ? reasons : [reasons]).map(String).filter((r) => r && r !== 'none');
  const serious = list.filter((r) => !r.endsWith('-report') && !r.endsWith('-warning'));
  for (const [pattern, mapped, detail] of REASONS) {
    const hit = serious.find((r) => pattern.test(r));
    if (hit) return { state: mapped, detail: `${detail} (${hit})` };
  }
  if (state === 'stopped') return { state: 'paused', detail: list.length ? `stopped (${list.join(', ')})` : 'stopped' };
  if (state === 'processing') return { state: 'printing' };
  if (state === 'idle') return list.length ? { state: 'ready', detail: list.join(', ') } : { state: 'ready' };
  return { state: 'unknown', detail: `printer-state ${String(state)}` };
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
      if (!res.ok) throw new StationError('IPP_HTTP', `The IPP printer answered HTTP ${res.status}.`, { status: 502 });
      return ipp.parse(Buffer.from(await res.arrayBuffer())) as IppResponse;
    };
    const ok = (r: IppResponse) => typeof r.statusCode === 'string' && r.statusCode.startsWith('successful');
    const printerStatus = async (signal: AbortSignal): Promise<PrinterStatus> => {
      try {
        const r = await call('Get-Printer-Attributes', { 'requested-attributes': ['printer-state', 'printer-state-reasons', 'printer-is-accepting-jobs'] }, signal);
        const attrs = (r['printer-attributes-tag'] ?? {}) as Record<string, unknown>;
        const status = mapPrinterState(attrs['printer-state'], attrs['printer-state-reasons']);
        if (attrs['printer-is-accepting-jobs'] === false && status.state === 'ready') return { state: 'paused', detail: 'not accepting jobs' };
        return status;
      } catch (err) {
        return { state: 'offline', detail: describeError(err) };
      }
    };

    return {
      formats: ['pdf'],
      async print(document, { signal, onProgress }) {
        const parts = document.meta.partEnds?.length || 1;
        const length = document.bytes.length;
        // A printer that reports it cannot print now (out of paper, door open, stopped) holds the job: nothing is sent.
        const before = await printerStatus(signal);
        if (before.state === 'offline') throw new PrinterUnavailableError(`IPP printer ${http.host} could not be reached (${before.detail ?? 'offline'}).`, 'Check that it is on and that the address is right.');
        if (HOLDING_STATES.includes(before.state)) throw new PrinterHeldError(before, 0);
        const unsure = (why: string, err?: unknown) => new PartialPrintError(why, { bytesSent: length, partsSent: parts, partsConfirmed: 0 }, err);
        onProgress?.({ bytesSent: length, partsSent: parts, partsConfirmed: 0 });
        let response: IppResponse;
        try {
          response = await call('Print-Job', { 'job-name': document.meta.name.slice(0, 200), 'document-format': 'application/pdf' }, signal, document.bytes);
        } catch (err) {
          // fetch gives no byte count: a connection that failed before any answer may or may not have carried the job.
          const code = (err as { cause?: { code?: string } }).cause?.code;
          if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH') {
            throw new PrinterUnavailableError(`IPP printer ${http.host} could not be reached (${code}).`, 'Check that it is on and that the address is right.', err);
          }
          throw unsure(`The IPP request to ${http.host} failed while the job was being sent: ${describeError(err)}.`, err);
        }
        if (!ok(response)) {
          const status = String(response.statusCode);
          const busy = /busy|not-accepting|temporarily|service-unavailable/.test(status);
          if (busy) throw new PrinterUnavailableError(`IPP printer refused the job for now (${status}).`, 'The station tries again.');
          throw new StationError('IPP_REFUSED', `IPP printer refused the job (${status}).`, { status: 502, hint: 'Check that the printer accepts PDF.' });
        }
        const jobId = (response['job-attributes-tag'] as Record<string, unknown> | undefined)?.['job-id'];
        const deadline = Date.now() + o.jobTimeoutMs;
        for (;;) {
          const job = await call('Get-Job-Attributes', { 'job-id': jobId, 'requested-attributes': ['job-state', 'job-state-reasons', 'job-impressions-completed'] }, signal).catch((err: unknown) => {
            throw unsure(`Job ${String(jobId)} was sent, but its progress could not be followed: ${describeError(err)}.`, err);
          });
          const attrs = (job['job-attributes-tag'] ?? {}) as Record<string, unknown>;
          const state = attrs['job-state'];
          // The printer's own word that the job printed.
          if (state === 'completed') return { bytesSent: length, partsSent: parts, partsConfirmed: parts, partsPrinted: parts, confirmed: true, reference: `ipp job ${String(jobId)}` };
          if (state === 'aborted' || state === 'canceled') throw unsure(`IPP job ${String(jobId)} ended as ${String(state)} (${String(attrs['job-state-reasons'])}).`);
          if (Date.now() > deadline) throw unsure(`IPP job ${String(jobId)} did not finish within ${o.jobTimeoutMs} ms.`);
          await sleep(o.pollMs, signal);
        }
      },
      status: printerStatus,
    };
  },
};

export default definition;
