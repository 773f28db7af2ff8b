// Kiosk screens: released work orders, one work order with print actions per line, and the bench's history.
import { html } from 'hono/html';
import type { AppDeps } from '../deps.js';
import type { AssemblyEnd, CachedWorkOrder, LineView } from '../domain/work-order.js';
import type { WorkOrderSummary } from '../sync/cache.js';
import type { JobRecord } from '../queue/job-store.js';
import type { PrinterView } from '../printing/registry.js';
import type { ShopJob } from '../shop/ledger.js';
import { formatQuantity, formatToleranced } from './format.js';
import type { Html } from './layout.js';
import type { ShopClock } from '../lib/shop-clock.js';
import { tagsMade, type LineTags } from '../queue/printed-lines.js';
import { mergeLineTags, type OtherBenches } from '../shop/line-tags.js';
import { labelChoices, printerFor, sheetTarget, type LabelChoice, type SheetKind } from './targets.js';

function lineChoices(line: LineView, choices: readonly LabelChoice[]): LabelChoice[] {
  return choices.filter((c) => c.subject === 'assembly' || (c.subject === 'kit' && line.kit));
}

/**
 * A line's choice of label. When the labels go to more than one printer they are grouped under each printer's name
 * (the open list says where each goes; the closed one stays as short as the label's name). One that no printer's stock
 * takes is shown and cannot be chosen.
 */
function labelSelect(line: LineView, choices: readonly LabelChoice[]): Html {
  const fits = lineChoices(line, choices);
  const option = (c: LabelChoice) =>
    c.printer ? html`<option value="${c.id}" data-printer="${c.printer.id}" data-printer-name="${c.printer.name}">${c.name}</option>` : html`<option value="${c.id}" disabled>${c.name}: no printer has that stock</option>`;
  const printers = [...new Map(fits.filter((c) => c.printer).map((c) => [c.printer!.id, c.printer!])).values()];
  if (printers.length < 2) return html`<select class="template" aria-label="Label">${fits.map(option)}</select>`;
  return html`<select class="template" aria-label="Label">${printers.map((p) => html`<optgroup label="${p.name}">${fits.filter((c) => c.printer?.id === p.id).map(option)}</optgroup>`)}${fits.filter((c) => !c.printer).map(option)}</select>`;
}

function sheetButton(label: string, kind: SheetKind, t: Targets): Html {
  const sheet = t.sheets[kind];
  return button(label, 'document', sheet.printer, { document: kind }, sheet.none);
}

/** The list's word for a work order's tags: every line has them, some do, or nothing (none yet). */
function tagsBadge(w: WorkOrderSummary, linesWithTags: number | undefined): Html | string {
  if (!linesWithTags) return '';
  if (linesWithTags >= w.taggableLines) return html`<span class="badge done">tags printed</span>`;
  return html`<span class="badge partial">tags: ${linesWithTags} of ${w.taggableLines} lines</span>`;
}

/** When a work order is due, beside its date: past it (red) or today (amber), by the shop's date. */
function dueCell(due: string | undefined, today: string): Html | string {
  if (!due) return '';
  const day = /^\d{4}-\d{2}-\d{2}/.exec(due)?.[0];
  const when = day && day < today ? html` <span class="badge late">overdue</span>` : day === today ? html` <span class="badge today">today</span>` : '';
  return html`${due}${when}`;
}

/**
 * The list of released work orders, soonest due first. `tagged`: how many lines of each have tags; `othersUnknown`: in
 * a shop, why other benches' tags are not known now (the badges count this bench's); `today`: the shop's date.
 */
