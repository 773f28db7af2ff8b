// The LAN API described as OpenAPI 3.1, built from the same zod schemas the routes validate with.
import { z } from 'zod';
import { printRequestSchema } from '../queue/requests.js';
import { documentQuery } from '../routes/documents.js';
import { filterQuery, historyQuery, moveBody, reprintBody, resumeBody } from '../routes/jobs.js';
import { labelsBody } from '../routes/labels.js';
import { discoveryBody, enabledBody, printerBody, removeBody, setupBody } from '../routes/printer-admin.js';
import { activateBody, copyBody, createBody, draftBody, fieldsQuery, imageBody, importBody, previewQuery, templateQuery, versionBody } from '../routes/templates.js';
import { workOrderQuery } from '../routes/work-orders.js';
import { shopJobQuery, shopReprintBody } from '../routes/shop.js';

type Scope = 'public' | 'read' | 'print' | 'admin';

export interface Operation {
  method: 'get' | 'post';
  /** OpenAPI form: /api/v1/jobs/{id} */
  path: string;
  summary: string;
  scope: Scope;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Content type of a success that is not JSON. */
  produces?: string;
  idempotent?: boolean;
}

export const OPERATIONS: readonly Operation[] = [
  { method: 'get', path: '/api/v1/status', summary: 'The station, its GoldLeaf connection and cache age, and its printers', scope: 'read' },
  { method: 'get', path: '/api/v1/printers', summary: 'Printers with their state (asked now) and when each was last seen', scope: 'read' },
  { method: 'get', path: '/api/v1/printers/{id}', summary: 'One printer, asked now', scope: 'read' },
  { method: 'post', path: '/api/v1/printers/{id}/test-print', summary: "Print a test page in the printer's own language (through the queue)", scope: 'print' },
  { method: 'post', path: '/api/v1/printers/{id}/pause', summary: "Hold the printer's queue", scope: 'admin' },
  { method: 'post', path: '/api/v1/printers/{id}/resume', summary: "Release the printer's queue", scope: 'admin' },
  { method: 'get', path: '/api/v1/admin/printers', summary: 'Every printer with its settings, where they come from (config file, changed here, added here), its raw listener and open jobs; and the drivers with their options', scope: 'admin' },
  { method: 'post', path: '/api/v1/admin/printers', summary: 'Add a printer (checked as the config file is; applied at once, kept in the station)', scope: 'admin', body: printerBody },
  { method: 'post', path: '/api/v1/admin/printers/{id}', summary: "Change a printer's settings (applied at once; a job in flight finishes on the old settings)", scope: 'admin', body: printerBody },
  { method: 'post', path: '/api/v1/admin/printers/{id}/enabled', summary: 'Enable or disable a printer: while disabled its jobs wait saying why, and new ones are refused', scope: 'admin', body: enabledBody },
  { method: 'post', path: '/api/v1/admin/printers/{id}/remove', summary: 'Remove a printer that has no open jobs (one from the config file stays out until added again)', scope: 'admin', body: removeBody },
  { method: 'post', path: '/api/v1/admin/printers/{id}/setup', summary: 'ZPL printers: identify, calibrate the media (~JC), set darkness or print speed (saved in the printer); says what the printer reports', scope: 'admin', body: setupBody },
  { method: 'post', path: '/api/v1/admin/discovery', summary: 'Find printers: announced over DNS-SD (answers at once), or a scan of a subnet for port 9100 asking ~HI/~HS (202, read its progress)', scope: 'admin', body: discoveryBody },
  { method: 'get', path: '/api/v1/admin/discovery/{id}', summary: "A subnet scan's progress and what it found", scope: 'admin' },
  { method: 'post', path: '/api/v1/sync', summary: 'Sync with GoldLeaf now', scope: 'print' },
  { method: 'get', path: '/api/v1/workorders', summary: 'Released work orders, soonest due first, with the freshness of the data', scope: 'read', query: workOrderQuery },
  { method: 'get', path: '/api/v1/workorders/{ref}', summary: 'One released work order (by id or number) with its resolved lines', scope: 'read' },
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
  { method: 'post', path: '/api/v1/workorders/{ref}/lines/{line}/labels', summary: "A line's labels with new serials (or a batch's own for a reprint), as a file", scope: 'print', body: labelsBody, produces: 'application/vnd.zebra.zpl' },
  { method: 'get', path: '/api/v1/workorders/{ref}/documents/{kind}', summary: 'A datasheet, traveler, Marken or PTS file, or a PNG preview of it', scope: 'read', query: documentQuery, produces: 'application/pdf' },
  { method: 'get', path: '/api/v1/serials/{serial}', summary: 'Which work order, line and tag a serial was printed for', scope: 'read' },
  { method: 'post', path: '/api/v1/jobs', summary: 'Queue a print job: labels of a line, a template with explicit data, a document, a test page, or raw ZPL (admin tokens only)', scope: 'print', body: printRequestSchema, idempotent: true },
  { method: 'get', path: '/api/v1/jobs', summary: 'Jobs, newest first: search by state, printer, work order, serial and date', scope: 'read', query: filterQuery },
  { method: 'get', path: '/api/v1/jobs/{id}', summary: 'One job with every state it went through', scope: 'read' },
  { method: 'post', path: '/api/v1/jobs/{id}/cancel', summary: 'Cancel a waiting job or one that needs attention (others’ jobs need admin)', scope: 'print' },
  { method: 'post', path: '/api/v1/jobs/{id}/reprint', summary: 'Labels of a job again, as a new job linked to it (resume from a label, or a range)', scope: 'print', body: reprintBody, idempotent: true },
  { method: 'post', path: '/api/v1/jobs/{id}/resume', summary: 'Go on right after the last tag that came out (scanned): a new job for the rest, or the job closed as printed when it was the last', scope: 'print', body: resumeBody, idempotent: true },
  { method: 'post', path: '/api/v1/jobs/{id}/confirm', summary: 'Say every label of a job that needs attention came out: it is closed as printed, with who said so', scope: 'print' },
  { method: 'post', path: '/api/v1/jobs/move', summary: 'Move waiting jobs to another printer', scope: 'admin', body: moveBody },
  { method: 'get', path: '/api/v1/history.csv', summary: 'Job history as CSV, with the same filters as /jobs', scope: 'read', query: historyQuery, produces: 'text/csv' },
  { method: 'get', path: '/api/v1/events', summary: 'Server-Sent Events: job.changed, job.progress, printer.changed, workorder.released, sync.completed, …', scope: 'read', produces: 'text/event-stream' },
  { method: 'get', path: '/api/v1/shop/status', summary: "The shop ledger as this bench sees it: connected, behind by N events, or unreachable since when; serials left in reserve", scope: 'read' },
  { method: 'get', path: '/api/v1/shop/jobs', summary: 'Jobs of every bench of the shop, newest first: search by work order, serial, assembly, bench and date', scope: 'read', query: shopJobQuery },
  { method: 'get', path: '/api/v1/shop/jobs/{bench}/{id}', summary: 'One job of a bench, from the shop ledger', scope: 'read' },
  { method: 'post', path: '/api/v1/shop/reprint', summary: 'Labels printed on another bench, printed again on a printer of this bench with their own serials', scope: 'print', body: shopReprintBody },
  { method: 'get', path: '/api/v1/openapi.json', summary: 'This document', scope: 'public' },
];

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'Stable code, e.g. WORK_ORDER_NOT_FOUND, INVALID_REQUEST, PRINTER_UNAVAILABLE.' },
        message: { type: 'string', description: 'What went wrong and what to do, for a person.' },
        retryable: { type: 'boolean' },
        details: { description: 'For INVALID_REQUEST: fields, each with field and problem.' },
      },
    },
  },
};

