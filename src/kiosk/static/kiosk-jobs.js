// benchprint kiosk: the jobs panel: one line while all is well, the jobs' progress, and the cards of jobs that need
// the operator (resume after the last tag scanned, a range, all came out, cancel).
import { $, api, esc, toast } from './kiosk-common.js';

/** Told of each job the panel reads (the page's buttons follow their own jobs). */
let news = () => {};
export function onJobNews(tell) {
  news = tell;
}

export const words = { queued: 'waiting', printing: 'printing', done: 'done', sent: 'sent, not confirmed', failed: 'failed', 'needs-attention': 'needs attention', cancelled: 'cancelled', expired: 'expired' };

/** A printer by the name the printers strip shows (kept current as printers are set up), its id only once it is gone. */
function printerName(id) {
  return document.querySelector(`[data-printer="${CSS.escape(id)}"].printer b`)?.textContent || id;
}

/**
 * "7 of 12": labels the printer confirmed; where it says fewer have come out yet, how many printed and how many it
 * still holds ("· 2 printed, 3 in the printer": a Zebra out of labels keeps them and prints them once loaded).
 */
export function progressText(j) {
  const shown = j.state === 'sent' ? j.partsSent : j.partsConfirmed;
  // Only while the printer still has them: a job answered by the operator (failed, resumed elsewhere) says no more.
  const held = (j.state === 'done' || j.state === 'printing') && j.partsPrinted !== undefined && j.partsPrinted < shown;
  const printed = held ? ` · ${j.partsPrinted} printed, ${shown - j.partsPrinted} in the printer` : '';
  return `${shown} of ${j.partsTotal}${printed}`;
}

function attentionCard(j, what) {
  const choices = (j.resume ?? [])
    .map((c) => `<button data-job-action="resume" data-from="${c.from}" title="if ${esc(c.when)}">${esc(c.label)}<small>&nbsp;if ${esc(c.when)}</small></button>`)
    .join('');
  const scanRow = j.partsTotal > 1
    ? `<form class="lasttag" data-job-form="after"><label>Last tag that came out <input class="after" data-scan-target autocomplete="off" placeholder="scan it here" aria-label="Scan the last tag that came out"></label><button>Go on after it</button></form>`
    : '';
  return `<div class="job attention" data-job="${j.id}"><div><b>${what}</b> on ${esc(printerName(j.printerId))} · <span class="badge s-needs-attention">needs attention</span></div>
<p>${esc(j.attention)}</p>
${scanRow}
<div class="choices">${choices}<button data-job-action="confirm" class="secondary">All came out</button>
<label>Reprint <input type="number" class="a" min="1" max="${j.partsTotal}" value="1" inputmode="numeric"> to <input type="number" class="b" min="1" max="${j.partsTotal}" value="${j.partsTotal}" inputmode="numeric"></label><button data-job-action="range" class="secondary">Reprint range</button>
<button data-job-action="cancel" class="danger">Cancel</button></div></div>`;
}

function jobCard(j) {
  const what = esc(j.title);
  if (j.state === 'needs-attention') return attentionCard(j, what);
  const progress = `<span class="progress" data-progress="${j.id}">${progressText(j)}</span>`;
  // A printing job's printer has its labels and waits for a person (out of paper): they print once that is put right;
  // or it prints other jobs first (a CUPS queue shared with the office): nobody needs to do anything.
  const then = j.waitingTurn ? '; the printer has this job and prints it after them.' : ': the printer has this job and prints it once that is put right.';
  const waiting = !j.waitingReason ? '' : j.state === 'queued' ? `<div class="waiting">${esc(j.waitingReason)}</div>` : j.state === 'printing' ? `<div class="waiting">${esc(j.waitingReason)}${then}</div>` : '';
  return `<div class="job s-${j.state}" data-job="${j.id}"><b>${what}</b> on ${esc(printerName(j.printerId))} · <span class="badge s-${j.state}">${words[j.state]}</span> ${progress}${j.state === 'queued' ? ' <button data-job-action="cancel" class="secondary">Cancel</button>' : ''}${waiting}</div>`;
}

