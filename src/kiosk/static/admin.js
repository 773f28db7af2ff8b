// benchprint kiosk admin area: what its pages share. The admin PIN is asked on the first admin page and sent with
// each request; it carries over to the next admin page of the same tab (a template copied opens in the designer, the
// designer goes back to the list) for 5 minutes after its last use, and is forgotten as soon as a page that is not an
// admin page opens. Requests and errors in plain words. No build step, nothing from the internet.
'use strict';
(() => {
  const $ = (sel, root = document) => root.querySelector(sel);
  const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const KEPT = 'benchprint.adminPin';
  const KEEP_MS = 5 * 60_000;
  let pin;

  /** The PIN entered on an earlier admin page of this tab, if it was used within the last 5 minutes. */
  function keptPin() {
    try {
      const kept = JSON.parse(sessionStorage.getItem(KEPT) ?? 'null');
      if (kept && typeof kept.pin === 'string' && kept.until > Date.now()) return kept.pin;
    } catch {
      // unreadable: asked again
    }
    sessionStorage.removeItem(KEPT);
    return undefined;
  }
  const keepPin = () => pin && sessionStorage.setItem(KEPT, JSON.stringify({ pin, until: Date.now() + KEEP_MS }));

  async function api(method, path, body, { blob = false } = {}) {
    const res = await fetch(path, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(pin ? { 'x-admin-pin': pin } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (res.status === 401 || res.status === 403) sessionStorage.removeItem(KEPT);
    else keepPin();
    if (!res.ok) {
      const data = res.headers.get('content-type')?.includes('json') ? await res.json() : undefined;
      const err = new Error(data?.error?.message ?? `The station answered ${res.status}.`);
      err.status = res.status;
      err.code = data?.error?.code;
      err.details = data?.error?.details;
      throw err;
    }
    if (blob) return res.blob();
    return res.headers.get('content-type')?.includes('json') ? res.json() : undefined;
  }

  /**
   * Asks for the admin PIN and checks it before anything is shown; resolves once it is right. A PIN kept from the
   * tab's last admin page is checked first, without asking.
   */
  async function askPin(title) {
    pin = keptPin();
    if (pin) {
      try {
        await api('GET', '/api/v1/admin/check');
        return;
      } catch {
        pin = undefined; // changed meanwhile, or locked: asked for
      }
    }
    return new Promise((resolve) => {
      const dialog = document.createElement('div');
      dialog.className = 'pin-dialog';
      dialog.innerHTML = `<form><h2>${esc(title)}</h2><p>Enter the admin PIN.</p><input id="pin" type="password" inputmode="numeric" autocomplete="off" aria-label="Admin PIN"><button>Open</button><p class="bad" id="pin-error"></p></form>`;
      document.body.append(dialog);
      $('#pin').focus();
      $('form', dialog).addEventListener('submit', async (e) => {
        e.preventDefault();
        pin = $('#pin').value;
        try {
          await api('GET', '/api/v1/admin/check');
          dialog.remove();
          resolve();
        } catch (err) {
          pin = undefined;
          $('#pin-error').textContent = err.message;
          $('#pin').value = '';
        }
      });
    });
  }

  /** Reads a file the person chose as base64 (for the JSON API). */
  async function base64Of(file) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  }

  window.benchprintAdmin = { $, esc, api, askPin, base64Of };
})();
