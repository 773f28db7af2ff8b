// The kiosk's page shell: scan field, GoldLeaf banner, live printer strip, jobs panel; every screen shares it.
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { AppDeps } from '../deps.js';
import { ageSeconds, reachability } from '../sync/types.js';
import { KIOSK_CSS } from './style.js';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

function goldleafBanner(deps: Pick<AppDeps, 'sync'>): Html | string {
  const snap = deps.sync.snapshot();
  const state = reachability(snap);
  if (state === 'reachable') return '';
  if (state === 'cache') {
    const age = ageSeconds(snap.lastSuccessAt);
    const when = age === undefined ? 'an earlier sync' : age < 90 ? `${age} s ago` : age < 5400 ? `${Math.round(age / 60)} min ago` : `${Math.round(age / 3600)} h ago`;
    // Why, in GoldLeaf's or the network's words: "not reachable" and "refused the key" are different calls to make.
    const why = snap.lastError ?? 'GoldLeaf is not answering.';
    return html`<div class="banner warn" role="status">Work orders shown are from ${when}; printing works. <span class="why">${why}</span></div>`;
  }
  return html`<div class="banner bad" role="alert">No work orders yet: GoldLeaf has not answered${snap.lastError ? html` (${snap.lastError})` : ''}.</div>`;
}

/** This PC's clock, when it is off: red while new tags are held, amber when only the times are off. */
function clockBanner(deps: Pick<AppDeps, 'clockCheck'>): Html | string {
  const v = deps.clockCheck?.verdict();
  if (!v?.message) return '';
  return v.holds ? html`<div class="banner bad" role="alert" id="clock-banner">${v.message}</div>` : html`<div class="banner warn" role="status" id="clock-banner">${v.message}</div>`;
}

/** Everything the station has to say across the top of every screen: the clock, then GoldLeaf. */
export function banners(deps: Pick<AppDeps, 'sync' | 'clockCheck'>): Html {
  return html`${clockBanner(deps)}${goldleafBanner(deps)}`;
}

/** A page for someone who may not see the kiosk: what it is and what to do, nothing else. */
export function layoutless(title: string, text: string): Html {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<title>${title} · benchprint</title><style>${raw(KIOSK_CSS)}</style></head><body><main class="notice"><h1>${title}</h1><p>${text}</p></main></body></html>`;
}

/** The shop ledger in the status strip: connected, behind by N events, or unreachable since when. */
export function ledgerChip(deps: Pick<AppDeps, 'shop' | 'clock'>): Html | string {
  if (!deps.shop) return '';
  const s = deps.shop.status();
  const words = s.state === 'connected' ? 'connected' : s.state === 'behind' ? `${s.behindBy} events behind` : s.state === 'starting' ? 'connecting' : `unreachable since ${s.unreachableSince ? deps.clock.time(s.unreachableSince) : '?'}`;
  const css = s.state === 'connected' ? 'ready' : s.state === 'unreachable' ? 'offline' : 'paused';
  return html`<button type="button" class="printer s-${css}" id="ledger" title="${s.lastError ?? `${s.serialsLeft} serial numbers in reserve${s.refusedEvents ? `; ${s.refusedEvents} events the ledger refused, set aside (see the log)` : ''}`}"><b>Shop ledger</b> <span class="state">${words}</span></button>`;
}

export function layout(deps: Pick<AppDeps, 'sync' | 'printers' | 'config' | 'shop' | 'clock' | 'clockCheck'>, title: string, body: Html): Html {
  const printers = deps.printers.views();
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<title>${title} · benchprint</title><style>${raw(KIOSK_CSS)}</style></head>
<body${deps.clock.timeZone ? html` data-tz="${deps.clock.timeZone}"` : ''}>
<header>
  <a class="home" href="/kiosk">${deps.config.station.name}</a>
  <form id="scanform" class="scan" action="/kiosk/open" method="get"><input id="scan" name="ref" autocomplete="off" autofocus placeholder="Scan or type a work order or tag" aria-label="Scan or type a work order or tag"><button>Open</button></form>
  <a class="button secondary" href="/kiosk/history">History</a>
</header>
<div id="banner">${banners(deps)}</div>
<div id="offline" class="banner bad" role="alert" hidden>The station is not answering. Reconnecting…</div>
<nav id="printers" aria-label="Printers">${printers.map(
    (p) => html`<button type="button" class="printer s-${p.state}" data-printer="${p.id}" title="${p.detail ?? ''}"><b>${p.name}</b> <span class="state">${p.state.replace('-', ' ')}</span></button>`,
  )}${ledgerChip(deps)}</nav>
<p id="chip-detail" role="status" hidden></p>
<main>${body}</main>
<section id="jobs" aria-label="Print jobs" aria-live="polite" hidden></section>
<div id="toast" role="status" hidden></div>
<script type="module" src="/kiosk/static/kiosk.js"></script>
</body></html>`;
}
