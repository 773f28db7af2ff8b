// Label templates over HTTP: list, look at, make, change (in versions), activate, copy, export, import, preview a draft.
import type { Operation } from '../http/operations.js';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps, AppEnv } from '../deps.js';
import { StationError } from '../errors.js';
import { requireScope } from '../http/auth.js';
import { jsonBody, parseRequest } from '../http/validate.js';
import { importTemplate } from '../labels/import.js';
import { templateService } from '../labels/template-service.js';
import { printableWorkOrder } from './work-orders.js';

const dpmm = z.coerce.number().pipe(z.union([z.literal(8), z.literal(12), z.literal(24)])).default(8);

export const previewQuery = z.strictObject({
  workOrder: z.string().min(1),
  line: z.coerce.number().int().min(0).optional(),
  format: z.enum(['png', 'svg', 'zpl', 'pdf']).default('png'),
  dpmm,
});

export const fieldsQuery = z.strictObject({ workOrder: z.string().optional(), line: z.coerce.number().int().min(0).optional() });
export const templateQuery = z.strictObject({ version: z.coerce.number().int().min(1).optional() });
const template = z.record(z.string(), z.unknown()).meta({ description: 'A label template: {id, name, kind: "layout", subject, size, elements} (see the README, Labels).' });
const note = z.string().max(500).optional().meta({ description: 'What changed, for the history.' });
export const createBody = z.strictObject({ template, note });
export const versionBody = z.strictObject({
  base: z.number().int().min(1).meta({ description: 'The version the change starts from: refused if someone saved another since.' }),
  template,
  note,
  activate: z.boolean().default(true).meta({ description: 'Make the new version the one that prints (default), or keep it as a draft.' }),
});
export const activateBody = z.strictObject({ version: z.number().int().min(1) });
export const copyBody = z.strictObject({ id: z.string().min(1), name: z.string().min(1).max(200).optional() });
export const draftBody = z.strictObject({ template, workOrder: z.string().optional(), line: z.number().int().min(0).optional(), format: z.enum(['png', 'svg', 'zpl']).default('png'), dpmm: z.union([z.literal(8), z.literal(12), z.literal(24)]).default(8) });
export const importBody = z.strictObject({
  fileName: z.string().min(1).max(200).meta({ description: 'Its name says what it is: .glabels (glabels 3), .zpl / .prn (ZebraDesigner), .json (a template).' }),
  content: z.string().min(1).max(8_000_000),
  encoding: z.enum(['text', 'base64']).default('text').meta({ description: 'base64 for a compressed .glabels file.' }),
  id: z.string().optional().meta({ description: 'The id to give it (from the file name when absent).' }),
  save: z.boolean().default(false).meta({ description: 'Store it as a new template at once; otherwise only convert it and say what was not carried over.' }),
});
export const imageBody = z.strictObject({ name: z.string().min(1).max(120), png: z.string().min(1).max(4_000_000).meta({ description: 'The PNG, base64.' }) });


/** What this module serves, for the OpenAPI document (the served routes are checked against it). */
export const operations: readonly Operation[] = [
  { method: 'get', path: '/api/v1/templates', summary: 'Label templates (shipped and made here), and broken ones with the reason', scope: 'read' },
  { method: 'get', path: '/api/v1/templates/fields', summary: "What a label can show: the fields of a real line's first label, with their values, and the formatters", scope: 'read', query: fieldsQuery },
  { method: 'get', path: '/api/v1/templates/images', summary: 'Images uploaded for templates', scope: 'read' },
  { method: 'post', path: '/api/v1/templates/images', summary: 'Upload a PNG for templates (at most 1 MB and 2,400 pixels a side)', scope: 'admin', body: imageBody },
  { method: 'post', path: '/api/v1/templates/preview', summary: 'A draft template drawn as it would print, for a real line, without saving it', scope: 'read', body: draftBody, produces: 'image/png' },
  { method: 'post', path: '/api/v1/templates/import', summary: 'Convert a glabels 3 document, a ZebraDesigner ZPL file or a JSON template, saying what could not be carried over; save it if asked', scope: 'admin', body: importBody },
  { method: 'post', path: '/api/v1/templates', summary: 'Make a new template (version 1, active), checked in full first', scope: 'admin', body: createBody },
  { method: 'get', path: '/api/v1/templates/{id}', summary: 'A template (its active version, or ?version=) with its history of versions', scope: 'read', query: templateQuery },
  { method: 'get', path: '/api/v1/templates/{id}/export', summary: 'A template as a JSON file', scope: 'read', query: templateQuery, produces: 'application/json' },
  { method: 'post', path: '/api/v1/templates/{id}/versions', summary: 'Save a changed template as a new version; refused if someone saved another since the base version', scope: 'admin', body: versionBody },
  { method: 'post', path: '/api/v1/templates/{id}/activate', summary: 'Make a kept version the one that prints (a rollback)', scope: 'admin', body: activateBody },
  { method: 'post', path: '/api/v1/templates/{id}/copy', summary: 'Copy a template (a shipped one too) to a new id, to change it', scope: 'admin', body: copyBody },
  { method: 'get', path: '/api/v1/templates/{id}/preview', summary: 'The first label of a line as it will print; uses no serial', scope: 'read', query: previewQuery, produces: 'image/png' },
  { method: 'get', path: '/api/v1/admin/check', summary: 'Whether the caller may do admin actions (the designer asks before opening)', scope: 'admin' },
];

