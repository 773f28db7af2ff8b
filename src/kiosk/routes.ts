// The bench kiosk, served by the station: scan or type a work order, see its lines and crimp data per end.
import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { AppDeps, AppEnv } from '../app.js';
import type { AssemblyEnd, LineView } from '../domain/work-order.js';
import { isStationError } from '../errors.js';
import { printableWorkOrder } from '../routes/work-orders.js';
import { ageSeconds, reachability } from '../sync/types.js';
import { formatQuantity, formatToleranced } from './format.js';
import { KIOSK_CSS } from './style.js';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export function kioskRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  const layout = (title: string, body: Html) => {
    const snap = deps.sync.snapshot();
    const state = reachability(snap);
    const age = ageSeconds(snap.lastSuccessAt);
    const banner =
      state === 'reachable'
        ? ''
        : state === 'cache'
          ? html`<div class="banner warn" role="status">GoldLeaf is not answering. Showing saved work orders from ${age === undefined ? 'an earlier sync' : `${Math.round(age / 60)} min ago`}.</div>`
          : html`<div class="banner bad" role="alert">No work orders yet: GoldLeaf has not answered${snap.lastError ? html` (${snap.lastError})` : ''}.</div>`;
    const printers = deps.printers.views();
    return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · benchprint</title><style>${raw(KIOSK_CSS)}</style></head>
<body>
<header><a class="home" href="/kiosk">${deps.config.station.name}</a>
<form class="scan" action="/kiosk/open" method="get"><input id="scan" name="ref" autocomplete="off" autofocus placeholder="Scan or type a work order" aria-label="Scan or type a work order"><button>Open</button></form>
</header>
${banner}
<nav class="printers" aria-label="Printers">${printers.map((p) => html`<span class="printer s-${p.state}" title="${p.detail ?? ''}">${p.name}: ${p.state.replace('-', ' ')}</span>`)}</nav>
<main>${body}</main>
<script>
// A USB scanner types like a keyboard and ends with Enter: keep the scan field focused on every screen.
document.addEventListener('keydown', (e) => { const s = document.getElementById('scan'); if (s && document.activeElement !== s && e.key.length === 1 && !e.ctrlKey && !e.altKey) s.focus(); });
</script>
</body></html>`;
  };

  app.get('/', (c) => {
    const search = c.req.query('search');
    const items = deps.workOrders.list({ includeLeft: deps.config.sync.keepUnreleasedPrintable, ...(search ? { search } : {}) });
    return c.html(
      layout(
        'Released work orders',
        html`<h1>Released work orders <small>${items.length}</small></h1>
<table class="list"><thead><tr><th>Work order</th><th>Customer</th><th>Due</th><th>Lines</th></tr></thead><tbody>
${items.map((w) => html`<tr><td><a class="big" href="/kiosk/wo/${encodeURIComponent(w.number)}">${w.number}</a></td><td>${w.customer ?? ''}</td><td>${w.dueDate ?? ''}</td><td>${w.lines}</td></tr>`)}
</tbody></table>`,
      ),
    );
  });

  app.get('/open', (c) => {
    const ref = (c.req.query('ref') ?? '').trim();
    return ref ? c.redirect(`/kiosk/wo/${encodeURIComponent(ref)}`) : c.redirect('/kiosk');
  });

  app.get('/wo/:ref', (c) => {
    let wo;
    try {
      wo = printableWorkOrder(deps, c.req.param('ref'));
    } catch (err) {
      if (!isStationError(err)) throw err;
      return c.html(layout('Not found', html`<div class="notice bad"><h1>${err.message}</h1><p>${err.hint ?? ''}</p><a class="button" href="/kiosk">Back to the list</a></div>`), err.status === 409 ? 409 : 404);
    }
    return c.html(
      layout(
        wo.number,
        html`<h1>${wo.number} <small>${wo.customer?.name ?? ''}</small></h1>
<p class="meta">PO ${wo.purchaseOrder ?? '—'} · due ${wo.dueDate ?? '—'} · rev ${wo.revision ?? '—'}${wo.comments ? html` · <strong>${wo.comments}</strong>` : ''}</p>
${wo.lines.map((line) => lineCard(wo.number, line))}`,
      ),
    );
  });

  return app;
}

function endCell(label: string, end: AssemblyEnd): Html {
  return html`<div class="end"><div class="endlabel">${label}</div><div>${end.fittingPartNumber ?? '—'}</div><div class="small">${end.fittingDescription ?? ''}</div>
<div class="crimp">${end.crimp?.diameter ? formatToleranced(end.crimp.diameter) : 'no crimp data'}</div>
<div class="small">${end.crimp?.dieSize ? `die ${end.crimp.dieSize}` : ''}${end.crimp?.insertLength ? ` · insert ${formatQuantity(end.crimp.insertLength)}` : ''}</div></div>`;
}

function lineCard(number: string, line: LineView): Html {
  const a = line.assembly;
  if (!a) {
    const kit = line.kit;
    return html`<section class="line"><h2>Line ${line.lineNumber} · ${kit ? `Kit ${kit.partNumber}` : 'Item'} <span class="qty">× ${line.quantity}</span></h2>
${line.problem ? html`<p class="bad">${line.problem}</p>` : ''}
${kit ? html`<p>${kit.description ?? ''}</p><ul>${kit.assemblies.map((k) => html`<li>${k.assembly.partNumber} × ${k.quantity} · ${k.assembly.hose.partNumber ?? ''}</li>`)}</ul>` : ''}</section>`;
  }
  return html`<section class="line"><h2>Line ${line.lineNumber} · ${a.partNumber}${a.revision ? ` rev ${a.revision}` : ''} <span class="qty">× ${line.quantity}</span></h2>
<p>${a.hose.partNumber ?? ''} ${a.hose.spec ? `(${a.hose.spec})` : ''} · cut ${formatQuantity(a.cutLength) || '—'} · overall ${formatQuantity(a.length)} ${a.length?.tolerance ?? ''}${a.orientationDeg !== undefined ? ` · orientation ${a.orientationDeg}°` : ''}</p>
<div class="ends">${endCell('End A', a.end1)}${endCell('End B', a.end2)}</div>
${a.productionNotes ? html`<p class="note">${a.productionNotes}</p>` : ''}
<img class="preview" loading="lazy" alt="Tag preview for line ${line.lineNumber}" src="/api/v1/templates/hose-tag/preview?workOrder=${encodeURIComponent(number)}&line=${line.lineNumber}&format=png"></section>`;
}