const schema = (s: z.ZodType) => {
  const json = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
};

export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const pathParams = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const queryParams = op.query
      ? Object.entries((schema(op.query).properties ?? {}) as Record<string, Record<string, unknown>>).map(([name, s]) => ({
          name,
          in: 'query',
          required: false,
          schema: s,
          ...(typeof s.description === 'string' ? { description: s.description } : {}),
        }))
      : [];
    const headers = op.idempotent
      ? [{ name: 'Idempotency-Key', in: 'header', required: false, description: 'The same key returns the job it already made instead of a new one.', schema: { type: 'string', maxLength: 200 } }]
      : [];
    const success = op.produces ? { content: { [op.produces]: { schema: { type: 'string', format: 'binary' } } } } : { content: { 'application/json': { schema: { type: 'object' } } } };
    const errors = (codes: string[]) => Object.fromEntries(codes.map((c) => [c, { $ref: `#/components/responses/Error${c}` }]));
    (paths[op.path] ??= {})[op.method] = {
      operationId: `${op.method}${op.path.replace(/^\/api\/v1/, '').replace(/\{(\w+)\}/g, 'By-$1').replace(/[^a-zA-Z0-9]+(.)?/g, (_, ch: string | undefined) => (ch ? ch.toUpperCase() : ''))}`,
      summary: op.summary,
      tags: [op.path.split('/')[3]!.replace(/\.\w+$/, '')],
      ...(op.scope === 'public' ? { security: [] } : { 'x-scope': op.scope, description: `Needs a token with the "${op.scope}" scope${op.scope === 'admin' ? '' : ' (or the kiosk, with its session)'}.` }),
      parameters: [...pathParams, ...queryParams, ...headers],
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema(op.body) } } } } : {}),
      responses: {
        [op.method === 'post' && op.idempotent ? '201' : '200']: { description: 'Success', ...success },
        ...(op.idempotent ? { '200': { description: 'The job this Idempotency-Key already made', content: { 'application/json': { schema: { type: 'object' } } } } } : {}),
        ...errors(op.scope === 'public' ? [] : ['401', '403', '422', '429']),
        ...errors(['404', '500']),
      },
    };
  }
  const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
  return {
    openapi: '3.1.0',
    info: {
      title: 'benchprint LAN API',
      version,
      description: 'Print on the bench printers from the office, an ERP or a script. Errors are always JSON: {"error": {"code", "message"}}.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A named token from the station config (auth.tokens), with scopes read, print, admin.' } },
      schemas: { Error: errorSchema },
      responses: {
        Error401: errorResponse('No valid token'),
        Error403: errorResponse('The token lacks the scope'),
        Error404: errorResponse('Not found'),
        Error422: errorResponse('The request is not valid; details lists every bad field'),
        Error429: errorResponse('Too many requests from this token; see Retry-After'),
        Error500: errorResponse('An unexpected error (logged)'),
      },
    },
  };
}
