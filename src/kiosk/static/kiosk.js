// benchprint kiosk: scan anywhere, print with one tap (a double tap prints once), live printers and jobs. Its parts:
// kiosk-common.js (what they share), kiosk-jobs.js (the jobs panel), kiosk-lines.js (what the lines have printed),
// kiosk-strip.js (the printers' and the ledger's chips).
import { $, api, ask, clock, newKey, toast } from './kiosk-common.js';
import { fitPanel, onJobNews, progressText, refreshJobs, words } from './kiosk-jobs.js';
import { refreshTags } from './kiosk-lines.js';
import { refreshStatus, showPrinter } from './kiosk-strip.js';

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
  // A number the station does not know is asked of GoldLeaf (released a moment ago?), which can take a few seconds.
  const asking = setTimeout(() => toast(`Looking for ${text} in GoldLeaf…`), 700);
  try {
    const { location: where } = await api('GET', `/kiosk/resolve?code=${encodeURIComponent(text)}`);
    window.location.href = where;
  } catch (err) {
    clearTimeout(asking);
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
    // The rest of the line's tags, numbered on from the last made; more than that is a new set from 1.
    const from = restOf(box, quantity);
    // The printer goes with the label chosen: the one whose stock takes it.
    const chosen = $('.template', box).selectedOptions[0];
    const printer = chosen?.dataset.printer ?? button.dataset.printer;
    return [['POST', '/api/v1/jobs', { kind: 'labels', printer, workOrder: wo, line, template: chosen?.value, quantity, ...(from ? { from } : {}) }]];
  }
  if (action === 'document') {
    return [['POST', '/api/v1/jobs', { kind: 'document', printer: button.dataset.printer, workOrder: wo, document: button.dataset.document, ...(line === undefined ? {} : { line }) }]];
  }
  if (action === 'reprint') {
    const part = Number(button.dataset.part);
    return [['POST', `/api/v1/jobs/${button.dataset.job}/reprint`, { from: part, to: Number(button.dataset.to ?? part) }]];
  }
  if (action === 'shop-reprint') {
    return [['POST', '/api/v1/shop/reprint', { bench: button.dataset.bench, job: button.dataset.job, from: 1, to: Number(button.dataset.to), printer: button.dataset.printer }]];
  }
  if (action === 'everything') {
    // A line's tags ("20"), or the rest of them, numbered on ("20:7:18": from 7, 18 of them).
    const lines = (box.dataset.lines || '').split(',').filter(Boolean).map((entry) => entry.split(':').map(Number));
    const list = lines.map(([l, from, quantity]) => ['POST', '/api/v1/jobs', { kind: 'labels', printer: button.dataset.printer, workOrder: wo, line: l, template: 'hose-tag', ...(from ? { from, quantity } : {}) }]);
    if (button.dataset.pdf) list.push(['POST', '/api/v1/jobs', { kind: 'document', printer: button.dataset.pdf, workOrder: wo, document: 'datasheet' }]);
    if (button.dataset.traveler) list.push(['POST', '/api/v1/jobs', { kind: 'document', printer: button.dataset.traveler, workOrder: wo, document: 'traveler' }]);
    return list;
  }
  return [];
}

// --- One press, one job ---
// A print intent (a button with what its fields say now) keeps one idempotency key for every tap until its jobs end or
// the screen changes; meanwhile the button shows their progress and further taps do nothing. The station also returns
// the job it made for the same request moments ago, and then the kiosk asks before printing it again.
const ENDED = ['done', 'sent', 'failed', 'needs-attention', 'cancelled', 'expired'];
const tracked = new Map(); // job id -> { button, state, confirmed, total }

function buttonText(button) {
  const jobs = [...tracked.values()].filter((t) => t.button === button);
  if (!jobs.length) return;
  if (jobs.length === 1) {
    const [j] = jobs;
    button.textContent = j.state === 'printing' ? `Printing ${j.confirmed} of ${j.total}` : j.state === 'queued' ? 'Waiting…' : j.state === 'done' ? `Done ✓ ${j.total} of ${j.total}` : words[j.state];
  } else {
    const done = jobs.filter((j) => ENDED.includes(j.state)).length;
    button.textContent = done === jobs.length ? `Done ✓ ${jobs.length} jobs` : `${done} of ${jobs.length} jobs done`;
  }
  if (jobs.every((j) => ENDED.includes(j.state))) {
    // The intent is over: after a moment the button is ready for a new one (with a new key).
    for (const [id, t] of tracked) if (t.button === button) tracked.delete(id);
    setTimeout(() => rearm(button, true), 2500);
  }
}

