// The whole shop over HTTP: the ledger's state, history of every bench, and a reprint here of a tag printed elsewhere.
import { assertFitsStock } from '../labels/fit.js';
import { assertFor } from '../printing/uses.js';
import type { Operation } from '../http/operations.js';
import { Hono } from 'hono';
import { decodeLabelData } from '../queue/label-data-codec.js';
import { z } from 'zod';
import type { AppDeps, AppEnv } from '../deps.js';
import { StationError, describeError } from '../errors.js';
import { requireScope } from '../http/auth.js';
import { jsonBody, parseRequest } from '../http/validate.js';
import type { ShopService } from '../shop/service.js';

export const shopJobQuery = z.strictObject({
  workOrder: z.string().optional(),
  serial: z.string().optional(),
  assembly: z.string().optional().meta({ description: 'Assembly part number on the tags.' }),
  bench: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export const shopReprintBody = z.strictObject({
  bench: z.string().min(1).meta({ description: 'The bench that printed the job (shop.benchId).' }),
  job: z.string().min(1).meta({ description: "That bench's job id." }),
  from: z.number().int().min(1).default(1).meta({ description: 'First label of the job to print again (1-based).' }),
  to: z.number().int().min(1).optional().meta({ description: 'Last label; the end of the job when absent.' }),
  printer: z.string().min(1).meta({ description: 'A printer of this bench.' }),
});

export function requireShop(deps: Pick<AppDeps, 'shop'>): ShopService {
  if (!deps.shop) throw new StationError('SHOP_NOT_CONFIGURED', 'This station is not part of a shop ledger.', { status: 409, hint: 'Add a shop section to its config (see the README, "Several benches").' });
  return deps.shop;
}


/** What this module serves, for the OpenAPI document (the served routes are checked against it). */
export const operations: readonly Operation[] = [
  { method: 'get', path: '/api/v1/shop/status', summary: "The shop ledger as this bench sees it: connected, behind by N events, or unreachable since when; serials left in reserve", scope: 'read' },
  { method: 'get', path: '/api/v1/shop/jobs', summary: 'Jobs of every bench of the shop, newest first: search by work order, serial, assembly, bench and date', scope: 'read', query: shopJobQuery },
  { method: 'get', path: '/api/v1/shop/jobs/{bench}/{id}', summary: 'One job of a bench, from the shop ledger', scope: 'read' },
  { method: 'post', path: '/api/v1/shop/reprint', summary: 'Labels printed on another bench, printed again on a printer of this bench with their own serials', scope: 'print', body: shopReprintBody },
];

export function shopRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/shop/status', (c) => c.json(requireShop(deps).status()));

  app.get('/shop/jobs', async (c) => {
    const items = await requireShop(deps).ledger.searchJobs(parseRequest('shop job query', shopJobQuery, c.req.query()));
    return c.json({ items, count: items.length });
  });

  app.get('/shop/jobs/:bench/:id', async (c) => {
    const job = await requireShop(deps).ledger.job(c.req.param('bench'), c.req.param('id'));
    if (!job) throw new StationError('JOB_NOT_FOUND', `The shop ledger has no job ${c.req.param('id')} of ${c.req.param('bench')}.`, { status: 404 });
    const { labelData: _data, ...rest } = job;
    return c.json(rest);
  });

  app.post('/shop/reprint', requireScope('print'), async (c) => {
    const body = parseRequest('shop reprint', shopReprintBody, await jsonBody(c.req));
    const job = await reprintFromShop(deps, body, c.get('principal').name);
    return c.json(job, 201);
  });

  return app;
}

/**
 * Labels a bench of the shop printed, printed again on a printer of this bench with their own serials: drawn from the
 * data they were printed with, with this bench's template of the same name (the history says which version).
 */
export async function reprintFromShop(deps: AppDeps, body: z.infer<typeof shopReprintBody>, by: string) {
  const shop = requireShop(deps);
  const source = await shop.ledger.job(body.bench, body.job);
  if (!source) throw new StationError('JOB_NOT_FOUND', `The shop ledger has no job ${body.job} of ${body.bench}.`, { status: 404 });
  if (!source.labelData || !source.templateId) {
    throw new StationError('NOT_REPRINTABLE', `"${source.title}" was not a labels job, or its bench did not keep what the labels said.`, { status: 422, hint: 'Print it again on its own bench.' });
  }
  const last = body.to ?? source.partsTotal;
  if (body.from > last || last > source.partsTotal) {
    throw new StationError('INVALID_RANGE', `That job has labels 1 to ${source.partsTotal}; ${body.from} to ${last} is not a range of it.`, { status: 422 });
  }
  // Another bench's data, through the network: read it with care, and never print fewer labels than asked for.
  let labels: unknown[];
  try {
    labels = decodeLabelData(source.labelData).slice(body.from - 1, last);
  } catch (err) {
    throw new StationError('NOT_REPRINTABLE', `What the labels of "${source.title}" said cannot be read back from the shop ledger (${describeError(err)}).`, { status: 422, hint: `Print it again on ${body.bench}.` });
  }
  if (labels.length !== last - body.from + 1) {
    throw new StationError('NOT_REPRINTABLE', `The shop ledger holds what ${labels.length} of labels ${body.from} to ${last} of "${source.title}" said, not all of them.`, { status: 422, hint: `Print it again on ${body.bench}.` });
  }
  const printer = deps.printers.get(body.printer);
  const format = printer.driver?.formats.includes('zpl') ? 'zpl' : 'pdf';
  deps.printers.usable(printer.id, format);
  const template = deps.labels.templates.get(source.templateId, source.templateVersion);
  assertFor(printer, 'labels');
  assertFitsStock(template.def, { ...printer.entry, id: printer.id }, deps.printers.stock(printer.id));
  // A long range is written to the store as it is made, as any labels job.
  const document = await deps.labels.render(template, labels, format, printer.entry.dpmm, `${source.workOrderNumber ?? 'labels'}-reprint-from-${body.bench}.${format}`, deps.requests.stage?.());
  const version = template.def.version === source.templateVersion ? '' : ` (template v${template.def.version} here; v${source.templateVersion ?? '?'} on ${body.bench})`;
  document.meta.origin = `${document.meta.origin ?? ''}${version}`;
  const first = source.firstPart + body.from - 1;
  return deps.queue.submit({
    printerId: printer.id,
    requestedBy: by,
    kind: 'labels',
    title: `${source.title}: ${last === body.from ? `label ${first}` : `labels ${first} to ${source.firstPart + last - 1}`} again (printed on ${body.bench})`,
    ...(source.workOrderNumber ? { workOrder: { id: source.workOrderNumber, number: source.workOrderNumber } } : {}),
    ...(source.lineNumber !== undefined ? { lineNumber: source.lineNumber } : {}),
    template: { id: template.def.id, version: template.def.version },
    document,
    labelData: labels,
    serials: source.serials.slice(body.from - 1, last),
    firstPart: first,
    reprintOf: `${body.bench}/${body.job}`,
    isReprint: true,
    expiresAt: new Date(Date.now() + deps.config.queue.expireAfterMin * 60_000).toISOString(),
  }).job;
}
