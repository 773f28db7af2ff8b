// The LAN API: every route module with the operations it declares. The app mounts these, and the OpenAPI document is
// gathered from the same list, so what is served and what is described cannot drift apart (a test checks both).
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../deps.js';
import type { Operation } from '../http/operations.js';
import { apiDocRoutes, operations as apiDocOperations } from './api-docs.js';
import { documentRoutes, operations as documentOperations } from './documents.js';
import { eventRoutes, operations as eventOperations } from './events.js';
import { jobRoutes, operations as jobOperations } from './jobs.js';
import { labelRoutes, operations as labelOperations } from './labels.js';
import { printerAdminRoutes, operations as printerAdminOperations } from './printer-admin.js';
import { shopRoutes, operations as shopOperations } from './shop.js';
import { stationRoutes, operations as stationOperations } from './station.js';
import { templateRoutes, operations as templateOperations } from './templates.js';
import { workOrderRoutes, operations as workOrderOperations } from './work-orders.js';

const MODULES: ReadonlyArray<{ at: string; routes: (deps: AppDeps) => Hono<AppEnv>; operations: readonly Operation[] }> = [
  { at: '/', routes: stationRoutes, operations: stationOperations },
  { at: '/workorders', routes: workOrderRoutes, operations: workOrderOperations },
  { at: '/', routes: templateRoutes, operations: templateOperations },
  { at: '/', routes: printerAdminRoutes, operations: printerAdminOperations },
  { at: '/', routes: labelRoutes, operations: labelOperations },
  { at: '/', routes: documentRoutes, operations: documentOperations },
  { at: '/', routes: jobRoutes, operations: jobOperations },
  { at: '/', routes: eventRoutes, operations: eventOperations },
  { at: '/', routes: shopRoutes, operations: shopOperations },
];

/** Every operation of the LAN API, in the order the document lists them. */
export const OPERATIONS: readonly Operation[] = [...MODULES.flatMap((m) => m.operations), ...apiDocOperations];

/** The LAN API under /api/v1. */
export function apiRoutes(deps: AppDeps): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  for (const m of MODULES) api.route(m.at, m.routes(deps));
  api.route('/', apiDocRoutes(OPERATIONS));
  return api;
}
