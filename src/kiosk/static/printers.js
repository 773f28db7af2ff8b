// benchprint kiosk: printers set up from the bench (admin PIN). Add, change, disable, remove; find printers announced
// on the network or by scanning a subnet; test print; calibrate, darkness and speed for ZPL printers. Every change is
// checked by the station as the config file is, and said in plain words.
'use strict';
(() => {
  const { $, esc, api, askPin } = window.benchprintAdmin;
  let data = { items: [], drivers: [], subnets: [] };

  function say(text, bad = false) {
    const box = $('#p-status');
    box.textContent = text;
    box.className = bad ? 'banner bad' : text ? 'banner ok' : '';
  }

  async function load() {
    data = await api('GET', '/api/v1/admin/printers');
    if (!$('#p-subnet').value && data.subnets[0]) $('#p-subnet').value = data.subnets[0];
    draw();
  }

  /** After a change: the list is read again first, so what is said and what the rows show agree. */
  async function sayAfterLoad(text) {
    try {
      await load();
      say(text);
    } catch (err) {
      say(`${text} The list could not be read again: ${err.message}`, true);
    }
  }

  function draw() {
    $('#p-list tbody').innerHTML = data.items
      .map((p) => {
        const zpl = p.setupActions.length > 0;
        const listen = p.listener ? `<div class="small">Takes print data on ${esc(p.listener.address)}:${esc(p.listener.port)} from ${esc((p.settings.listen?.allow ?? []).join(', '))}${p.listener.problem ? ` — <b class="bad">${esc(p.listener.problem)}</b>` : ''} · ${p.listener.jobs} jobs, ${p.listener.refused} refused${p.listener.recent[0] ? ` · last: ${esc(p.listener.recent[0].what)}` : ''}</div>` : '';
        return `<tr data-printer="${esc(p.id)}">
<td><b>${esc(p.name)}</b><div class="small">${esc(p.id)} · ${esc(p.driver)} · ${esc(p.uri)}</div>${stockLine(p)}${forLine(p)}${listen}</td>
<td><span class="badge s-${esc(p.state)}">${esc(p.state.replace('-', ' '))}</span><div class="small">${esc(p.detail ?? '')}${p.openJobs ? ` · ${p.openJobs} open job${p.openJobs === 1 ? '' : 's'}` : ''}</div></td>
<td>${esc(p.source)}</td>
<td class="actions">
  <button class="secondary" data-do="edit">Edit</button>
  <button class="secondary" data-do="test">Test print</button>
  ${zpl ? '<button class="secondary" data-do="identify">Ask it</button><button class="secondary" data-do="calibrate">Calibrate</button><button class="secondary" data-do="darkness">Darkness</button><button class="secondary" data-do="speed">Speed</button>' : ''}
  ${p.disabled ? '<button data-do="enable">Enable</button>' : '<button class="secondary" data-do="disable">Disable</button>'}
  <button class="danger" data-do="remove">Remove</button>
</td></tr>`;
      })
      .join('');
  }

  /** What a printer can be set to be for (its entry's `for`), in the form's words. */
  const USES = [
    ['labels', 'Tags and labels'],
    ['datasheets', 'Datasheets'],
    ['traveler', 'Travelers'],
    ['marken', 'Marken files'],
    ['pts', 'PTS files'],
    ['goldleaf-labels', "GoldLeaf's labels"],
  ];

  /** What it has loaded, and who says so: labels and pages go only to a printer whose stock takes them. */
  function stockLine(p) {
    if (!p.stock) return '<div class="small">Loaded: not set (takes any label size)</div>';
    const sizes = p.stock.sizes.map((s) => `${Math.round(s.widthMm * 10) / 10} × ${Math.round(s.heightMm * 10) / 10} mm`).join(' or ');
    return `<div class="small">Loaded: ${esc(sizes)} (${p.stock.from === 'config' ? 'as set for it' : 'as the printer says'})</div>`;
  }

  /** What it is set to be for, when not for everything. */
  function forLine(p) {
    return p.for ? `<div class="small">For: ${esc(p.for.map((u) => USES.find(([k]) => k === u)?.[1] ?? u).join(', '))}</div>` : '';
  }

  // ---------- the form: one printer's settings, the driver's options drawn from its schema ----------
  function optionInputs(driver, values) {
    const schema = data.drivers.find((d) => d.name === driver)?.options;
    const props = schema?.properties ?? {};
    return Object.entries(props)
      .map(([key, s]) => {
        const value = values?.[key] ?? s.default;
        const id = `opt-${key}`;
        const label = `<span title="${esc(s.description ?? '')}">${esc(key)}</span>`;
        if (s.type === 'boolean') return `<label>${label}<input type="checkbox" id="${id}" data-opt="${esc(key)}" data-kind="boolean" ${value ? 'checked' : ''}></label>`;
        if (s.enum) return `<label>${label}<select id="${id}" data-opt="${esc(key)}" data-kind="enum">${s.enum.map((v) => `<option ${v === value ? 'selected' : ''}>${esc(v)}</option>`).join('')}</select></label>`;
        if (s.type === 'array' && s.items?.enum) {
          return `<fieldset data-opt="${esc(key)}" data-kind="set"><legend>${label}</legend>${s.items.enum.map((v) => `<label><input type="checkbox" value="${esc(v)}" ${(value ?? []).includes(v) ? 'checked' : ''}> ${esc(v)}</label>`).join(' ')}</fieldset>`;
        }
        if (s.type === 'integer' || s.type === 'number') return `<label>${label}<input type="number" id="${id}" data-opt="${esc(key)}" data-kind="number" value="${esc(value ?? '')}" min="${esc(s.minimum ?? '')}" max="${esc(s.maximum ?? '')}"></label>`;
        return `<label>${label}<input id="${id}" data-opt="${esc(key)}" data-kind="string" value="${esc(value ?? '')}"></label>`;
      })
      .join('');
  }

  function openForm(existing, suggested = {}) {
    const p = existing?.settings ?? { driver: suggested.driver ?? 'zpl', uri: suggested.uri ?? 'tcp://', dpmm: suggested.dpmm ?? 8, name: suggested.name ?? '', id: suggested.id ?? '', options: {} };
    const listen = p.listen;
    $('#p-form').innerHTML = `<form class="pform notice" id="pform">
<h2>${existing ? `Change ${esc(existing.name)}` : 'Add a printer'}</h2>
<div class="pgrid">
<label>Id <input id="f-id" value="${esc(p.id)}" ${existing ? 'readonly' : ''} placeholder="tags" required></label>
<label>Name <input id="f-name" value="${esc(p.name ?? '')}" placeholder="Tag printer (Zebra ZD421)"></label>
<label>Driver <select id="f-driver">${data.drivers.map((d) => `<option value="${esc(d.name)}" ${d.name === p.driver ? 'selected' : ''} title="${esc(d.description)}">${esc(d.name)}</option>`).join('')}</select></label>
<label>Address <input id="f-uri" value="${esc(p.uri)}" placeholder="tcp://192.168.1.50:9100"></label>
<label>Resolution <select id="f-dpmm">${[8, 12, 24].map((d) => `<option value="${d}" ${Number(p.dpmm ?? 8) === d ? 'selected' : ''}>${Math.round(d * 25.4)} dpi</option>`).join('')}</select></label>
<label>Label width (mm) <input id="f-mw" type="number" step="0.5" value="${esc(p.media?.widthMm ?? '')}" placeholder="76"></label>
<label>Label length (mm) <input id="f-mh" type="number" step="0.5" value="${esc(p.media?.heightMm ?? '')}" placeholder="25"></label>
</div>
<div class="pgrid"><fieldset id="f-for"><legend>For (none ticked: anything it takes)</legend>${USES.map(([use, words]) => `<label><input type="checkbox" value="${use}" ${(p.for ?? []).includes(use) ? 'checked' : ''}> ${words}</label>`).join(' ')}</fieldset></div>
<h3>Driver options</h3><div class="pgrid" id="f-options">${optionInputs(p.driver, p.options)}</div>
<h3><label><input type="checkbox" id="f-listen" ${listen ? 'checked' : ''}> Take print data for it from the LAN (raw port, like a printer's 9100)</label></h3>
<div class="pgrid" id="f-listen-box" ${listen ? '' : 'hidden'}>
<label>On this PC's address <input id="f-laddr" value="${esc(listen?.address ?? '')}" placeholder="192.168.1.20"></label>
<label>Port <input id="f-lport" type="number" value="${esc(listen?.port ?? 9101)}"></label>
<label>Only from <input id="f-lallow" value="${esc((listen?.allow ?? []).join(', '))}" placeholder="192.168.1.0/24"></label>
<label>At most (MB) <input id="f-lmax" type="number" step="1" value="${esc(Math.round((listen?.maxBytes ?? 8388608) / 1048576))}"></label>
<label>Commands that change the printer <select id="f-lforeign"><option value="strip" ${listen?.foreign !== 'refuse' ? 'selected' : ''}>take them out, print the rest</option><option value="refuse" ${listen?.foreign === 'refuse' ? 'selected' : ''}>refuse the whole job</option></select></label>
</div>
<div class="woactions"><button id="f-save">${existing ? 'Save' : 'Add'}</button><button type="button" class="secondary" id="f-cancel">Cancel</button></div>
<p id="f-error" class="bad" role="alert"></p>
</form>`;
    $('#f-driver').addEventListener('change', (e) => ($('#f-options').innerHTML = optionInputs(e.target.value, {})));
    $('#f-listen').addEventListener('change', (e) => ($('#f-listen-box').hidden = !e.target.checked));
    $('#f-cancel').addEventListener('click', () => ($('#p-form').innerHTML = ''));
    $('#pform').addEventListener('submit', async (e) => {
      e.preventDefault();
      const entry = readForm();
      let saved;
      try {
        saved = existing ? await api('POST', `/api/v1/admin/printers/${encodeURIComponent(existing.id)}`, { printer: entry }) : await api('POST', '/api/v1/admin/printers', { printer: entry });
        $('#p-form').innerHTML = '';
      } catch (err) {
        $('#f-error').textContent = err.message;
        return;
      }
      await sayAfterLoad(`${saved.name}: ${existing ? 'changed' : 'added'}. ${saved.detail ?? ''}`);
    });
    $('#p-form').scrollIntoView({ block: 'start' });
    $('#f-id').focus();
  }

  function readForm() {
    const options = {};
    for (const el of document.querySelectorAll('#f-options [data-opt]')) {
      const key = el.dataset.opt;
      if (el.dataset.kind === 'boolean') options[key] = el.checked;
      else if (el.dataset.kind === 'number') {
        if (el.value !== '') options[key] = Number(el.value);
      } else if (el.dataset.kind === 'set') options[key] = [...el.querySelectorAll('input:checked')].map((i) => i.value);
      else if (el.value !== '') options[key] = el.value;
    }
    const w = $('#f-mw').value;
    const h = $('#f-mh').value;
    const uses = [...document.querySelectorAll('#f-for input:checked')].map((i) => i.value);
    return {
      id: $('#f-id').value.trim(),
      ...($('#f-name').value.trim() ? { name: $('#f-name').value.trim() } : {}),
      driver: $('#f-driver').value,
      uri: $('#f-uri').value.trim(),
      dpmm: Number($('#f-dpmm').value),
      ...(w && h ? { media: { widthMm: Number(w), heightMm: Number(h) } } : {}),
      ...(uses.length ? { for: uses } : {}),
      options,
      ...($('#f-listen').checked
        ? {
            listen: {
              address: $('#f-laddr').value.trim(),
              port: Number($('#f-lport').value),
              allow: $('#f-lallow').value.split(/[\s,]+/).filter(Boolean),
              maxBytes: Math.round(Number($('#f-lmax').value) * 1048576),
              foreign: $('#f-lforeign').value,
            },
          }
        : {}),
    };
  }

  // ---------- finding printers ----------
  function showFound(found, heading) {
    $('#p-found').innerHTML = `<div class="notice"><h2>${esc(heading)}</h2>${
      found.length
        ? `<table class="list">${found
            .map(
              (f, i) =>
                `<tr><td><b>${esc(f.model ?? f.name)}</b><div class="small">${esc(f.uri)}${f.firmware ? ` · firmware ${esc(f.firmware)}` : ''}${f.dpmm ? ` · ${Math.round(f.dpmm * 25.4)} dpi` : ''}</div></td><td>${esc(f.detail ?? '')}</td><td>${f.known ? `already here as ${esc(f.known)}` : `<button data-found="${i}">Add it</button>`}</td></tr>`,
            )
            .join('')}</table>`
        : '<p>Nothing found.</p>'
    }</div>`;
    $('#p-found').onclick = (e) => {
      const b = e.target.closest('[data-found]');
      if (!b) return;
      const f = found[Number(b.dataset.found)];
      const id = (f.model ?? f.name).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 24) || 'printer';
      openForm(undefined, { driver: f.driver, uri: f.uri, dpmm: f.dpmm, name: f.model ?? f.name, id });
    };
  }

  async function browse() {
    say('Asking the network for announced printers…');
    try {
      const { found } = await api('POST', '/api/v1/admin/discovery', { method: 'dns-sd' });
      say('');
      showFound(found, `Announced on the network: ${found.length}`);
    } catch (err) {
      say(err.message, true);
    }
  }

  async function scan(subnet) {
    try {
      let progress = await api('POST', '/api/v1/admin/discovery', { method: 'scan', subnet });
      while (!progress.done) {
        $('#p-found').innerHTML = `<div class="notice"><h2>Scanning ${esc(progress.subnet)}</h2><progress max="${progress.total || 1}" value="${progress.checked}"></progress> <span id="scan-count">${progress.checked} of ${progress.total} addresses checked, ${progress.found.length} found</span></div>`;
        await new Promise((r) => setTimeout(r, 400));
        progress = await api('GET', `/api/v1/admin/discovery/${progress.id}`);
      }
      showFound(progress.found, `${progress.subnet}: ${progress.found.length} found${progress.stopped ? ` (${progress.stopped})` : ''}`);
    } catch (err) {
      say(err.message, true);
    }
  }

  // ---------- actions on one printer ----------
  async function act(id, what) {
    const p = data.items.find((i) => i.id === id);
    try {
      if (what === 'edit') return openForm(p);
      if (what === 'test') {
        say(`Printing a test page on ${p.name}…`);
        const r = await api('POST', `/api/v1/printers/${encodeURIComponent(id)}/test-print`, {});
        return say(`${p.name}: test page ${r.job.state === 'done' ? 'printed' : r.job.state}${r.job.waitingReason ? ` — ${r.job.waitingReason}` : ''}${r.job.error ? ` — ${r.job.error}` : ''}.`, r.job.state !== 'done');
      }
      if (['identify', 'calibrate', 'darkness', 'speed'].includes(what)) {
        const body = { action: what };
        if (what === 'darkness' || what === 'speed') {
          const value = window.prompt(what === 'darkness' ? `Darkness for ${p.name} (0 to 30):` : `Print speed for ${p.name} (inches a second, 1 to 14):`);
          if (!value) return;
          body.value = Number(value);
        }
        say(what === 'calibrate' ? `${p.name} is measuring its labels…` : `Asking ${p.name}…`);
        const r = await api('POST', `/api/v1/admin/printers/${encodeURIComponent(id)}/setup`, body);
        return say(`${p.name}: ${r.said}`);
      }
      let done;
      if (what === 'disable') {
        const reason = window.prompt(`Why is ${p.name} disabled? (its waiting jobs say so)`, 'out of service');
        if (reason === null) return;
        await api('POST', `/api/v1/admin/printers/${encodeURIComponent(id)}/enabled`, { enabled: false, reason });
        done = `${p.name} is disabled: its jobs wait; new ones are refused.`;
      }
      if (what === 'enable') {
        await api('POST', `/api/v1/admin/printers/${encodeURIComponent(id)}/enabled`, { enabled: true });
        done = `${p.name} is enabled: its waiting jobs print.`;
      }
      if (what === 'remove') {
        if (!window.confirm(`Remove ${p.name}? ${p.source === 'added here' ? '' : 'It comes from the config file: it stays out until added again.'}`)) return;
        await api('POST', `/api/v1/admin/printers/${encodeURIComponent(id)}/remove`, { confirm: id });
        done = `${p.name} was removed.`;
      }
      if (done) return sayAfterLoad(done);
    } catch (err) {
      say(err.message, true);
    }
  }

  (async () => {
    await askPin('Printers');
    await load();
    $('#p-add').addEventListener('click', () => openForm());
    $('#p-browse').addEventListener('click', browse);
    $('#p-scan').addEventListener('submit', (e) => {
      e.preventDefault();
      void scan($('#p-subnet').value.trim());
    });
    $('#p-list').addEventListener('click', (e) => {
      const b = e.target.closest('[data-do]');
      if (b) void act(b.closest('[data-printer]').dataset.printer, b.dataset.do);
    });
  })();
})();