/** The button ready for a new press; `ended`: its jobs ended (not refused or cancelled before any was made). */
function rearm(button, ended = false) {
  if ([...tracked.values()].some((t) => t.button === button)) return;
  button.textContent = button.dataset.label ?? button.textContent;
  button.classList.remove('busy');
  delete button.dataset.busy;
  delete button.dataset.key;
  delete button.dataset.intent;
  if (button.closest('.woactions')) refreshTags();
  // A quantity put in for that press has done its work: the field offers the line's own again (the rest, if any).
  const field = ended && button.dataset.action === 'labels' ? $('.qty', button.closest('.actions')) : undefined;
  if (field && document.activeElement !== field) field.value = field.defaultValue;
}

function jobNews(j) {
  const t = tracked.get(j.id);
  if (!t) return;
  if (j.state) t.state = j.state;
  if (j.partsConfirmed !== undefined) t.confirmed = j.partsConfirmed;
  buttonText(t.button);
}

/** The number of the first tag when `quantity` tags are the rest of the line's (none are missing past them). */
function restOf(box, quantity) {
  const from = Number(box.dataset.from);
  return from && quantity <= Number(box.dataset.left) ? from : undefined;
}

/**
 * Tags a line already has are not printed again by a tap alone: new tags carry new serials for the same hoses. The
 * operator is told what the line has and asked; a damaged tag is replaced by scanning it (same serial). Resolves
 * false (do nothing), true (nothing to ask) or 'asked' (asked, and the answer was yes).
 */
function askFirst(button) {
  const action = button.dataset.action;
  const box = button.closest('[data-wo]');
  if (action === 'labels' && box?.dataset.hasTags && !restOf(box, Number($('.qty', box).value))) {
    const quantity = $('.qty', box).value;
    return ask(`Line ${box.dataset.line} has tags already: ${box.dataset.hasTags}.\n\nPrint ${quantity} more, with new serial numbers?\n\nTo replace a damaged tag, scan it instead: it prints again with its own serial.`, `Print ${quantity} more`).then((yes) => yes && 'asked');
  }
  // More tags than the line has hoses (80 typed for 8): a set numbered "1 of 80", asked before it prints.
  const tags = action === 'labels' ? Number($('.qty', box).value) : 0;
  if (box?.dataset.hoses && tags > Number(box.dataset.hoses)) {
    return ask(`Line ${box.dataset.line} is for ${box.dataset.hoses} hoses.\n\nPrint ${tags} tags, numbered 1 to ${tags} of ${tags}?`, `Print ${tags} tags`).then((yes) => yes && 'asked');
  }
  if (action === 'everything' && box?.dataset.again) {
    return ask(`Every line of ${box.dataset.wo} has its tags already (lines ${box.dataset.again}).\n\nPrint all of them again, with new serial numbers, and the datasheet and traveler?`, 'Print everything again').then((yes) => yes && 'asked');
  }
  return Promise.resolve(true);
}

async function press(button, force = false) {
  if (button.dataset.busy) return; // a second (or third) tap while this press is under way
  let requests;
  try {
    requests = requestsFor(button);
  } catch (err) {
    return toast(err.message, true);
  }
  const intent = JSON.stringify(requests);
  if (!force && button.dataset.intent !== intent) {
    button.dataset.busy = '1'; // taps while the question is open do nothing
    const answer = await askFirst(button);
    delete button.dataset.busy;
    if (!answer) return;
    // Asked and answered yes: printing them again is meant, so the station's "you asked for this moments ago" is not.
    if (answer === 'asked') force = true;
  }
  if (button.dataset.intent !== intent || force) {
    button.dataset.intent = intent;
    button.dataset.key = newKey();
  }
  button.dataset.busy = '1';
  button.dataset.label ??= button.textContent;
  button.classList.add('busy');
  button.textContent = 'Sending…';
  try {
    const answers = await send(requests, force, button.dataset.key);
    const made = answers.filter((a) => a.job).map((a) => a.job);
    let refused = answers.find((a) => a.error)?.error;
    const track = (j) => tracked.set(j.id, { button, state: j.state, confirmed: j.partsConfirmed ?? 0, total: j.partsTotal });
    made.filter((j) => !j.duplicate).forEach(track);
    const duplicates = answers.map((a, i) => (a.job?.duplicate && !force ? i : -1)).filter((i) => i >= 0);
    if (duplicates.length) {
      const first = answers[duplicates[0]].job;
      const others = duplicates.length > 1 ? ` (and ${duplicates.length - 1} more of this press)` : '';
      const again = await ask(`${first.title}${others} was asked for at ${clock(first.createdAt)} (${words[first.state]}).\n\nPrint it again?`, 'Print it again');
      // Only what was asked for moments ago is sent again: the rest of this press was made just now.
      if (again) for (const a of await send(duplicates.map((i) => requests[i]), true, newKey())) a.job ? track(a.job) : (refused ??= a.error);
    }
    const tracking = [...tracked.values()].some((t) => t.button === button);
    if (refused) {
      toast(tracking ? `${refused.message} The rest of this press is queued.` : refused.message, true);
      if (refused.code === 'TAGS_ALREADY_MADE') refreshTags();
    }
    if (!tracking) return rearm(button);
    buttonText(button);
    refreshJobs();
  } catch (err) {
    toast(err.message, true);
    rearm(button);
    // Tags this page offered were made meanwhile (another kiosk): show where the line stands now.
    if (err.code === 'TAGS_ALREADY_MADE') refreshTags();
  }
}

