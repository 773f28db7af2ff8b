// A CUPS queue shared with the office, for tests: an IPP server on a loopback port that takes every job (CUPS does;
// ippeveprinter answers server-error-busy to a second job instead) and prints them one at a time, in order: the
// station's each for `printSeconds`, the office's for as long as each is said to take. While it prints one, the others
// are `pending` (reason job-queued) and the printer `processing`; `queued-job-count` counts the jobs it has not
// finished, and Get-Jobs lists them, as CUPS does.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import ipp from 'ipp';

export interface CupsQueueDouble {
  uri: string;
  /** A job from another computer (the office), printed in its turn for `seconds`. */
  submitElsewhere(name: string, seconds: number): number;
  /** Names of the jobs printed so far, in the order they printed. */
  printed(): string[];
  close(): Promise<void>;
}

interface QueuedJob {
  id: number;
  name: string;
  start: number;
  end: number;
}

export async function startCupsQueue(o: { printSeconds: number }): Promise<CupsQueueDouble> {
  const jobs: QueuedJob[] = [];
  const add = (name: string, seconds = o.printSeconds): QueuedJob => {
    const now = Date.now();
    const start = Math.max(now, jobs.at(-1)?.end ?? now);
    const job = { id: (jobs.at(-1)?.id ?? 100) + 1, name, start, end: start + seconds * 1000 };
    jobs.push(job);
    return job;
  };
  const state = (j: QueuedJob, now = Date.now()) => (now >= j.end ? 'completed' : now >= j.start ? 'processing' : 'pending');
  const reasons = (j: QueuedJob) => ({ completed: 'job-completed-successfully', processing: 'job-printing', pending: 'job-queued' })[state(j)];
  const unfinished = () => jobs.filter((j) => state(j) !== 'completed');

  const answer = (asked: { operation: string; 'operation-attributes-tag'?: Record<string, unknown> }, body: Buffer): Buffer => {
    const ok = { statusCode: 'successful-ok', 'operation-attributes-tag': { 'attributes-charset': 'utf-8', 'attributes-natural-language': 'en' } };
    const attrs = asked['operation-attributes-tag'] ?? {};
    switch (asked.operation) {
      case 'Get-Printer-Attributes':
        return ipp.serialize({
          ...ok,
          'printer-attributes-tag': { 'printer-state': unfinished().length ? 'processing' : 'idle', 'printer-state-reasons': 'none', 'printer-is-accepting-jobs': true, 'queued-job-count': unfinished().length },
        });
      case 'Print-Job': {
        // The document follows the attributes; a job whose document did not arrive is not taken.
        if (!body.includes(Buffer.from('%PDF'))) return ipp.serialize({ ...ok, statusCode: 'client-error-bad-request' });
        const j = add(String(attrs['job-name'] ?? 'job'));
        return ipp.serialize({ ...ok, 'job-attributes-tag': { 'job-id': j.id, 'job-state': 'pending', 'job-state-reasons': 'job-queued' } });
      }
      case 'Get-Job-Attributes': {
        const j = jobs.find((x) => x.id === attrs['job-id']);
        if (!j) return ipp.serialize({ ...ok, statusCode: 'client-error-not-found' });
        return ipp.serialize({ ...ok, 'job-attributes-tag': { 'job-id': j.id, 'job-state': state(j), 'job-state-reasons': reasons(j), 'job-impressions-completed': state(j) === 'completed' ? 1 : 0 } });
      }
      case 'Get-Jobs':
        // One job-attributes group per job (the ipp package writes one group of a kind: the others are spliced in).
        return withGroups(
          ipp.serialize(ok),
          unfinished().map((j) => ipp.serialize({ statusCode: 'successful-ok', 'job-attributes-tag': { 'job-id': j.id, 'job-state': state(j) } })),
        );
      default:
        return ipp.serialize({ ...ok, statusCode: 'server-error-operation-not-supported' });
    }
  };

  const server: Server = createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', () => {
      const whole = Buffer.concat(body);
      const asked = ipp.parse(whole) as { operation: string; id: number; 'operation-attributes-tag'?: Record<string, unknown> };
      const out = answer(asked, whole);
      out.writeUInt32BE(asked.id, 4); // the request's id
      res.writeHead(200, { 'content-type': 'application/ipp' });
      res.end(out);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    uri: `ipp://127.0.0.1:${(server.address() as AddressInfo).port}/printers/office`,
    submitElsewhere: (name, seconds) => add(name, seconds).id,
    printed: () => jobs.filter((j) => state(j) === 'completed').map((j) => j.name),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** An IPP message with the groups of `more` (each a serialized message of that one group) after its own. */
function withGroups(message: Buffer, more: Buffer[]): Buffer {
  // A message: version (2), status (2), request id (4), groups, end-of-attributes (0x03).
  return Buffer.concat([message.subarray(0, message.length - 1), ...more.map((m) => m.subarray(8, m.length - 1)), Buffer.from([0x03])]);
}
