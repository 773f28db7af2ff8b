// Printers set up from the bench over HTTP (admin): list with where each comes from, add, change, enable or disable,
// remove; find printers (DNS-SD, subnet scan); calibrate, darkness and speed for ZPL printers.
import type { Operation } from '../http/operations.js';
import { networkInterfaces } from 'node:os';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps, AppEnv } from '../deps.js';
import { requireScope } from '../http/auth.js';
import { jsonBody, parseRequest } from '../http/validate.js';

const printer = z.record(z.string(), z.unknown()).meta({ description: 'A printer entry, as in the config file: {id, name, driver, uri, dpmm, media, options, listen}.' });
export const printerBody = z.strictObject({ printer });
export const enabledBody = z.strictObject({
  enabled: z.boolean(),
  reason: z.string().max(200).optional().meta({ description: 'Why it is disabled, shown with its waiting jobs.' }),
});
export const removeBody = z.strictObject({ confirm: z.string().min(1).meta({ description: "The printer's id again: a removal is said twice." }) });
export const setupBody = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('identify') }),
  z.strictObject({ action: z.literal('calibrate') }),
  z.strictObject({ action: z.literal('darkness'), value: z.number().int() }),
  z.strictObject({ action: z.literal('speed'), value: z.number().int() }),
]);
export const discoveryBody = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('dns-sd') }),
  z.strictObject({
    method: z.literal('scan'),
    subnet: z.string().min(1).max(40).meta({ description: 'An IPv4 network of at most 1,024 addresses, like 192.168.1.0/24.' }),
    ports: z.array(z.number().int().min(1).max(65535)).min(1).max(4).default([9100]),
  }),
]);

/** This PC's IPv4 networks as /24s: where a scan most likely finds the bench's printers. */
function localSubnets(): string[] {
  const nets = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => `${a!.address.split('.').slice(0, 3).join('.')}.0/24`);
  return [...new Set(nets)];
}


/** What this module serves, for the OpenAPI document (the served routes are checked against it). */
export const operations: readonly Operation[] = [
  { method: 'get', path: '/api/v1/admin/printers', summary: 'Every printer with its settings, where they come from (config file, changed here, added here), its raw listener and open jobs; and the drivers with their options', scope: 'admin' },
  { method: 'post', path: '/api/v1/admin/printers', summary: 'Add a printer (checked as the config file is; applied at once, kept in the station)', scope: 'admin', body: printerBody },
  { method: 'post', path: '/api/v1/admin/printers/{id}', summary: "Change a printer's settings (applied at once; a job in flight finishes on the old settings)", scope: 'admin', body: printerBody },
  { method: 'post', path: '/api/v1/admin/printers/{id}/enabled', summary: 'Enable or disable a printer: while disabled its jobs wait saying why, and new ones are refused', scope: 'admin', body: enabledBody },
  { method: 'post', path: '/api/v1/admin/printers/{id}/remove', summary: 'Remove a printer that has no open jobs (one from the config file stays out until added again)', scope: 'admin', body: removeBody },
  { method: 'post', path: '/api/v1/admin/printers/{id}/setup', summary: 'ZPL printers: identify, calibrate the media (~JC), set darkness or print speed (saved in the printer); says what the printer reports', scope: 'admin', body: setupBody },
  { method: 'post', path: '/api/v1/admin/discovery', summary: 'Find printers: announced over DNS-SD (answers at once), or a scan of a subnet for port 9100 asking ~HI/~HS (202, read its progress)', scope: 'admin', body: discoveryBody },
  { method: 'get', path: '/api/v1/admin/discovery/{id}', summary: "A subnet scan's progress and what it found", scope: 'admin' },
];

export function printerAdminRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const admin = requireScope('admin');
  const by = (c: { get(k: 'principal'): { name: string } }) => c.get('principal').name;

  app.get('/admin/printers', admin, async (c) => c.json({ items: deps.printerAdmin.list(), drivers: await deps.printerAdmin.drivers(), subnets: localSubnets() }));

  app.post('/admin/printers', admin, async (c) => {
    const body = parseRequest('printer', printerBody, await jsonBody(c.req));
    return c.json(await deps.printerAdmin.add(body.printer, by(c)), 201);
  });

  app.post('/admin/printers/:id', admin, async (c) => {
    const body = parseRequest('printer', printerBody, await jsonBody(c.req));
    return c.json(await deps.printerAdmin.change(c.req.param('id'), body.printer, by(c)));
  });

  app.post('/admin/printers/:id/enabled', admin, async (c) => {
    const body = parseRequest('enable request', enabledBody, await jsonBody(c.req));
    return c.json(await deps.printerAdmin.setEnabled(c.req.param('id'), body.enabled, body.reason, by(c)));
  });

  app.post('/admin/printers/:id/remove', admin, async (c) => {
    const body = parseRequest('removal', removeBody, await jsonBody(c.req));
    if (body.confirm !== c.req.param('id')) return c.json({ error: { code: 'NOT_CONFIRMED', message: `Say the printer's id ("${c.req.param('id')}") in confirm to remove it.` } }, 422);
    await deps.printerAdmin.remove(c.req.param('id'), by(c));
    return c.json({ removed: c.req.param('id') });
  });

  app.post('/admin/printers/:id/setup', admin, async (c) => {
    const body = parseRequest('setup action', setupBody, await jsonBody(c.req));
    return c.json(await deps.printerAdmin.runSetup(c.req.param('id'), body, by(c)));
  });

  app.post('/admin/discovery', admin, async (c) => {
    const body = parseRequest('discovery', discoveryBody, await jsonBody(c.req));
    if (body.method === 'dns-sd') return c.json({ method: 'dns-sd', done: true, found: await deps.printerAdmin.browse() });
    return c.json(deps.printerAdmin.startScan(body.subnet, body.ports), 202);
  });

  app.get('/admin/discovery/:id', admin, (c) => c.json(deps.printerAdmin.scan(c.req.param('id'))));

  return app;
}
