// Request validation: a zod schema per route; a bad request lists every bad field, never a 500.
import type { z } from 'zod';
import { formatPath } from '../config/load.js';
import { StationError } from '../errors.js';

export function parseRequest<S extends z.ZodType>(what: string, schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields = result.error.issues.map((i) => ({ field: formatPath(i.path), problem: i.message }));
  throw new StationError('INVALID_REQUEST', `The ${what} is not valid: ${fields.map((f) => `${f.field}: ${f.problem}`).join('; ')}.`, {
    status: 422,
    details: { fields },
  });
}

/** Reads a JSON body; an unreadable one is a 400 that says so. */
export async function jsonBody(req: { json(): Promise<unknown> }): Promise<unknown> {
  try {
    return await req.json();
  } catch {
    throw new StationError('INVALID_JSON', 'The request body is not valid JSON.', { status: 400, hint: 'Send Content-Type: application/json with a JSON object.' });
  }
}