export function templateRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const service = () => templateService(deps);

  // Problems: label templates that are broken, then document layouts (a shop's broken one: the shipped one serves).
  app.get('/templates', (c) => c.json({ items: service().list(), problems: [...deps.labels.templates.problems, ...deps.documents.problems] }));

  app.get('/templates/fields', (c) => {
    const q = parseRequest('field query', fieldsQuery, c.req.query());
    return c.json(service().fields(q.workOrder, q.line));
  });

  app.get('/templates/images', (c) => c.json({ items: deps.labels.templates.store?.images() ?? [] }));

  app.post('/templates/images', requireScope('admin'), async (c) => {
    const body = parseRequest('image', imageBody, await jsonBody(c.req));
    return c.json(service().putImage(body.name, Buffer.from(body.png, 'base64'), c.get('principal').name), 201);
  });

  app.post('/templates/preview', requireScope('read'), async (c) => {
    const body = parseRequest('preview request', draftBody, await jsonBody(c.req));
    const out = await service().previewDraft(body.template, body.workOrder, body.line, body.format, body.dpmm);
    return c.body(out.bytes as Uint8Array<ArrayBuffer>, 200, { 'content-type': out.contentType, 'cache-control': 'no-store' });
  });

  app.post('/templates/import', requireScope('admin'), async (c) => {
    const body = parseRequest('import request', importBody, await jsonBody(c.req));
    const content = body.encoding === 'base64' ? Buffer.from(body.content, 'base64') : Buffer.from(body.content, 'utf8');
    const { images, ...imported } = importTemplate(body.fileName, content, body.id);
    const carried = { ...imported, images: (images ?? []).map((i) => i.name) };
    if (!body.save) return c.json(carried);
    const version = service().createWithImages(imported.template, images ?? [], c.get('principal').name, `imported from ${body.fileName}`);
    return c.json({ ...carried, saved: { id: imported.template.id, version } }, 201);
  });

  app.post('/templates', requireScope('admin'), async (c) => {
    const body = parseRequest('template', createBody, await jsonBody(c.req));
    const version = service().create(body.template, c.get('principal').name, body.note ?? 'made');
    return c.json({ id: body.template.id, version }, 201);
  });

  app.get('/templates/:id', (c) => {
    const q = parseRequest('template query', templateQuery, c.req.query());
    return c.json(service().get(c.req.param('id'), q.version));
  });

  app.get('/templates/:id/export', (c) => {
    const q = parseRequest('template query', templateQuery, c.req.query());
    const { template: def } = service().get(c.req.param('id'), q.version);
    return c.body(`${JSON.stringify(def, null, 2)}\n`, 200, { 'content-type': 'application/json; charset=utf-8', 'content-disposition': `attachment; filename="${def.id}-v${def.version}.json"` });
  });

  app.post('/templates/:id/versions', requireScope('admin'), async (c) => {
    const body = parseRequest('template change', versionBody, await jsonBody(c.req));
    if (body.template.id !== undefined && body.template.id !== c.req.param('id')) {
      throw new StationError('INVALID_REQUEST', `The template's id is "${String(body.template.id)}", not "${c.req.param('id')}".`, { status: 422 });
    }
    const version = service().save(c.req.param('id'), body.base, { ...body.template, id: c.req.param('id') }, c.get('principal').name, body.note ?? 'changed', body.activate);
    return c.json({ id: c.req.param('id'), version, active: body.activate }, 201);
  });

  app.post('/templates/:id/activate', requireScope('admin'), async (c) => {
    const body = parseRequest('activation', activateBody, await jsonBody(c.req));
    service().activate(c.req.param('id'), body.version);
    return c.json({ id: c.req.param('id'), active: body.version });
  });

  app.post('/templates/:id/copy', requireScope('admin'), async (c) => {
    const body = parseRequest('copy', copyBody, await jsonBody(c.req));
    const version = service().copy(c.req.param('id'), body.id, body.name, c.get('principal').name);
    return c.json({ id: body.id, version }, 201);
  });

  app.get('/templates/:id/preview', async (c) => {
    const q = parseRequest('preview query', previewQuery, c.req.query());
    const wo = printableWorkOrder(deps, q.workOrder);
    const data = deps.labels.previewData(wo, q.line, c.req.param('id'));
    const out = await deps.labels.preview(c.req.param('id'), data, q.format, q.dpmm);
    return c.body(out.bytes as Uint8Array<ArrayBuffer>, 200, { 'content-type': out.contentType, 'cache-control': 'no-store' });
  });

  app.get('/admin/check', requireScope('admin'), (c) => c.json({ admin: c.get('principal').name }));

  return app;
}
