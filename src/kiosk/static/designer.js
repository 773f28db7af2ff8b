// benchprint label designer: templates in the kiosk's admin area. The label is drawn by the station's own engine (the
// preview is the printed label); elements are placed by drag (touch or mouse) or by typing millimetres, snapped to
// printer dots; fields come from a real work-order line. No build step, nothing from the internet.
'use strict';
(() => {
  const { $, esc, api, askPin, base64Of } = window.benchprintAdmin;

  function say(text, bad = false, from = '') {
    const box = $('#dstatus') ?? $('#designer-report');
    if (!box) return;
    box.textContent = text;
    box.className = bad ? 'bad' : 'ok';
    box.dataset.from = from;
    // A refusal is seen where it is said, also after a tap far down the page (a row's Copy at the bottom of the list).
    if (bad) box.scrollIntoView({ block: 'nearest' });
  }

  // ---------- the list of templates ----------
  async function listPage() {
    document.addEventListener('click', async (e) => {
      const copy = e.target.closest('[data-designer="copy"]');
      if (!copy) return;
      // Offered: an id no template in the list has yet (hose-tag-copy, then hose-tag-copy-2, …).
      const taken = new Set([...document.querySelectorAll('tr[data-template]')].map((tr) => tr.dataset.template));
      let offered = `${copy.dataset.id}-copy`;
      for (let n = 2; taken.has(offered); n++) offered = `${copy.dataset.id}-copy-${n}`;
      const to = window.prompt(`Copy "${copy.dataset.id}" as (an id: lower case, digits, dashes):`, offered);
      if (!to) return;
      try {
        await api('POST', `/api/v1/templates/${copy.dataset.id}/copy`, { id: to });
        location.href = `/kiosk/admin/templates/${encodeURIComponent(to)}`;
      } catch (err) {
        say(err.message, true);
      }
    });
    $('#import-file')?.addEventListener('change', async (e) => {
      const file = e.target.files[0];
      if (!file) return;
      try {
        const result = await api('POST', '/api/v1/templates/import', { fileName: file.name, content: await base64Of(file), encoding: 'base64', save: true });
        const id = result.saved.id;
        $('#designer-report').innerHTML = `<div class="notice"><b>Imported ${esc(file.name)} as ${esc(id)}.</b><ul>${result.report.map((r) => `<li>${esc(r)}</li>`).join('')}</ul><a class="button" href="/kiosk/admin/templates/${encodeURIComponent(id)}">Open it</a></div>`;
      } catch (err) {
        say(err.message, true);
      }
      e.target.value = '';
    });
  }

  // ---------- the editor ----------
  const state = { template: undefined, base: undefined, selected: -1, dpmm: 8, fields: [], sample: {}, scale: 8, images: [] };
  const history = { past: [], future: [] };
  const snapshot = () => JSON.stringify(state.template);
  const snap = (mm) => Math.round(mm * state.dpmm) / state.dpmm;
  const round2 = (n) => Math.round(n * 100) / 100;

  const DEFAULTS = {
    text: () => ({ type: 'text', x: 2, y: 2, w: 30, h: 4, size: 3, weight: 'regular', align: 'left', text: 'Text' }),
    code128: () => ({ type: 'barcode', symbology: 'code128', x: 2, y: 8, w: 40, h: 8, data: '{{serial}}', humanReadable: true }),
    datamatrix: () => ({ type: 'barcode', symbology: 'datamatrix', x: 2, y: 2, w: 12, h: 12, data: '{{serial}}' }),
    qr: () => ({ type: 'barcode', symbology: 'qr', x: 2, y: 2, w: 15, h: 15, data: '{{workOrder.number}}' }),
    line: () => ({ type: 'line', x1: 2, y1: 2, x2: 20, y2: 2, thickness: 0.3 }),
    box: () => ({ type: 'box', x: 2, y: 2, w: 20, h: 10, thickness: 0.3, fill: false }),
  };

  /** An element's box on the label (a line: the box around it). */
  function bounds(el) {
    if (el.type === 'line') return { x: Math.min(el.x1, el.x2), y: Math.min(el.y1, el.y2), w: Math.max(0.3, Math.abs(el.x2 - el.x1)), h: Math.max(0.3, Math.abs(el.y2 - el.y1)) };
    return { x: el.x, y: el.y, w: el.w, h: el.h };
  }

  function commit() {
    const now = snapshot();
    if (history.past.at(-1) !== now) {
      history.past.push(now);
      history.future.length = 0;
    }
    draw();
    schedulePreview();
  }

  function restore(text) {
    state.template = JSON.parse(text);
    if (state.selected >= state.template.elements.length) state.selected = -1;
    draw();
    schedulePreview();
  }

  function draw() {
    const t = state.template;
    $('#t-name').value = t.name;
    $('#t-w').value = t.size.widthMm;
    $('#t-h').value = t.size.heightMm;
    $('#t-dpmm').value = String(state.dpmm);
    $('#undo').disabled = history.past.length <= 1;
    $('#redo').disabled = history.future.length === 0;
    const wrap = $('.dcanvas-wrap');
    state.scale = Math.max(2, Math.min((wrap.clientWidth - 8) / t.size.widthMm, (window.innerHeight * 0.55) / t.size.heightMm));
    const canvas = $('#canvas');
    canvas.style.width = `${t.size.widthMm * state.scale}px`;
    canvas.style.height = `${t.size.heightMm * state.scale}px`;
    const overlay = $('#overlay');
    overlay.innerHTML = '';
    if (t.kind !== 'layout') return drawProps();
    t.elements.forEach((el, i) => {
      const div = document.createElement('div');
      div.className = `el el-${el.type}${i === state.selected ? ' selected' : ''}`;
      div.dataset.index = String(i);
      div.title = el.type === 'text' ? el.text : el.type === 'barcode' ? `${el.symbology}: ${el.data}` : el.type;
      place(div, el);
      if (i === state.selected && el.type !== 'line') div.innerHTML = '<span class="grip" data-grip="1" aria-label="Resize"></span>';
      overlay.append(div);
    });
    drawProps();
  }

  function place(div, el) {
    const b = bounds(el);
    Object.assign(div.style, { left: `${b.x * state.scale}px`, top: `${b.y * state.scale}px`, width: `${b.w * state.scale}px`, height: `${b.h * state.scale}px` });
  }

  /** While a finger moves an element: only its box and its numbers change (the page is not rebuilt under the finger). */
  function moved(index) {
    const el = state.template.elements[index];
    const div = $(`#overlay .el[data-index="${index}"]`);
    if (div) place(div, el);
    for (const prop of ['x', 'y', 'w', 'h', 'x1', 'y1', 'x2', 'y2']) {
      const input = $(`#props [data-prop="${prop}"]`);
      if (input && el[prop] !== undefined) input.value = String(el[prop]);
    }
  }

  function field(label, prop, value, attrs = '') {
    return `<label>${label} <input data-prop="${prop}" value="${esc(value)}" ${attrs}></label>`;
  }
  const num = (label, prop, value, step) => field(label, prop, value, `type="number" step="${step ?? 1 / state.dpmm}" inputmode="decimal"`);
  const select = (label, prop, value, options) => `<label>${label} <select data-prop="${prop}">${options.map((o) => `<option ${o === value ? 'selected' : ''}>${o}</option>`).join('')}</select></label>`;
  const check = (label, prop, value) => `<label><input type="checkbox" data-prop="${prop}" ${value ? 'checked' : ''}> ${label}</label>`;

  function fieldPicker(target) {
    return `<label>Insert field <select data-insert="${target}"><option value="">choose…</option>${state.fields.map((f) => `<option value="${esc(f.path)}">${esc(f.path)} = ${esc(String(f.example).slice(0, 30))}</option>`).join('')}</select></label>`;
  }

  function drawProps() {
    const props = $('#props');
    const t = state.template;
    if (t.kind !== 'layout') {
      props.innerHTML = `<p>Raw ZPL design: changed as ZPL; placeholders like {{field}} only inside ^FD.</p><textarea data-prop="zpl" rows="16">${esc(t.zpl ?? '')}</textarea>`;
      return;
    }
    const el = t.elements[state.selected];
    if (!el) {
      props.innerHTML = `<p class="small">Tap an element on the label to change it, or add one. Fields come from ${esc(state.sample.workOrder ?? 'a work order')} line ${esc(state.sample.line ?? '')}.</p>`;
      return;
    }
    const parts = [`<h3>${el.type === 'barcode' ? el.symbology : el.type}</h3>`];
    if (el.type === 'line') parts.push(num('x1', 'x1', el.x1), num('y1', 'y1', el.y1), num('x2', 'x2', el.x2), num('y2', 'y2', el.y2), num('Thickness', 'thickness', el.thickness, 0.05));
    else parts.push(num('x', 'x', el.x), num('y', 'y', el.y), num('Width', 'w', el.w), num('Height', 'h', el.h));
    if (el.type === 'text') {
      parts.push(field('Text', 'text', el.text, 'data-text="1"'), fieldPicker('text'), num('Size (mm)', 'size', el.size, 0.1), select('Weight', 'weight', el.weight ?? 'regular', ['regular', 'bold']), select('Align', 'align', el.align ?? 'left', ['left', 'center', 'right']), num('Lines', 'maxLines', el.maxLines ?? 1, 1), select('Too long', 'overflow', el.overflow ?? 'shrink', ['shrink', 'ellipsis']), select('Rotate', 'rotate', String(el.rotate ?? 0), ['0', '90', '180', '270']));
    }
    if (el.type === 'barcode') {
      parts.push(select('Kind', 'symbology', el.symbology, ['code128', 'gs1-128', 'datamatrix', 'gs1-datamatrix', 'qr']), field('Data', 'data', el.data, 'data-text="1"'), fieldPicker('data'), check('Text under it', 'humanReadable', el.humanReadable), select('Rotate', 'rotate', String(el.rotate ?? 0), ['0', '90', '180', '270']));
    }
    if (el.type === 'box') parts.push(num('Thickness', 'thickness', el.thickness, 0.05), check('Filled', 'fill', el.fill));
    if (el.type === 'image') parts.push(select('Image', 'src', el.src, [...new Set([el.src, ...state.images.map((i) => i.name)])]));
    parts.push(field('Only when', 'when', el.when ?? '', 'placeholder="e.g. assembly.orientationDeg"'), '<button class="danger" data-remove="1">Remove</button>');
    props.innerHTML = parts.join('');
  }

  function setProp(prop, input) {
    const t = state.template;
    if (prop === 'zpl') return void (t.zpl = input.value);
    const el = t.elements[state.selected];
    if (!el) return;
    let value = input.type === 'checkbox' ? input.checked : input.value;
    if (input.type === 'number') value = ['maxLines'].includes(prop) ? Math.max(1, Math.round(Number(value))) : ['size', 'thickness'].includes(prop) ? round2(Number(value)) : snap(Number(value));
    if (prop === 'rotate') value = Number(value);
    if (prop === 'when' && value === '') delete el.when;
    else el[prop] = value;
  }

  let previewTimer;
  let previewSeq = 0;
  let previewUrl;
  let previewWaiting = false;
  /** Whether an edit is still waiting for its picture (for tests and the status line). */
  window.previewPending = () => previewWaiting;
  /** The engine draws the label; asked 120 ms after the last edit, so it is back well within 300 ms. */
  function schedulePreview() {
    clearTimeout(previewTimer);
    previewWaiting = true;
    previewTimer = setTimeout(async () => {
      const seq = ++previewSeq;
      const t = state.template;
      if (t.kind !== 'layout') {
        previewWaiting = false;
        return say('Raw ZPL designs have no preview here: print a test label.');
      }
      try {
        const blob = await api('POST', '/api/v1/templates/preview', { template: { ...t, id: t.id || 'draft' }, ...state.sample, format: 'png', dpmm: state.dpmm }, { blob: true });
        if (seq !== previewSeq) return;
        if (previewUrl) URL.revokeObjectURL(previewUrl);
        previewUrl = URL.createObjectURL(blob);
        const img = $('#preview');
        await new Promise((resolve) => {
          img.onload = img.onerror = resolve;
          img.src = previewUrl;
        });
        img.dataset.seq = String(seq);
        if (seq === previewSeq) previewWaiting = false;
        if ($('#dstatus').dataset.from === 'preview') say('');
      } catch (err) {
        if (seq === previewSeq) {
          previewWaiting = false;
          say(err.message, true, 'preview');
        }
      }
    }, 120);
  }

  // Dragging with a finger or the mouse: one pointer, positions snapped to printer dots.
  function onPointerDown(e) {
    const target = e.target.closest('.el');
    if (!target) {
      state.selected = -1;
      return draw();
    }
    e.preventDefault();
    const index = Number(target.dataset.index);
    const grip = !!e.target.closest('[data-grip]');
    if (state.selected !== index) {
      state.selected = index;
      draw();
    }
    const el = state.template.elements[index];
    const start = { x: e.clientX, y: e.clientY, el: JSON.parse(JSON.stringify(el)) };
    const move = (ev) => {
      const dx = (ev.clientX - start.x) / state.scale;
      const dy = (ev.clientY - start.y) / state.scale;
      const { widthMm: W, heightMm: H } = state.template.size;
      if (el.type === 'line') {
        const s = start.el;
        const mx = Math.max(-Math.min(s.x1, s.x2), Math.min(dx, W - Math.max(s.x1, s.x2)));
        const my = Math.max(-Math.min(s.y1, s.y2), Math.min(dy, H - Math.max(s.y1, s.y2)));
        Object.assign(el, { x1: snap(s.x1 + mx), x2: snap(s.x2 + mx), y1: snap(s.y1 + my), y2: snap(s.y2 + my) });
      } else if (grip) {
        el.w = snap(Math.max(1, Math.min(W - el.x, start.el.w + dx)));
        el.h = snap(Math.max(1, Math.min(H - el.y, start.el.h + dy)));
      } else {
        el.x = snap(Math.max(0, Math.min(W - el.w, start.el.x + dx)));
        el.y = snap(Math.max(0, Math.min(H - el.h, start.el.y + dy)));
      }
      moved(index);
    };
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      window.removeEventListener('pointercancel', up);
      commit();
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
    window.addEventListener('pointercancel', up);
  }

  /** An image: a PNG chosen from this device is uploaded to the station (checked there: size, kind) and placed. */
  function chooseImage() {
    return new Promise((resolve) => {
      const input = document.createElement('input');
      input.type = 'file';
      input.accept = 'image/png';
      input.addEventListener('change', async () => {
        const file = input.files[0];
        if (!file) return resolve(undefined);
        const name = file.name.toLowerCase().replace(/[^\w.-]+/g, '-').replace(/(\.png)?$/, '.png');
        try {
          const image = await api('POST', '/api/v1/templates/images', { name, png: await base64Of(file) });
          state.images = (await api('GET', '/api/v1/templates/images')).items;
          resolve(image);
        } catch (err) {
          say(err.message, true);
          resolve(undefined);
        }
      });
      input.click();
    });
  }

  async function addElement(kind) {
    let el;
    if (kind === 'image') {
      const image = await chooseImage();
      if (!image) return;
      const w = Math.min(state.template.size.widthMm - 2, image.width / state.dpmm);
      el = { type: 'image', x: 1, y: 1, w: snap(w), h: snap(Math.min(state.template.size.heightMm - 2, (w * image.height) / image.width)), src: image.name };
    } else el = DEFAULTS[kind]();
    state.template.elements.push(el);
    state.selected = state.template.elements.length - 1;
    commit();
  }

  async function save({ on } = {}) {
    const t = state.template;
    t.id = $('#t-id').value.trim();
    if (!/^[a-z0-9][a-z0-9-]{0,47}$/.test(t.id)) return say('Give the template an id: lower-case letters, digits and dashes, e.g. "my-tag".', true);
    const note = on ? `saved on top of version ${on}` : (window.prompt('What changed? (for the history)', state.base ? 'changed in the designer' : 'made in the designer') ?? '');
    const base = on ?? state.base;
    try {
      const result = base === undefined ? await api('POST', '/api/v1/templates', { template: t, note }) : await api('POST', `/api/v1/templates/${t.id}/versions`, { base, template: t, note });
      state.base = result.version;
      $('#conflict')?.remove();
      window.history.replaceState(null, '', `/kiosk/admin/templates/${encodeURIComponent(t.id)}`);
      $('#t-id').readOnly = true;
      // The list of versions first, so that what is said and what it shows agree.
      await loadVersions().catch(() => undefined);
      say(`Saved as version ${result.version}.`);
    } catch (err) {
      // Nothing is lost: the edits stay on the screen, and someone else's version stays in the history.
      if (err.code !== 'TEMPLATE_CHANGED' || !err.details?.latest) return say(err.message, true);
      say(`Not saved: ${err.details.author} saved version ${err.details.latest} of this template at ${String(err.details.at).slice(11, 16)} while you were changing it. Your changes are still here.`, true);
      $('#conflict')?.remove();
      const box = document.createElement('div');
      box.id = 'conflict';
      box.className = 'choices';
      box.innerHTML = `<button data-conflict="mine">Save mine as version ${err.details.latest + 1} (theirs stays in the history)</button><a class="button secondary" target="_blank" href="/api/v1/templates/${encodeURIComponent(t.id)}/preview?workOrder=${encodeURIComponent(state.sample.workOrder ?? '')}">See theirs</a>`;
      $('#dstatus').after(box);
      $('[data-conflict="mine"]', box).addEventListener('click', () => save({ on: err.details.latest }));
    }
  }

  async function loadVersions() {
    const id = state.template.id;
    if (!id || state.base === undefined) return;
    const { versions } = await api('GET', `/api/v1/templates/${id}`);
    $('#versions').innerHTML = `<h3>Versions</h3><ul>${(versions ?? []).map((v) => `<li>v${v.version} · ${esc(v.author)} · ${esc(v.createdAt.slice(0, 16).replace('T', ' '))} · ${esc(v.note)} ${v.active ? '<b>prints now</b>' : `<button class="secondary" data-activate="${v.version}">Make it print</button>`}</li>`).join('')}</ul>`;
  }

  async function editorPage() {
    const id = $('.designer').dataset.templateId;
    if (id === 'new') {
      state.template = { id: '', version: 1, name: 'New tag', kind: 'layout', subject: 'assembly', size: { widthMm: 76, heightMm: 25 }, elements: [] };
    } else {
      const got = await api('GET', `/api/v1/templates/${encodeURIComponent(id)}`);
      if (got.source !== 'stored') return say('Shipped templates stay as they came: copy it on the list of templates to change it.', true);
      state.template = got.template;
      // A save is checked against the newest version there was when the page opened (not the one that prints: after
      // a rollback the newest is later than the active one).
      state.base = Math.max(got.template.version, ...(got.versions ?? []).map((v) => v.version));
    }
    try {
      const f = await api('GET', '/api/v1/templates/fields');
      state.fields = f.fields;
      state.sample = { workOrder: f.workOrder, line: f.line };
      state.images = (await api('GET', '/api/v1/templates/images')).items;
    } catch (err) {
      say(err.message, true);
    }
    history.past = [snapshot()];
    draw();
    schedulePreview();
    await loadVersions();

    $('#overlay').addEventListener('pointerdown', onPointerDown);
    document.addEventListener('click', async (e) => {
      const add = e.target.closest('[data-add]');
      if (add) return addElement(add.dataset.add);
      if (e.target.closest('[data-remove]')) {
        state.template.elements.splice(state.selected, 1);
        state.selected = -1;
        return commit();
      }
      const activate = e.target.closest('[data-activate]');
      if (activate) {
        try {
          await api('POST', `/api/v1/templates/${state.template.id}/activate`, { version: Number(activate.dataset.activate) });
          await loadVersions();
        } catch (err) {
          say(err.message, true);
        }
      }
    });
    $('#props').addEventListener('change', (e) => {
      const insert = e.target.closest('[data-insert]');
      if (insert) {
        const input = $(`[data-prop="${insert.dataset.insert}"]`);
        const at = input.selectionStart ?? input.value.length;
        input.value = `${input.value.slice(0, at)}{{${insert.value}}}${input.value.slice(input.selectionEnd ?? at)}`;
        setProp(insert.dataset.insert, input);
        return commit();
      }
      const prop = e.target.dataset.prop;
      if (!prop) return;
      setProp(prop, e.target);
      commit();
    });
    $('#props').addEventListener('input', (e) => {
      // Typing a text shows at once; the history takes it when the field is left.
      if (e.target.dataset.text || e.target.dataset.prop === 'zpl') {
        setProp(e.target.dataset.prop, e.target);
        schedulePreview();
      }
    });
    for (const [sel, apply] of [
      ['#t-name', (v) => (state.template.name = v)],
      ['#t-w', (v) => (state.template.size.widthMm = Number(v))],
      ['#t-h', (v) => (state.template.size.heightMm = Number(v))],
      ['#t-dpmm', (v) => (state.dpmm = Number(v))],
    ]) {
      $(sel).addEventListener('change', (e) => {
        apply(e.target.value);
        commit();
      });
    }
    $('#undo').addEventListener('click', () => {
      if (history.past.length <= 1) return;
      history.future.push(history.past.pop());
      restore(history.past.at(-1));
    });
    $('#redo').addEventListener('click', () => {
      const next = history.future.pop();
      if (!next) return;
      history.past.push(next);
      restore(next);
    });
    $('#save').addEventListener('click', () => save());
    $('#test-print').addEventListener('click', async () => {
      try {
        const job = await api('POST', '/api/v1/jobs', { kind: 'template-test', printer: $('#t-printer').value, template: { ...state.template, id: state.template.id || 'draft' }, ...state.sample, force: true });
        say(`${job.title}: sent to ${$('#t-printer').selectedOptions[0]?.textContent || job.printerId}.`);
      } catch (err) {
        say(err.message, true);
      }
    });
    $('#export').addEventListener('click', (e) => {
      e.preventDefault();
      const blob = new Blob([JSON.stringify(state.template, null, 2)], { type: 'application/json' });
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `${state.template.id || 'template'}.json`;
      a.click();
    });
    window.addEventListener('resize', draw);
  }

  (async () => {
    await askPin('Label designer');
    if (window.BENCHPRINT_DESIGNER) await editorPage();
    else await listPage();
  })();
})();
