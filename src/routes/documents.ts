// Documents of a work order: datasheets, traveler, Marken and PTS files, to download or to preview as PNG.
import type { Operation } from '../http/operations.js';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps, AppEnv } from '../deps.js';
import { DOCUMENT_KINDS, GOLDLEAF_LABEL_SIZES } from '../documents/service.js';
import { parseRequest } from '../http/validate.js';
import { pdfPageToPng } from '../pdf/raster.js';
import { escposText } from '../printing/escpos.js';
import { findPrintableWorkOrder } from './work-orders.js';

export const documentQuery = z.strictObject({
  line: z.coerce.number().int().min(0).optional(),
  source: z.enum(['local', 'goldleaf']).optional(),
  /** file: the document itself; png: a preview of its first page (PDF documents). */
  as: z.enum(['file', 'png']).default('file'),
  page: z.coerce.number().int().min(1).default(1),
  labelSize: z.enum(GOLDLEAF_LABEL_SIZES).optional(),
});


/** What this module serves, for the OpenAPI document (the served routes are checked against it). */
export const operations: readonly Operation[] = [
  { method: 'get', path: '/api/v1/workorders/{ref}/documents/{kind}', summary: 'A datasheet, traveler, Marken or PTS file, or a PNG preview of it', scope: 'read', query: documentQuery, produces: 'application/pdf' },
];

export function documentRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/workorders/:ref/documents/:kind', async (c) => {
    const kind = parseRequest('document kind', z.enum(DOCUMENT_KINDS), c.req.param('kind'));
    const q = parseRequest('document query', documentQuery, c.req.query());
    const wo = await findPrintableWorkOrder(deps, c.req.param('ref'));
    const produced = await deps.documents.produce({
      workOrder: wo,
      kind,
      ...(q.line === undefined ? {} : { lineNumber: q.line }),
      ...(q.source ? { source: q.source } : {}),
      ...(q.labelSize ? { labelSize: q.labelSize } : {}),
    });
    const { document } = produced;
    const headers: Record<string, string> = {
      'x-document-origin': produced.origin,
      ...(produced.fallbackReason ? { 'x-document-fallback': encodeURIComponent(produced.fallbackReason) } : {}),
      ...(produced.template ? { 'x-template': `${produced.template.id} v${produced.template.version}` } : {}),
      'cache-control': 'no-store',
    };
    if (q.as === 'png' && document.format === 'pdf') {
      return c.body((await pdfPageToPng(document.bytes, q.page)) as Uint8Array<ArrayBuffer>, 200, { ...headers, 'content-type': 'image/png' });
    }
    if (q.as === 'png') {
      // A traveler or a text file has no page to draw: show its text.
      const text = document.format === 'escpos' ? escposText(document.bytes) : new TextDecoder().decode(document.bytes);
      return c.body(text, 200, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
    }
    return c.body(document.bytes as Uint8Array<ArrayBuffer>, 200, {
      ...headers,
      'content-type': document.meta.contentType,
      'content-disposition': `attachment; filename="${document.meta.name.replace(/[^\w.-]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(document.meta.name)}`,
    });
  });

  return app;
}