/**
 * Sends a press's requests; answers one { job } or { error } each. Several (a work order's tags, datasheet and
 * traveler; all of them new jobs) go as one call: the station makes every one once it has the call, even if this page
 * is left meanwhile (the next work order scanned), and one refused does not stop the others.
 */
async function send(requests, force, key) {
  const bodies = requests.map(([, , body]) => (force ? { ...body, force: true } : body));
  if (requests.length > 1) return (await api('POST', '/api/v1/jobs/batch', { requests: bodies }, { 'idempotency-key': key })).items;
  const [[method, path]] = requests;
  return [{ job: await api(method, path, bodies[0], { 'idempotency-key': `${key}-0` }) }];
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
  // The print button says, and sends to, the printer of the label chosen.
  const chosen = e.target.selectedOptions[0];
  const print = $('[data-action="labels"]', e.target.closest('.actions'));
  if (print && chosen?.dataset.printer) {
    print.dataset.printer = chosen.dataset.printer;
    print.title = `on ${chosen.dataset.printerName}`;
  }
  const img = $('.preview', e.target.closest('.line'));
  if (img) img.src = img.dataset.base.replace('{t}', encodeURIComponent(e.target.value));
});

// --- Live: printers, jobs, GoldLeaf; reconnects by itself after a station restart ---
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
    // An answer other than a stream (the station stopping, a proxy's error page) ends it for good: the browser does
    // not try again by itself, so the kiosk does, until the station is back.
    if (events.readyState === EventSource.CLOSED) setTimeout(connect, 3000);
  };
  // Said at once when the station stops (a restart, an update): nothing sent meanwhile is answered.
  events.addEventListener('station.stopping', () => {
    clearTimeout(offlineTimer);
    $('#offline').hidden = false;
  });
  events.addEventListener('job.changed', (e) => {
    const { job } = JSON.parse(e.data);
    jobNews(job);
    refreshJobs();
    if (job.workOrderNumber && job.workOrderNumber === $('.woactions')?.dataset.wo) refreshTags();
  });
  events.addEventListener('job.progress', (e) => {
    const { job } = JSON.parse(e.data);
    jobNews(job);
    const el = document.querySelector(`[data-progress="${job.id}"]`);
    if (el) el.textContent = progressText({ ...job, state: 'printing' });
    else refreshJobs();
  });
  events.addEventListener('printer.changed', (e) => showPrinter(JSON.parse(e.data).printer));
  events.addEventListener('printers.configured', () => refreshTags(true));
  events.addEventListener('sync.completed', refreshStatus);
  events.addEventListener('sync.failed', refreshStatus);
  events.addEventListener('shop.changed', refreshStatus);
}

// An admin PIN entered on an admin page of this tab is forgotten once the crimper's pages are back (see admin.js).
if (!location.pathname.startsWith('/kiosk/admin')) sessionStorage.removeItem('benchprint.adminPin');
onJobNews(jobNews);
connect();
refreshJobs();
window.addEventListener('resize', fitPanel);
setInterval(refreshStatus, 10_000);
if (location.hash) document.querySelector(location.hash)?.scrollIntoView({ block: 'start' });
