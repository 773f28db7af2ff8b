// benchprint kiosk admin area: what its pages share. The admin PIN is asked once per page, kept in memory only, and
// sent with each request; requests and errors in plain words. No build step, nothing from the internet.
'use strict';
(() => {
  const $ = (sel, root = document) => root.querySelector(sel);
  const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  let pin;

  async function api(method, path, body, { blob = false } = {}) {
    const res = await fetch(path, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(pin ? { 'x-admin-pin': pin } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
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

  /** Asks for the admin PIN and checks it before anything is shown; resolves once it is right. */
  function askPin(title) {
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
