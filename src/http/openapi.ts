// The LAN API described as OpenAPI 3.1, built from the same zod schemas the routes validate with.
import { z } from 'zod';
import type { Operation } from './operations.js';



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

export function openApiDocument(version: string, operations: readonly Operation[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
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
