// An operation of the LAN API as its route module declares it: the OpenAPI document is built from these.
import type { z } from 'zod';

export type Scope = 'public' | 'read' | 'print' | 'admin';

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
