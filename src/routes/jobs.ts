// Print jobs over HTTP: create (idempotent), look at, cancel, reprint, move; queue pause/resume; history and CSV.
import type { ShopClock } from '../lib/shop-clock.js';
import type { Operation } from '../http/operations.js';
import { Hono, type Context } from 'hono';
import { KeyedLock } from '../lib/keyed-lock.js';
import { z } from 'zod';
import type { AppDeps, AppEnv } from '../deps.js';
import { isStationError, StationError } from '../errors.js';
import { stationErrorBody } from '../http/errors.js';
import { requireScope } from '../http/auth.js';
import { jsonBody, parseRequest } from '../http/validate.js';
import { JOB_STATES, type JobRecord } from '../queue/job-store.js';
import { resumeChoices } from '../queue/attention.js';
import { fingerprint, type Submission } from '../queue/submissions.js';
import { historyCsv } from '../queue/history.js';
import { printRequestSchema, renderRequest } from '../queue/requests.js';

export const filterQuery = z.strictObject({
  state: z.enum(JOB_STATES).optional(),
  printer: z.string().optional(),
  workOrder: z.string().optional(),
  serial: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

const force = z.boolean().optional().meta({ description: 'Print again even though the same request was made moments ago (otherwise that job is returned).' });
export const reprintBody = z.strictObject({
  from: z.number().int().min(1).default(1).meta({ description: 'First label of the job to print again (1-based).' }),
  to: z.number().int().min(1).optional().meta({ description: 'Last label; the end of the job when absent.' }),
  force,
});
export const resumeBody = z.strictObject({
  afterSerial: z.string().min(1).max(200).meta({ description: 'Serial (or the scanned code) of the last tag that came out: the job goes on right after it.' }),
  force,
});
export const batchBody = z.strictObject({
  requests: z.array(printRequestSchema).min(1).max(500).meta({ description: 'Print requests, as POST /api/v1/jobs takes them, made in this order.' }),
});
export const moveBody = z.strictObject({ jobs: z.array(z.string()).min(1).max(1000), to: z.string().min(1) });
export const historyQuery = filterQuery.extend({ limit: z.coerce.number().int().min(1).max(100_000).default(10_000) });

const key = (header: string | undefined) => {
  if (header === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,200}$/.test(header)) throw new StationError('INVALID_REQUEST', 'Idempotency-Key must be 1 to 200 visible ASCII characters.', { status: 422 });
  return header;
};

/** A job as the API shows it: a job that needs attention carries the resume choices its evidence allows. */
export const jobView = (job: JobRecord) => (job.state === 'needs-attention' ? { ...job, resume: resumeChoices(job) } : job);

/** 201 for a new job; 200 for the one a key or an identical recent request already made, saying so. */
const answer = (s: Submission, clock: ShopClock) => ({
  status: s.created ? (201 as const) : (200 as const),
  body: s.duplicate
    ? { ...jobView(s.job), duplicate: { of: s.job.id, message: `The same request was made at ${clock.time(s.job.createdAt, true)} (${clock.zoneName(s.job.createdAt)}): this is that job. Send "force": true to print it again.` } }
    : jobView(s.job),
});

const submitted = (c: Context<AppEnv>, s: Submission, clock: ShopClock) => {
  if (s.duplicate) c.header('x-duplicate-of', s.job.id);
  const { status, body } = answer(s, clock);
  return c.json(body, status);
};

/** The query's `printer` is the store's `printerId`. */
const jobFilter = ({ printer, ...rest }: z.infer<typeof filterQuery>) => ({ ...rest, ...(printer ? { printerId: printer } : {}) });


/** What this module serves, for the OpenAPI document (the served routes are checked against it). */
export const operations: readonly Operation[] = [
  { method: 'post', path: '/api/v1/printers/{id}/pause', summary: "Hold the printer's queue", scope: 'admin' },
  { method: 'post', path: '/api/v1/printers/{id}/resume', summary: "Release the printer's queue", scope: 'admin' },
  { method: 'post', path: '/api/v1/jobs', summary: 'Queue a print job: labels of a line, a template with explicit data, a document, a test page, or raw ZPL (admin tokens only). A work order this station does not know yet is asked of GoldLeaf first (released a moment ago); tags numbered within their line (from) are refused with 409 TAGS_ALREADY_MADE when tags with those numbers are made, here or on another bench of the shop; new tags and dated papers are refused with 503 CLOCK_WRONG while this PC clock gives another date than GoldLeaf', scope: 'print', body: printRequestSchema, idempotent: true },
  { method: 'post', path: '/api/v1/jobs/batch', summary: 'Queue several print requests in one call (a work order\'s tags, datasheet and traveler): the station makes every one of them, in order, once the call has arrived, even if the caller goes away meanwhile. Each item answers as POST /api/v1/jobs would (its status, and the job or the error); one refused does not stop the others. With an Idempotency-Key K, item i takes the key K-i', scope: 'print', body: batchBody, idempotent: true },
  { method: 'get', path: '/api/v1/jobs', summary: 'Jobs, newest first: search by state, printer, work order, serial and date', scope: 'read', query: filterQuery },
  { method: 'get', path: '/api/v1/jobs/{id}', summary: 'One job with every state it went through', scope: 'read' },
  { method: 'post', path: '/api/v1/jobs/{id}/cancel', summary: 'Cancel a waiting job or one that needs attention (others’ jobs need admin)', scope: 'print' },
  { method: 'post', path: '/api/v1/jobs/{id}/reprint', summary: 'Labels of a job again, as a new job linked to it (resume from a label, or a range)', scope: 'print', body: reprintBody, idempotent: true },
  { method: 'post', path: '/api/v1/jobs/{id}/resume', summary: 'Go on right after the last tag that came out (scanned): a new job for the rest, or the job closed as printed when it was the last', scope: 'print', body: resumeBody, idempotent: true },
  { method: 'post', path: '/api/v1/jobs/{id}/confirm', summary: 'Say every label of a job that needs attention came out: it is closed as printed, with who said so', scope: 'print' },
  { method: 'post', path: '/api/v1/jobs/move', summary: 'Move waiting jobs to another printer', scope: 'admin', body: moveBody },
  { method: 'get', path: '/api/v1/history.csv', summary: 'Job history as CSV, with the same filters as /jobs', scope: 'read', query: historyQuery, produces: 'text/csv' },
];

export function jobRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const lineTurns = new KeyedLock();

  /** One print request, as asked for: made once (see Submissions), a line's numbered tags taking turns. */
  const submit = async (principal: AppEnv['Variables']['principal'], asked: z.infer<typeof printRequestSchema>, idempotencyKey: string | undefined): Promise<Submission> => {
    const { force: again, ...request } = asked;
    if (request.kind === 'raw' && !principal.scopes.includes('admin')) {
      throw new StationError('FORBIDDEN', 'Raw ZPL may only be sent with an admin token.', { status: 403 });
    }
    // A repeated request (a double tap, a retried HTTP call) gets the job it already made, without rendering again.
    const print = fingerprint(principal.name, request);
    const make = async () => {
      const job = await renderRequest(again === true ? { ...request, force: true } : request, principal.name, deps.requests, idempotencyKey);
      return (await deps.queue.submitSoon({ ...job, fingerprint: print })).job;
    };
    // Tags numbered within their line are checked against those made by then, so requests for one line's tags take
    // turns: two kiosks asking for "the rest from 7" in the same instant get one set, and the second hears it is made.
    const line = request.kind === 'labels' && request.from !== undefined && request.line !== undefined ? `${deps.workOrders.get(request.workOrder)?.number ?? request.workOrder}:${request.line}` : undefined;
    return deps.submissions.run({ ...(idempotencyKey ? { key: idempotencyKey } : {}), fingerprint: print, force: again === true }, line ? () => lineTurns.run(line, make) : make);
  };

  app.post('/jobs', requireScope('print'), async (c) => {
    const request = parseRequest('print request', printRequestSchema, await jsonBody(c.req));
    return submitted(c, await submit(c.get('principal'), request, key(c.req.header('idempotency-key'))), deps.clock);
  });

  // A work order's "Print everything" is several jobs: asked for one by one from the kiosk, those not yet asked for
  // were lost when the page was left (a scan of the next work order) before the last was answered. In one call, the
  // station makes them all once it has the call.
  app.post('/jobs/batch', requireScope('print'), async (c) => {
    const { requests } = parseRequest('batch of print requests', batchBody, await jsonBody(c.req));
    const principal = c.get('principal');
    const batchKey = key(c.req.header('idempotency-key'));
    const items: Array<{ status: number; job?: unknown; error?: unknown }> = [];
    for (const [i, request] of requests.entries()) {
      try {
        const { status, body } = answer(await submit(principal, request, batchKey === undefined ? undefined : `${batchKey}-${i}`), deps.clock);
        items.push({ status, job: body });
      } catch (err) {
        if (!isStationError(err)) throw err;
        items.push({ status: err.status, ...stationErrorBody(err) });
      }
    }
    return c.json({ items }, items.some((i) => i.status === 201) ? 201 : 200);
  });

  app.get('/jobs', (c) => {
    const items = deps.jobs.list(jobFilter(parseRequest('job query', filterQuery, c.req.query()))).map(jobView);
    return c.json({ items, count: items.length });
  });

  app.get('/jobs/:id', (c) => {
    const job = deps.queue.get(c.req.param('id'));
    return c.json({ ...jobView(job), history: deps.jobs.events(job.id) });
  });

  app.post('/jobs/:id/cancel', requireScope('print'), (c) => {
    const principal = c.get('principal');
    const job = deps.queue.get(c.req.param('id'));
    // Anyone may cancel their own job; someone else's needs an admin (token or the kiosk PIN).
    if (job.requestedBy !== principal.name && !principal.scopes.includes('admin')) {
      throw new StationError('FORBIDDEN', `Job ${job.id} was asked for by ${job.requestedBy}; cancelling it needs an admin.`, { status: 403, hint: 'Enter the admin PIN, or use an admin token.' });
    }
    return c.json(deps.queue.cancel(job.id, principal.name));
  });

  app.post('/jobs/:id/reprint', requireScope('print'), async (c) => {
    const body = parseRequest('reprint request', reprintBody, await jsonBody(c.req));
    const by = c.get('principal').name;
    const k = key(c.req.header('idempotency-key'));
    const print = fingerprint(by, ['reprint', c.req.param('id'), body.from, body.to]);
    return submitted(c, await deps.submissions.run({ ...(k ? { key: k } : {}), fingerprint: print, force: body.force === true }, async () => deps.queue.reprint(c.req.param('id'), body.from, body.to, by, k, print)), deps.clock);
  });

  app.post('/jobs/:id/resume', requireScope('print'), async (c) => {
    const body = parseRequest('resume request', resumeBody, await jsonBody(c.req));
    const by = c.get('principal').name;
    const k = key(c.req.header('idempotency-key'));
    const print = fingerprint(by, ['resume', c.req.param('id'), body.afterSerial.trim().toUpperCase()]);
    const outcome = await deps.submissions.run({ ...(k ? { key: k } : {}), fingerprint: print, force: body.force === true }, async () => deps.queue.resumeAfter(c.req.param('id'), body.afterSerial, by, k, print));
    // The last tag scanned closes the job as printed: that is the job itself, not a new one.
    return outcome.job.id === c.req.param('id') ? c.json(jobView(outcome.job), 200) : submitted(c, outcome, deps.clock);
  });

  app.post('/jobs/:id/confirm', requireScope('print'), (c) => c.json(deps.queue.confirmPrinted(c.req.param('id'), c.get('principal').name)));

  app.post('/jobs/move', requireScope('admin'), async (c) => {
    const body = parseRequest('move request', moveBody, await jsonBody(c.req));
    return c.json({ items: deps.queue.move(body.jobs, body.to) });
  });

  app.post('/printers/:id/pause', requireScope('admin'), (c) => {
    deps.queue.pause(c.req.param('id'));
    return c.json({ printer: c.req.param('id'), paused: true });
  });

  app.post('/printers/:id/resume', requireScope('admin'), (c) => {
    deps.queue.resume(c.req.param('id'));
    return c.json({ printer: c.req.param('id'), paused: false });
  });

  app.get('/history.csv', (c) => {
    const csv = historyCsv(deps.jobs.list(jobFilter(parseRequest('history query', historyQuery, c.req.query()))));
    return c.body(csv, 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="benchprint-history.csv"' });
  });

  return app;
}