export function homePage(items: WorkOrderSummary[], o: { tagged: ReadonlyMap<string, number>; search?: string; othersUnknown?: string; today: string }): Html {
  return html`<div class="titlebar"><h1>Released work orders <small>${items.length}</small></h1>
<form class="search" action="/kiosk" method="get"><input name="search" value="${o.search ?? ''}" placeholder="Number or customer" aria-label="Find a work order by number or customer"><button class="secondary">Find</button></form></div>
${o.othersUnknown ? html`<p class="small" role="status">Tags printed on other benches are not known now: ${o.othersUnknown}. This bench's own are shown.</p>` : ''}
<table class="list"><thead><tr><th>Work order</th><th>Customer</th><th>Due</th><th>Lines</th><th>Printed</th></tr></thead><tbody>
${items.map(
  (w) => html`<tr><td><a class="big" href="/kiosk/wo/${encodeURIComponent(w.number)}">${w.number}</a></td><td>${w.customer ?? ''}</td><td>${dueCell(w.dueDate, o.today)}</td><td>${w.lines}</td><td>${tagsBadge(w, o.tagged.get(w.number))}${w.stale ? html` <span class="badge stale" title="${w.stale}">old copy</span>` : ''}</td></tr>`,
)}
</tbody></table>`;
}

function endCell(label: string, end: AssemblyEnd): Html {
  return html`<div class="end"><div class="endlabel">${label}</div><div class="fitting">${end.fittingPartNumber ?? '—'}</div><div class="small">${end.fittingDescription ?? ''}</div>
<div class="crimp" title="crimp diameter">${end.crimp?.diameter ? formatToleranced(end.crimp.diameter) : 'no crimp data'}</div>
<div class="small">${end.crimp?.dieSize ? `die ${end.crimp.dieSize}` : ''}${end.crimp?.insertLength ? ` · insert ${formatQuantity(end.crimp.insertLength)}` : ''}</div></div>`;
}

interface Targets {
  /** Where "Print everything" sends the lines' tags: the printer for the hose tag. */
  labels?: PrinterView;
  choices: LabelChoice[];
  /** Where each datasheet goes: a printer whose paper takes its page. */
  sheets: Record<SheetKind, { printer?: PrinterView; none: string }>;
  traveler?: PrinterView;
  /** Where a line's Marken and PTS files go: a hot folder set for them, else the first that takes files. */
  marken?: PrinterView;
  pts?: PrinterView;
}

function button(label: string, action: string, printer: PrinterView | undefined, attrs: Record<string, string | number> = {}, none = 'No printer for this'): Html {
  const data = Object.entries(attrs).map(([k, v]) => html` data-${k}="${String(v)}"`);
  if (!printer) return html`<button class="secondary" disabled title="${none}">${label}</button>`;
  return html`<button data-action="${action}" data-printer="${printer.id}"${data} title="on ${printer.name}">${label}</button>`;
}

/**
 * A line's tags so far, in words: "8 printed · 12-03 19:30 on Tag printer", "3 of 8 printed", and what changed on the
 * line since its newest tags were made ("cut length 1712 mm → 1700 mm"), which may make them wrong.
 */
function tagsWords(t: LineTags, line: LineView, changes: readonly string[], clock: ShopClock, printerName: (id: string) => string): string {
  const how = [
    t.printed ? (line.assembly && t.printed < line.quantity ? `${t.printed} of ${line.quantity} printed` : `${t.printed} printed`) : '',
    t.inPrinter ? `${t.inPrinter} in the printer, not out yet` : '',
    t.underWay ? `${t.underWay} in the queue` : '',
    t.inDoubt ? `${t.inDoubt} in a job that needs attention` : '',
  ].filter(Boolean);
  const where = t.last.bench ?? printerName(t.last.printerId);
  const words = `${how.join(', ')} · ${t.jobs > 1 ? `${t.jobs} jobs, the last ` : ''}${clock.dayAndMinute(t.last.at)} on ${where}`;
  return changes.length ? `${words} · the line has changed since: ${changes.join('; ')}` : words;
}

/** The line's tags strip: empty (hidden) until it has some; the kiosk refreshes it as jobs go. */
function tagsStrip(line: LineView, tags: { of?: LineTags; words?: string; changed?: boolean }): Html {
  if (!tags.of || !tags.words) return html`<p class="tags" data-line-tags="${line.lineNumber}" hidden></p>`;
  const kind = tags.of.inDoubt ? 'attention' : tags.changed ? 'changed' : tags.of.underWay || tags.of.inPrinter ? 'queued' : 'printed';
  return html`<p class="tags t-${kind}" data-line-tags="${line.lineNumber}">Tags: ${tags.words}</p>`;
}

function lineCard(wo: CachedWorkOrder, line: LineView, t: Targets, tags: { of?: LineTags; words?: string; changed?: boolean }, reprint?: { jobId: string; part: number; serial: string; of: string }): Html {
  const a = line.assembly;
  const kit = line.kit;
  // An assembly line's tags are numbered within the line: a first batch of 6 of 24 reads "1 of 24" to "6 of 24", and
  // once some are made the rest is offered, numbered on from there ("from 7 of 24").
  const made = tagsMade(tags.of);
  const first = lineChoices(line, t.choices).find((c) => c.printer);
  const rest = line.assembly && made < line.quantity ? { from: made + 1, left: line.quantity - made } : undefined;
  const actions = html`<div class="actions" data-wo="${wo.number}" data-line="${line.lineNumber}"${a ? html` data-hoses="${line.quantity}"` : ''}${tags.words ? html` data-has-tags="${tags.words}"` : ''}${rest ? html` data-from="${rest.from}" data-left="${rest.left}"` : ''}>
  <label class="qtylabel">Tags <input type="number" class="qty" value="${rest ? rest.left : line.quantity}" min="1" max="9999" inputmode="numeric" aria-label="Tags to print for line ${line.lineNumber}">${rest && made ? html`<span class="from">from ${rest.from} of ${line.quantity}</span>` : ''}</label>
  ${labelSelect(line, t.choices)}
  ${button('Print tags', 'labels', first?.printer)}
  ${a ? sheetButton('Datasheet', 'assembly-datasheet', t) : kit ? sheetButton('Kit datasheet', 'kit-datasheet', t) : ''}
  ${button('Send Marken', 'document', t.marken, { document: 'marken' })}
  ${button('Send PTS', 'document', t.pts, { document: 'pts' })}
</div>`;
  const reprintBox = reprint
    ? html`<div class="reprint" data-job="${reprint.jobId}" data-part="${reprint.part}"><strong>Tag ${reprint.of}, serial ${reprint.serial}</strong>${button('Reprint this tag', 'reprint', t.labels, { job: reprint.jobId, part: reprint.part })}</div>`
    : '';
  const preview = a ? html`<img class="preview" loading="lazy" alt="Tag preview for line ${line.lineNumber}" data-base="/api/v1/templates/{t}/preview?workOrder=${encodeURIComponent(wo.number)}&line=${line.lineNumber}&format=png" src="/api/v1/templates/${first?.id ?? 'hose-tag'}/preview?workOrder=${encodeURIComponent(wo.number)}&line=${line.lineNumber}&format=png">` : '';
  const head = html`<h2>Line ${line.lineNumber} · ${a ? `${a.partNumber}${a.revision ? ` rev ${a.revision}` : ''}` : kit ? `Kit ${kit.partNumber}` : 'Item'} <span class="qty-badge">× ${line.quantity}</span></h2>`;
  if (!a) {
    return html`<section class="line${reprint ? ' focus' : ''}" id="line-${line.lineNumber}">${head}${tagsStrip(line, tags)}${line.problem ? html`<p class="bad">${line.problem}</p>` : ''}
${kit ? html`<p>${kit.description ?? ''}</p><ul class="kit">${kit.assemblies.map((k) => html`<li>${k.assembly.partNumber} × ${k.quantity} · ${k.assembly.hose.partNumber ?? ''} · A ${formatToleranced(k.assembly.end1.crimp?.diameter)} · B ${formatToleranced(k.assembly.end2.crimp?.diameter)}</li>`)}</ul>` : ''}
${reprintBox}${actions}</section>`;
  }
  return html`<section class="line${reprint ? ' focus' : ''}" id="line-${line.lineNumber}">${head}${tagsStrip(line, tags)}
<p class="hose">${a.hose.partNumber ?? ''} ${a.hose.spec ? `(${a.hose.spec})` : ''} · cut <b>${formatQuantity(a.cutLength) || '—'}</b> · overall ${formatQuantity(a.length)} ${a.length?.tolerance ?? ''}${a.orientationDeg !== undefined ? ` · orientation ${a.orientationDeg}°` : ''}</p>
<div class="ends">${endCell('End A', a.end1)}${endCell('End B', a.end2)}</div>
${a.productionNotes ? html`<p class="note">${a.productionNotes}</p>` : ''}
${reprintBox}${actions}${preview}</section>`;
}

/**
 * The work order's own buttons. "Print everything" prints every line's tags, the datasheet and the traveler; once some
 * of it is printed it is "Print the rest": the tags of lines that have none, the rest of those that have some (numbered
 * on, "7 of 24"), and the datasheet and traveler unless printed. When everything is printed, the kiosk asks before
 * printing it all again. `data-lines` lists the tags to print: "line:from:quantity" for an assembly line's (from 1, or
 * the rest of it), a kit line's number alone; `data-pdf` and `data-traveler` the printers of the documents it prints.
 */
function workOrderActions(wo: CachedWorkOrder, tagged: ReadonlyMap<number, LineTags>, documents: ReadonlySet<string>, t: Targets): Html {
  const lines = wo.lines.filter((l) => l.assembly || l.kit).map((l) => ({ line: l, made: tagsMade(tagged.get(l.lineNumber)) }));
  const open = lines.filter((x) => x.made === 0 || (x.line.assembly && x.made < x.line.quantity));
  const done = lines.filter((x) => !open.includes(x)).map((x) => x.line.lineNumber);
  const papers = { pdf: documents.has('datasheet') ? undefined : t.sheets.datasheet.printer, traveler: documents.has('traveler') ? undefined : t.traveler };
  const started = lines.some((x) => x.made > 0) || documents.has('datasheet') || documents.has('traveler');
  const left = open.length > 0 || !!papers.pdf || !!papers.traveler;
  // An assembly line's tags go numbered from where they start (1 for a line without any), so that the station refuses
  // them when the page is older than tags another bench or kiosk made meanwhile; a kit line's are a set of their own.
  const entry = (x: (typeof lines)[number]) => (x.line.assembly || x.made ? `${x.line.lineNumber}:${x.made + 1}:${x.line.quantity - x.made}` : String(x.line.lineNumber));
  const all = lines.map((x) => x.line.lineNumber);
  // Everything printed: all of it again, after asking.
  const what = left ? { lines: open.map(entry), ...papers } : { lines: all.map(String), pdf: t.sheets.datasheet.printer, traveler: t.traveler };
  return html`<div class="woactions" data-wo="${wo.number}" data-lines="${what.lines.join(',')}"${left && done.length ? html` data-skipped="${done.join(', ')}"` : ''}${left ? '' : html` data-again="${done.join(', ')}"`}>
${button(started && left ? 'Print the rest' : 'Print everything', 'everything', t.labels, { traveler: what.traveler?.id ?? '', pdf: what.pdf?.id ?? '' })}
${sheetButton('Datasheet', 'datasheet', t)}
${button('Traveler', 'document', t.traveler, { document: 'traveler' })}
</div>`;
}

export function workOrderPage(
  deps: Pick<AppDeps, 'printers' | 'clock' | 'jobs' | 'labels' | 'documents'>,
  wo: CachedWorkOrder,
  reprint?: { lineNumber: number; jobId: string; part: number; serial: string; of: string },
  others?: OtherBenches,
): Html {
  const printers = deps.printers.views();
  const own = deps.jobs.printedLines.forWorkOrder(wo.number);
  const tagged = others && 'lines' in others ? mergeLineTags(own, others.lines) : own;
  const printerName = (id: string) => printers.find((p) => p.id === id)?.name ?? id;
  const choices = labelChoices(deps, printers);
  const t: Targets = {
    labels: choices.find((c) => c.id === 'hose-tag')?.printer,
    choices,
    sheets: { datasheet: sheetTarget(deps, printers, 'datasheet'), 'assembly-datasheet': sheetTarget(deps, printers, 'assembly-datasheet'), 'kit-datasheet': sheetTarget(deps, printers, 'kit-datasheet') },
    traveler: printerFor(printers, ['escpos'], 'traveler'),
    marken: printerFor(printers, ['file'], 'marken'),
    pts: printerFor(printers, ['file'], 'pts'),
  };
  return html`<div class="titlebar"><h1>${wo.number} <small>${wo.customer?.name ?? ''}</small></h1>
${workOrderActions(wo, tagged, deps.jobs.printedLines.documentsFor(wo.number), t)}</div>${leftOut(t)}
${wo.stale ? html`<div class="banner warn" role="status">GoldLeaf's newer copy of ${wo.number} could not be read since ${deps.clock.minute(wo.stale.since)} (${wo.stale.reason}). Shown as synced ${deps.clock.minute(wo.syncedAt)}; check it against the paperwork.</div>` : ''}
${others && 'unknown' in others ? html`<p class="small" role="status">Tags printed on other benches are not known now: ${others.unknown}. This bench's own are shown.</p>` : ''}
<p class="meta">PO ${wo.purchaseOrder ?? '—'} · due ${wo.dueDate ?? '—'} · rev ${wo.revision ?? '—'}${wo.released ? '' : html` · <strong class="bad">no longer released</strong>`}${wo.comments ? html` · <strong>${wo.comments}</strong>` : ''}</p>
${wo.lines.map((line) => {
  const of = tagged.get(line.lineNumber);
  const changes = of ? deps.jobs.printedLines.changesSince(of, line, wo) : [];
  const tags = of ? { of, words: tagsWords(of, line, changes, deps.clock, printerName), changed: changes.length > 0 } : {};
  return lineCard(wo, line, t, tags, reprint && reprint.lineNumber === line.lineNumber ? reprint : undefined);
})}`;
}

/** What "Print everything" cannot print here, said where the crimper sees it (a button's title needs a mouse). */
function leftOut(t: Targets): Html | string {
  const missing = [t.sheets.datasheet.printer ? '' : `the datasheet (${t.sheets.datasheet.none.charAt(0).toLowerCase()}${t.sheets.datasheet.none.slice(1)})`, t.traveler ? '' : 'the traveler (no working receipt printer)'].filter(Boolean);
  if (!missing.length || !t.labels) return '';
  return html`<p class="small" role="note">"Print everything" leaves out ${missing.join(' and ')}.</p>`;
}

/** "This bench | Whole shop", when the bench is part of a shop. */
function historySwitch(shop: boolean, whole: boolean): Html | string {
  if (!shop) return '';
  return html`<div class="switch" role="group" aria-label="Whose history"><a class="button ${whole ? 'secondary' : ''}" href="/kiosk/history" aria-current="${!whole}">This bench</a><a class="button ${whole ? '' : 'secondary'}" href="/kiosk/history?shop=1" aria-current="${whole}">Whole shop</a></div>`;
}

/** Every bench's jobs from the shop ledger; labels printed elsewhere can be printed again here. */
export function shopHistoryPage(clock: ShopClock, jobs: ShopJob[] | { error: string }, search: { serial?: string; workOrder?: string }, printerFor: (job: ShopJob) => PrinterView | undefined): Html {
  const form = html`<form class="search" action="/kiosk/history" method="get"><input type="hidden" name="shop" value="1"><input name="q" value="${search.serial ?? search.workOrder ?? ''}" placeholder="Serial or work order" aria-label="Find in the whole shop by serial or work order"><button class="secondary">Find</button></form>`;
  const head = html`<div class="titlebar"><h1>Whole shop</h1>${historySwitch(true, true)}${form}</div>`;
  if ('error' in jobs) return html`${head}<div class="banner warn" role="status">The shop ledger cannot be reached (${jobs.error}). This bench's own history is on "This bench".</div>`;
  return html`${head}
<table class="list"><thead><tr><th>When</th><th>Bench</th><th>What</th><th>Labels</th><th>State</th><th></th></tr></thead><tbody>
${jobs.map(
  (j) => html`<tr><td>${clock.dayAndMinute(j.createdAt)}</td><td>${j.benchId}</td><td>${j.title}<div class="small">${j.serials.length ? `${j.serials[0]}${j.serials.length > 1 ? ` … ${j.serials.at(-1)}` : ''} · ` : ''}by ${j.requestedBy}</div></td><td>${j.partsConfirmed} of ${j.partsTotal}</td><td><span class="badge s-${j.state}">${j.state.replace('-', ' ')}</span></td>
<td>${reprintHere(j, printerFor)}</td></tr>`,
)}
</tbody></table>`;
}

