// benchprint kiosk: scan anywhere, print with one tap (a double tap prints once), live printers and jobs.
'use strict';

const $ = (sel, root = document) => root.querySelector(sel);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const newKey = () => (globalThis.crypto && crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`);

function toast(text, bad = false) {
  const t = $('#toast');
  t.textContent = text;
  t.className = bad ? 'bad' : 'ok';
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (t.hidden = true), bad ? 9000 : 4000);
}

async function api(method, path, body, headers = {}) {
  const res = await fetch(path, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const data = res.headers.get('content-type')?.includes('json') ? await res.json() : undefined;
  if (!res.ok) {
    const err = new Error(data?.error?.message ?? `The station answered ${res.status}.`);
    err.code = data?.error?.code;
    err.status = res.status;
    throw err;
  }
  return data;
}

// --- Scanning: a USB scanner types fast and ends with Enter, whatever has the focus. ---
const burst = { chars: '', last: 0, gaps: [] };
document.addEventListener(
  'keydown',
  (e) => {
    const scan = $('#scan');
    if (!scan) return;
    const now = performance.now();
    if (e.key === 'Enter') {
      const fast = burst.chars.length >= 4 && burst.gaps.length > 0 && burst.gaps.reduce((a, b) => a + b, 0) / burst.gaps.length < 35;
      // A field that takes scans itself (the last tag of a job that needs attention) keeps them.
      if (fast && document.activeElement !== scan && !document.activeElement?.matches?.('[data-scan-target]')) {
        // A scan landed in another field: take it back and treat it as a scan.
        e.preventDefault();
        const field = document.activeElement;
        if (field && 'defaultValue' in field) field.value = field.defaultValue;
        openCode(burst.chars);
      }
      burst.chars = '';
      burst.gaps = [];
      return;
    }
    if (e.key.length !== 1 || e.ctrlKey || e.altKey || e.metaKey) return;
    if (now - burst.last > 100) {
      burst.chars = '';
      burst.gaps = [];
    } else burst.gaps.push(now - burst.last);
    burst.chars += e.key;
    burst.last = now;
    const typing = document.activeElement && ['INPUT', 'SELECT', 'TEXTAREA'].includes(document.activeElement.tagName);
    if (!typing) scan.focus();
  },
  true,
);

async function openCode(code) {
  const text = code.trim();
  if (!text) return;
  try {
    const { location: where } = await api('GET', `/kiosk/resolve?code=${encodeURIComponent(text)}`);
    window.location.href = where;
  } catch (err) {
    toast(err.message, true);
    const scan = $('#scan');
    scan.value = '';
    scan.focus();
  }
}

$('#scanform')?.addEventListener('submit', (e) => {
  e.preventDefault();
  openCode($('#scan').value);
});

// --- Printing ---
function requestsFor(button) {
  const action = button.dataset.action;
  const box = button.closest('[data-wo]');
  const wo = box?.dataset.wo;
  const line = box?.dataset.line === undefined ? undefined : Number(box.dataset.line);
  if (action === 'labels') {
    const quantity = Number($('.qty', box).value);
    if (!Number.isInteger(quantity) || quantity < 1) throw new Error('Enter how many tags to print.');
    return [['POST', '/api/v1/jobs', { kind: 'labels', printer: button.dataset.printer, workOrder: wo, line, template: $('.template', box).value, quantity }]];
  }
  if (action === 'document') {
    return [['POST', '/api/v1/jobs', { kind: 'document', printer: button.dataset.printer, workOrder: wo, document: button.dataset.document, ...(line === undefined ? {} : { line }) }]];
  }
  if (action === 'reprint') {
    const part = Number(button.dataset.part);
    return [['POST', `/api/v1/jobs/${button.dataset.job}/reprint`, { from: part, to: Number(button.dataset.to ?? part) }]];
  }
  if (action === 'everything') {
    const lines = (box.dataset.lines || '').split(',').filter(Boolean).map(Number);
    const list = lines.map((l) => ['POST', '/api/v1/jobs', { kind: 'labels', printer: button.dataset.printer, workOrder: wo, line: l, template: 'hose-tag' }]);
    if (button.dataset.pdf) list.push(['POST', '/api/v1/jobs', { kind: 'document', printer: button.dataset.pdf, workOrder: wo, document: 'datasheet' }]);
    if (button.dataset.traveler) list.push(['POST', '/api/v1/jobs', { kind: 'document', printer: button.dataset.traveler, workOrder: wo, document: 'traveler' }]);
    return list;
  }
  return [];
}

async function press(button) {
  if (button.disabled) return;
  // One key per press: a double tap or a retried request gives the same job.
  button.dataset.key ||= newKey();
  button.disabled = true;
  try {
    const requests = requestsFor(button);
    for (const [i, [method, path, body]] of requests.entries()) await api(method, path, body, { 'idempotency-key': `${button.dataset.key}-${i}` });
    toast(requests.length > 1 ? `${requests.length} jobs queued.` : 'Queued.');
    delete button.dataset.key;
    refreshJobs();
  } catch (err) {
    toast(err.message, true);
  } finally {
    button.disabled = false;
  }
}

document.addEventListener('click', (e) => {
  const button = e.target.closest('button[data-action]');
  if (button && !button.closest('#jobs')) {
    e.preventDefault();
    press(button);
  }
});

document.addEventListener('change', (e) => {
  if (!e.target.matches('.template')) return;
  const img = $('.preview', e.target.closest('.line'));
  if (img) img.src = img.dataset.base.replace('{t}', encodeURIComponent(e.target.value));
});

// --- Jobs panel: progress, and jobs that need the operator ---
const words = { queued: 'waiting', printing: 'printing', done: 'done', sent: 'sent, not confirmed', failed: 'failed', 'needs-attention': 'needs attention', cancelled: 'cancelled', expired: 'expired' };

/** "7 of 12": labels the printer confirmed; printed too, where the printer says fewer have come out yet. */
function progressText(j) {
  const shown = j.state === 'sent' ? j.partsSent : j.partsConfirmed;
  const printed = j.partsPrinted !== undefined && j.partsPrinted < shown ? ` · ${j.partsPrinted} printed` : '';
  return `${shown} of ${j.partsTotal}${printed}`;
}

function attentionCard(j, what) {
  const choices = (j.resume ?? [])
    .map((c) => `<button data-job-action="resume" data-from="${c.from}" title="if ${esc(c.when)}">${esc(c.label)}<small>&nbsp;if ${esc(c.when)}</small></button>`)
    .join('');
  const scanRow = j.partsTotal > 1
    ? `<form class="lasttag" data-job-form="after"><label>Last tag that came out <input class="after" data-scan-target autocomplete="off" placeholder="scan it here" aria-label="Scan the last tag that came out"></label><button>Go on after it</button></form>`
    : '';
  return `<div class="job attention" data-job="${j.id}"><div><b>${what}</b> on ${esc(j.printerId)} · <span class="badge s-needs-attention">needs attention</span></div>
<p>${esc(j.attention)}</p>
${scanRow}
<div class="choices">${choices}<button data-job-action="confirm" class="secondary">All came out</button>
<label>Reprint <input type="number" class="a" min="1" max="${j.partsTotal}" value="1" inputmode="numeric"> to <input type="number" class="b" min="1" max="${j.partsTotal}" value="${j.partsTotal}" inputmode="numeric"></label><button data-job-action="range" class="secondary">Reprint range</button>
<button data-job-action="cancel" class="danger">Cancel</button></div></div>`;
}

function jobCard(j) {
  const what = `${esc(j.workOrderNumber ?? j.kind)}${j.lineNumber !== undefined ? ` line ${j.lineNumber}` : ''} · ${esc(j.templateId ?? j.documentName)}`;
  if (j.state === 'needs-attention') return attentionCard(j, what);
  const progress = `<span class="progress" data-progress="${j.id}">${progressText(j)}</span>`;
  const waiting = j.state === 'queued' && j.waitingReason ? `<div class="waiting">${esc(j.waitingReason)}</div>` : '';
  return `<div class="job s-${j.state}" data-job="${j.id}"><b>${what}</b> on ${esc(j.printerId)} · <span class="badge s-${j.state}">${words[j.state]}</span> ${progress}${j.state === 'queued' ? ' <button data-job-action="cancel" class="secondary">Cancel</button>' : ''}${waiting}</div>`;
}

async function refreshJobs() {
  const panel = $('#jobs');
  if (!panel) return;
  try {
    const { items } = await api('GET', '/api/v1/jobs?limit=40');
    const recent = Date.now() - 10 * 60_000;
    const shown = items.filter((j) => ['queued', 'printing', 'needs-attention'].includes(j.state) || (Date.parse(j.updatedAt) > recent && ['done', 'sent', 'failed', 'expired'].includes(j.state))).slice(0, 8);
    // Typing in a card (a tag being scanned, a range) must not be wiped by a refresh.
    const typing = panel.contains(document.activeElement) && document.activeElement.matches('input');
    if (typing) return;
    panel.innerHTML = shown.length ? `<h2>Jobs</h2>${shown.map(jobCard).join('')}` : '';
    // A job that needs attention takes the scanner: the next tag scanned says where the labels stopped.
    const field = panel.querySelector('.attention input.after');
    if (field && (document.activeElement === document.body || document.activeElement === $('#scan'))) field.focus();
  } catch {
    // the connection banner says it
  }
}

async function jobAction(card, action, detail) {
  const id = card.dataset.job;
  const run = (headers = {}) => {
    if (action === 'cancel') return api('POST', `/api/v1/jobs/${id}/cancel`, {}, headers);
    if (action === 'confirm') return api('POST', `/api/v1/jobs/${id}/confirm`, {}, headers);
    if (action === 'after') return api('POST', `/api/v1/jobs/${id}/resume`, { afterSerial: detail }, headers);
    if (action === 'resume') return api('POST', `/api/v1/jobs/${id}/reprint`, { from: Number(detail) }, headers);
    return api('POST', `/api/v1/jobs/${id}/reprint`, { from: Number($('.a', card).value), to: Number($('.b', card).value) }, headers);
  };
  try {
    try {
      await run();
    } catch (err) {
      if (err.status !== 403) throw err;
      const pin = window.prompt(`${err.message}\nAdmin PIN:`);
      if (!pin) return;
      await run({ 'x-admin-pin': pin });
    }
    toast(action === 'cancel' ? 'Cancelled.' : action === 'confirm' ? 'Marked as printed.' : 'Queued.');
  } catch (err) {
    toast(err.message, true);
  } finally {
    document.activeElement?.blur?.();
    refreshJobs();
  }
}

$('#jobs')?.addEventListener('click', (e) => {
  const button = e.target.closest('button[data-job-action]');
  if (!button) return;
  button.disabled = true;
  jobAction(button.closest('[data-job]'), button.dataset.jobAction, button.dataset.from).finally(() => (button.disabled = false));
});

$('#jobs')?.addEventListener('submit', (e) => {
  const form = e.target.closest('form[data-job-form]');
  if (!form) return;
  e.preventDefault();
  const field = $('input.after', form);
  const code = field.value.trim();
  if (!code) return field.focus();
  field.value = '';
  jobAction(form.closest('[data-job]'), 'after', code);
});

// --- Live: printers, jobs, GoldLeaf; reconnects by itself after a station restart ---
function showPrinter(p) {
  const chip = document.querySelector(`[data-printer="${CSS.escape(p.id)}"].printer`);
  if (!chip) return;
  chip.className = `printer s-${p.state}`;
  chip.title = p.detail ?? '';
  $('.state', chip).textContent = p.state.replace('-', ' ');
}

async function refreshStatus() {
  try {
    const status = await api('GET', '/api/v1/status');
    status.printers.forEach(showPrinter);
    const banner = await fetch('/kiosk/banner');
    if (banner.ok) $('#banner').innerHTML = await banner.text();
  } catch {
    // offline banner covers it
  }
}

let offlineTimer;
function connect() {
  const events = new EventSource('/api/v1/events');
  events.onopen = () => {
    clearTimeout(offlineTimer);
    $('#offline').hidden = true;
    refreshJobs();
    refreshStatus();
  };
  events.onerror = () => {
    clearTimeout(offlineTimer);
    offlineTimer = setTimeout(() => ($('#offline').hidden = false), 1500);
  };
  events.addEventListener('job.changed', () => refreshJobs());
  events.addEventListener('job.progress', (e) => {
    const { job } = JSON.parse(e.data);
    const el = document.querySelector(`[data-progress="${job.id}"]`);
    if (el) el.textContent = progressText({ ...job, state: 'printing' });
    else refreshJobs();
  });
  events.addEventListener('printer.changed', (e) => showPrinter(JSON.parse(e.data).printer));
  events.addEventListener('sync.completed', refreshStatus);
  events.addEventListener('sync.failed', refreshStatus);
}

connect();
refreshJobs();
setInterval(refreshStatus, 10_000);
if (location.hash) document.querySelector(location.hash)?.scrollIntoView({ block: 'start' });
