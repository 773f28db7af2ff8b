// benchprint kiosk: what its scripts share: finding and escaping, the station's API, a toast, a question on the page
// with buttons a gloved finger hits, and times as the shop reads them.

export const $ = (sel, root = document) => root.querySelector(sel);
export const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
export const newKey = () => (globalThis.crypto && crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`);

export function toast(text, bad = false) {
  const t = $('#toast');
  t.textContent = text;
  t.className = bad ? 'bad' : 'ok';
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (t.hidden = true), bad ? 9000 : 4000);
}

export async function api(method, path, body, headers = {}) {
  const res = await fetch(path, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const data = res.headers.get('content-type')?.includes('json') ? await res.json() : undefined;
  if (!res.ok) {
    // The kiosk's session is gone (a new station key, a cleared browser): opening the page again gives a new one.
    if (res.status === 401 && !sessionStorage.getItem('bp-reloaded')) {
      sessionStorage.setItem('bp-reloaded', '1');
      location.reload();
    }
    const err = new Error(data?.error?.message ?? `The station answered ${res.status}.`);
    err.code = data?.error?.code;
    err.status = res.status;
    throw err;
  }
  sessionStorage.removeItem('bp-reloaded');
  return data;
}

// Times as the shop reads them: in the zone the station's configuration names, else this browser's own (the bench PC's).
const timeZone = document.body.dataset.tz || undefined;
export const clock = (iso, seconds = true) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', ...(seconds ? { second: '2-digit' } : {}), hourCycle: 'h23', timeZone });

/**
 * A question on the page itself, with buttons as big as the rest (the browser's own box has small ones, hard to hit
 * with gloves). Resolves true for yes; no, Escape or a tap beside it is no. A scan meanwhile is left to the page.
 */
export function ask(text, yes) {
  return new Promise((resolve) => {
    const box = document.createElement('div');
    box.className = 'ask';
    box.id = 'ask';
    box.setAttribute('role', 'alertdialog');
    box.setAttribute('aria-modal', 'true');
    box.innerHTML = `<div class="ask-box"><p class="ask-text">${esc(text)}</p><div class="ask-choices"><button class="secondary" data-answer="no">No, leave it</button><button data-answer="yes">${esc(yes)}</button></div></div>`;
    const done = (answer) => {
      box.remove();
      document.removeEventListener('keydown', onKey, true);
      resolve(answer);
    };
    const onKey = (e) => {
      if (e.key === 'Escape') done(false);
    };
    box.addEventListener('click', (e) => {
      e.stopPropagation();
      const b = e.target.closest('[data-answer]');
      if (b) done(b.dataset.answer === 'yes');
      else if (e.target === box) done(false);
    });
    document.addEventListener('keydown', onKey, true);
    document.body.append(box);
    $('[data-answer="no"]', box).focus();
  });
}
