// Label documents for a work-order line (with serials), and serial look-up.
import type { Operation } from '../http/operations.js';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps, AppEnv } from '../deps.js';
import { StationError } from '../errors.js';
import { requireScope } from '../http/auth.js';
import { jsonBody, parseRequest } from '../http/validate.js';
import { findPrintableWorkOrder } from './work-orders.js';

const dpmm = z.coerce.number().pipe(z.union([z.literal(8), z.literal(12), z.literal(24)])).default(8);

export const labelsBody = z.strictObject({
  template: z.string().min(1),
  format: z.enum(['zpl', 'pdf']).default('zpl'),
  dpmm,
  quantity: z.number().int().min(1).max(10_000).optional(),
  from: z.number().int().min(1).max(10_000).optional().meta({ description: 'The rest of the line\'s tags: the number of the first within the line; quantity is then how many.' }),
  reprint: z.strictObject({ batchId: z.uuid(), from: z.number().int().min(1).optional(), to: z.number().int().min(1).optional() }).optional(),
});


/** What this module serves, for the OpenAPI document (the served routes are checked against it). */
export const operations: readonly Operation[] = [
  { method: 'post', path: '/api/v1/workorders/{ref}/lines/{line}/labels', summary: "A line's labels with new serials (or a batch's own for a reprint), as a file", scope: 'print', body: labelsBody, produces: 'application/vnd.zebra.zpl' },
  { method: 'get', path: '/api/v1/serials/{serial}', summary: 'Which work order, line and tag a serial was printed for', scope: 'read' },
];

export function labelRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/workorders/:ref/lines/:line/labels', requireScope('print'), async (c) => {
    const body = parseRequest('label request', labelsBody, await jsonBody(c.req));
    const line = Number(c.req.param('line'));
    if (!Number.isInteger(line)) throw new StationError('INVALID_REQUEST', `"${c.req.param('line')}" is not a line number.`, { status: 422 });
    const wo = await findPrintableWorkOrder(deps, c.req.param('ref'));
    const result = await deps.labels.lineLabels({
      workOrder: wo,
      lineNumber: line,
      templateId: body.template,
      format: body.format,
      dpmm: body.dpmm,
      ...(body.quantity === undefined ? {} : { quantity: body.quantity }),
      ...(body.from === undefined ? {} : { from: body.from }),
      ...(body.reprint ? { reprint: body.reprint } : {}),
    });
    const { document } = result;
    return c.body(document.bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': document.meta.contentType,
      'content-disposition': `attachment; filename="${document.meta.name.replace(/[^\w.-]/g, '_')}"`,
      'x-label-count': String(result.labels.length),
      'x-serial-batch': result.serials[0]?.batchId ?? '',
      'x-serials': result.serials.length <= 200 ? result.serials.map((s) => s.serial).join(',') : `${result.serials[0]!.serial}..${result.serials.at(-1)!.serial}`,
    });
  });

  app.get('/serials/:serial', (c) => {
    const record = deps.serials.find(c.req.param('serial'));
    if (!record) throw new StationError('SERIAL_NOT_FOUND', `No tag with serial "${c.req.param('serial')}" was printed here.`, { status: 404 });
    return c.json(record);
  });

  return app;
}