/** "Reprint here", on the printer whose stock takes the job's label; none where this bench has no such printer. */
function reprintHere(j: ShopJob, printerFor: (job: ShopJob) => PrinterView | undefined): Html | string {
  if (!j.hasLabelData) return '';
  const to = printerFor(j);
  if (!to) return html`<button class="secondary" disabled title="No working printer here takes this label">Reprint here</button>`;
  return html`<button data-action="shop-reprint" data-bench="${j.benchId}" data-job="${j.id}" data-to="${j.partsTotal}" data-printer="${to.id}" class="secondary" title="on ${to.name}">Reprint here</button>`;
}

/** This bench's jobs, newest first; each printer by the name the bench knows it by (its id once it is gone). */
export function historyPage(clock: ShopClock, jobs: JobRecord[], printerName: (id: string) => string, shop = false): Html {
  return html`<div class="titlebar"><h1>History <small>last ${jobs.length}</small></h1>${historySwitch(shop, false)}<a class="button secondary" href="/api/v1/history.csv">Export CSV</a></div>
<table class="list"><thead><tr><th>When</th><th>What</th><th>Printer</th><th>Labels</th><th>State</th><th></th></tr></thead><tbody>
${jobs.map(
  (j) => html`<tr data-job="${j.id}"><td>${clock.dayAndMinute(j.createdAt)}</td><td>${j.title}${j.isReprint ? ' · reprint' : ''}<div class="small">${j.serials.length ? `${j.serials[0]}${j.serials.length > 1 ? ` … ${j.serials.at(-1)}` : ''} · ` : ''}by ${j.requestedBy}</div></td><td>${printerName(j.printerId)}</td><td>${j.state === 'sent' ? j.partsSent : j.partsConfirmed} of ${j.partsTotal}</td><td><span class="badge s-${j.state}">${j.state.replace('-', ' ')}</span></td><td>${['done', 'failed', 'needs-attention'].includes(j.state) ? html`<button data-action="reprint" data-job="${j.id}" data-part="1" data-to="${j.partsTotal}" class="secondary">Reprint</button>` : ''}</td></tr>`,
)}
</tbody></table>`;
}
