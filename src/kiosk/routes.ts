// The bench kiosk, served by the station: scan-first navigation, work orders with print actions, history.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Hono } from 'hono';
import { html } from 'hono/html';
import type { AppDeps, AppEnv } from '../deps.js';
import { StationError, describeError, isStationError } from '../errors.js';
import { PACKAGE_ROOT } from '../paths.js';
import { findPrintableWorkOrder } from '../routes/work-orders.js';
import { clientOf } from '../http/client.js';
import { banners, layout, layoutless } from './layout.js';
import { historyPage, homePage, shopHistoryPage, workOrderPage } from './pages.js';
import { labelPrinter, printerFor } from './targets.js';
import type { ShopJob } from '../shop/ledger.js';
import { templateEditorPage, templateListPage } from './designer.js';
import { printersPage } from './printer-admin.js';
import { otherBenchesTaggedLines, otherBenchesTags } from '../shop/line-tags.js';

const STATIC = join(PACKAGE_ROOT, 'src', 'kiosk', 'static');

export function kioskRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  // A bench device's browser opening the kiosk gets its session (the cookie its later requests prove themselves
  // with); anyone else needs the read scope, and a person gets a page that says so, not JSON.
  app.use('*', async function kioskSession(c, next) {
    let principal = c.get('principal');
    if (principal.kind === 'anonymous' && c.get('benchDevice') && c.req.method === 'GET') {
      deps.security.sessions.issue(c, c.get('clientAddress')!, clientOf(c, deps.config.server.trustProxy).origin.startsWith('https:'));
      principal = { kind: 'kiosk', name: 'kiosk', scopes: ['read', 'print'] };
      c.set('principal', principal);
    }
    if (!principal.scopes.includes('read')) {
      return c.html(
        layoutless(
          'This kiosk opens on the bench',
          `The bench kiosk opens on the bench PC itself${deps.config.auth.kioskAddresses.length ? ' and on its kiosk devices' : ''}. From another PC, use the LAN API with a token (see /api/v1/docs).`,
        ),
        401,
      );
    }
    await next();
  });

  /** What a scanned or typed code opens: a tag's serial opens its line ready to reprint; a number opens its work order. */
  const resolve = async (code: string): Promise<string> => {
    const first = code.trim().split('|')[0]!.trim();
    if (!first) throw new StationError('EMPTY_SCAN', 'Nothing was scanned.', { status: 400 });
    const serial = deps.serials.find(first);
    if (serial) return `/kiosk/wo/${encodeURIComponent(serial.workOrderNumber)}?serial=${encodeURIComponent(serial.serial)}#line-${serial.lineNumber}`;
    // A tag another bench of the shop printed: its job in the whole shop's history, to reprint here.
    if (deps.shop && /^[A-Z0-9]+\d{9}$/i.test(first) && !deps.workOrders.get(first)) return `/kiosk/history?shop=1&q=${encodeURIComponent(first)}`;
    try {
      return `/kiosk/wo/${encodeURIComponent((await findPrintableWorkOrder(deps, first)).number)}`;
    } catch (err) {
      // Typed rather than scanned: part of a number ("24005" for WO-24005) or of a customer's name. One released work
      // order that matches is opened; several are listed; none is the error as it was.
      if (!isStationError(err) || err.code !== 'WORK_ORDER_NOT_FOUND' || first.length < 3) throw err;
      const found = deps.workOrders.list({ includeLeft: deps.config.sync.keepUnreleasedPrintable, search: first, limit: 2 });
      if (found.length === 1) return `/kiosk/wo/${encodeURIComponent(found[0]!.number)}`;
      if (found.length > 1) return `/kiosk?search=${encodeURIComponent(first)}`;
      throw err;
    }
  };

  const problemPage = (err: StationError) =>
    layout(deps, 'Not found', html`<div class="notice"><h1 class="bad">${err.message}</h1><p>${err.hint ?? ''}</p><a class="button" href="/kiosk">Back to the list</a></div>`);

  app.get('/', async (c) => {
    const search = c.req.query('search');
    const items = deps.workOrders.list({ includeLeft: deps.config.sync.keepUnreleasedPrintable, ...(search ? { search } : {}) });
    const numbers = items.map((i) => i.number);
    const tagged = deps.jobs.printedLines.taggedLines(numbers);
    // In a shop, the lines other benches have tagged too (each line once), when the ledger answers soon.
    const others = deps.shop && deps.config.shop ? await otherBenchesTaggedLines(deps.shop, deps.config.shop.benchId, numbers) : undefined;
    if (others && 'lines' in others) for (const [n, lines] of others.lines) tagged.set(n, new Set([...(tagged.get(n) ?? []), ...lines]));
    const counts = new Map([...tagged].map(([n, lines]) => [n, lines.size]));
    const othersUnknown = others && 'unknown' in others ? others.unknown : undefined;
    return c.html(layout(deps, 'Released work orders', homePage(items, { tagged: counts, ...(search ? { search } : {}), ...(othersUnknown ? { othersUnknown } : {}), today: deps.clock.date() })));
  });

  app.get('/open', async (c) => {
    const ref = (c.req.query('ref') ?? '').trim();
    if (!ref) return c.redirect('/kiosk');
    try {
      return c.redirect(await resolve(ref));
    } catch (err) {
      if (!isStationError(err)) throw err;
      return c.html(problemPage(err), err.status === 409 ? 409 : 404);
    }
  });

  app.get('/resolve', async (c) => c.json({ location: await resolve(c.req.query('code') ?? '') }));

  app.get('/wo/:ref', async (c) => {
    let wo;
    try {
      wo = await findPrintableWorkOrder(deps, c.req.param('ref'));
    } catch (err) {
      if (!isStationError(err)) throw err;
      return c.html(problemPage(err), err.status === 409 ? 409 : 404);
    }
    const serialText = c.req.query('serial');
    const serial = serialText ? deps.serials.find(serialText) : undefined;
    const original = serial ? deps.jobs.originalForSerial(serial.serial) : undefined;
    const reprint =
      serial && original && serial.workOrderId === wo.id
        ? { lineNumber: serial.lineNumber, jobId: original.jobId, part: original.part, serial: serial.serial, of: `${serial.number} of ${serial.of}` }
        : undefined;
    const others = deps.shop && deps.config.shop ? await otherBenchesTags(deps.shop, deps.config.shop.benchId, wo.number) : undefined;
    return c.html(layout(deps, wo.number, workOrderPage(deps, wo, reprint, others)));
  });

  app.get('/banner', (c) => c.html(banners(deps)));

  app.get('/history', async (c) => {
    if (c.req.query('shop') === undefined || !deps.shop) return c.html(layout(deps, 'History', historyPage(deps.clock, deps.jobs.list({ limit: 60 }), (id) => (deps.printers.has(id) ? (deps.printers.get(id).entry.name ?? id) : id), !!deps.shop)));
    // Whole shop: a scanned or typed serial or work-order number finds its jobs on every bench.
    const q = (c.req.query('q') ?? c.req.query('serial') ?? '').trim();
    const search = q ? (/^[A-Z0-9]+\d{9}$/i.test(q) ? { serial: q } : { workOrder: q }) : {};
    const jobs = await deps.shop.ledger.searchJobs({ ...search, limit: 60 }).catch((err: unknown) => ({ error: describeError(err) }));
    // Each job's labels are offered on the printer here whose stock takes its template (as this bench has it).
    const printers = deps.printers.views();
    const forJob = (j: ShopJob) => {
      const template = j.templateId ? deps.labels.templates.list().find((t) => t.def.id === j.templateId) : undefined;
      return template ? labelPrinter(printers, template) : printerFor(printers, ['zpl', 'pdf'], 'labels');
    };
    return c.html(layout(deps, 'Whole shop', shopHistoryPage(deps.clock, jobs, search, forJob)));
  });

  // The label designer (admin area): the pages themselves hold nothing secret; every read and change they make asks
  // for the admin PIN.
  app.get('/admin/printers', (c) => c.html(layout(deps, 'Printers', printersPage())));
  app.get('/admin/templates', (c) => c.html(layout(deps, 'Label templates', templateListPage(deps))));
  app.get('/admin/templates/:id{[a-z0-9][a-z0-9-]{0,47}}', (c) => c.html(layout(deps, 'Label designer', templateEditorPage(c.req.param('id'), deps))));

  app.get('/static/:file{[a-z-]+\\.js}', async (c) => {
    try {
      const body = await readFile(join(STATIC, c.req.param('file')), 'utf8');
      return c.body(body, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' });
    } catch {
      throw new StationError('NOT_FOUND', `No kiosk file ${c.req.param('file')}.`, { status: 404 });
    }
  });

  return app;
}