// The panel: one line when all is well ("Jobs · 2 printing"), open by itself when a job needs the operator; it never
// covers the work (the page keeps room for it below the last button).
let panelOpen;
function panelSummary(shown) {
  const count = (state) => shown.filter((j) => j.state === state).length;
  const parts = [
    count('printing') && `${count('printing')} printing`,
    count('queued') && `${count('queued')} waiting`,
    count('needs-attention') && `${count('needs-attention')} need${count('needs-attention') === 1 ? 's' : ''} attention`,
  ].filter(Boolean);
  // Why a job does not come out (a printer out of paper) shows on the closed panel too.
  const why = shown.find((j) => ['queued', 'printing'].includes(j.state) && j.waitingReason)?.waitingReason;
  return `Jobs · ${parts.length ? parts.join(' · ') : `${shown.length} recent`}${why ? ` · ${why}` : ''}`;
}

export function fitPanel() {
  const panel = $('#jobs');
  document.documentElement.style.setProperty('--jobs-height', `${panel && !panel.hidden ? panel.offsetHeight : 0}px`);
}

export async function refreshJobs() {
  const panel = $('#jobs');
  if (!panel) return;
  try {
    const { items } = await api('GET', '/api/v1/jobs?limit=40');
    const recent = Date.now() - 10 * 60_000;
    const shown = items.filter((j) => ['queued', 'printing', 'needs-attention'].includes(j.state) || (Date.parse(j.updatedAt) > recent && ['done', 'sent', 'failed', 'expired'].includes(j.state))).slice(0, 8);
    for (const j of items) news(j);
    // Typing in a card (a tag being scanned, a range) must not be wiped by a refresh.
    const typing = panel.contains(document.activeElement) && document.activeElement.matches('input');
    if (typing) return;
    panel.hidden = shown.length === 0;
    const attention = shown.some((j) => j.state === 'needs-attention');
    const open = panelOpen ?? attention;
    panel.innerHTML = `<button id="jobs-toggle" class="secondary" aria-expanded="${open}"><span class="sum">${esc(panelSummary(shown))}</span><span aria-hidden="true">${open ? '▾' : '▴'}</span></button>${open ? `<div class="jobs-list">${shown.map(jobCard).join('')}</div>` : ''}`;
    fitPanel();
    // A job that needs attention takes the scanner: the next tag scanned says where the labels stopped.
    const field = panel.querySelector('.attention input.after');
    const busyTyping = document.activeElement?.matches?.('input, select, textarea') && document.activeElement !== $('#scan');
    if (field && !busyTyping) field.focus();
  } catch {
    // the connection banner says it
  }
}

/**
 * What came of a resume or a reprint, in the station's own numbers: the labels queued and where ("Labels 3 to 4
 * queued on Tag printer."), or the job closed as printed (the tag scanned was its last).
 */
function queuedWords(id, job) {
  if (!job || job.id === id) return 'Marked as printed: that was its last tag.';
  const first = job.firstPart ?? 1;
  const last = first + job.partsTotal - 1;
  const which = job.partsTotal === 1 ? `Label ${first}` : `Labels ${first} to ${last}`;
  return `${which} queued on ${printerName(job.printerId)}.`;
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
    let answer;
    try {
      answer = await run();
    } catch (err) {
      if (err.status !== 403) throw err;
      const pin = window.prompt(`${err.message}\nAdmin PIN:`);
      if (!pin) return;
      answer = await run({ 'x-admin-pin': pin });
    }
    toast(action === 'cancel' ? 'Cancelled.' : action === 'confirm' ? 'Marked as printed.' : queuedWords(id, answer));
  } catch (err) {
    toast(err.message, true);
  } finally {
    document.activeElement?.blur?.();
    refreshJobs();
  }
}

$('#jobs')?.addEventListener('click', (e) => {
  if (e.target.closest('#jobs-toggle')) {
    panelOpen = $('#jobs-toggle').getAttribute('aria-expanded') !== 'true';
    return refreshJobs();
  }
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
