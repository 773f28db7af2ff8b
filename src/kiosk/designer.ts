// The label designer's pages in the kiosk's admin area: the templates (shipped and made here), and the editor.
import { html, raw } from 'hono/html';
import type { AppDeps } from '../deps.js';
import { templateService } from '../labels/template-service.js';
import type { Html } from './layout.js';

export function templateListPage(deps: Pick<AppDeps, 'labels' | 'workOrders'>): Html {
  const items = templateService(deps).list();
  const row = (t: (typeof items)[number]) =>
    html`<tr data-template="${t.id}"><td><b>${t.name}</b><div class="small">${t.id} · ${t.size.widthMm}×${t.size.heightMm} mm · ${t.kind === 'zpl' ? 'raw ZPL' : 'layout'}</div></td>
<td>${t.source === 'shipped' ? html`<span class="badge">shipped</span>` : html`<span class="badge done">v${t.version}</span> <span class="small">${t.versions} version${t.versions === 1 ? '' : 's'}</span>`}</td>
<td class="actions">${t.source === 'stored' ? html`<a class="button" href="/kiosk/admin/templates/${t.id}">Open</a>` : ''}<button class="secondary" data-designer="copy" data-id="${t.id}">Copy</button></td></tr>`;
  return html`<div class="titlebar"><h1>Label templates</h1><div class="woactions">
<a class="button" href="/kiosk/admin/templates/new">New template</a>
<label class="button secondary" for="import-file">Import a file</label><input id="import-file" type="file" accept=".glabels,.zpl,.prn,.txt,.json" hidden>
</div></div>
<div id="designer-report" role="status"></div>
<table class="list"><thead><tr><th>Template</th><th>Version</th><th></th></tr></thead><tbody>${items.map(row)}</tbody></table>
<p class="small">Shipped templates stay as they came: copy one to change it. glabels 3 documents (.glabels) and ZebraDesigner labels printed to a file (.zpl, .prn) can be imported; what cannot be carried over is said.</p>
<script src="/kiosk/static/admin.js" defer></script><script src="/kiosk/static/designer.js" defer></script>`;
}

export function templateEditorPage(id: string, deps: Pick<AppDeps, 'printers'>): Html {
  const printers = deps.printers.views().filter((p) => !p.problem);
  return html`<div class="designer" data-template-id="${id}">
<div class="dtools">
  <a class="button secondary" href="/kiosk/admin/templates">Templates</a>
  <label>Id <input id="t-id" ${id === 'new' ? '' : 'readonly'} value="${id === 'new' ? '' : id}" placeholder="my-tag" size="12"></label>
  <label>Name <input id="t-name" size="18"></label>
  <label>Size <input id="t-w" type="number" step="0.5" min="5" max="300"> × <input id="t-h" type="number" step="0.5" min="5" max="1000"> mm</label>
  <label>Printer <select id="t-dpmm"><option value="8">203 dpi</option><option value="12">300 dpi</option><option value="24">600 dpi</option></select></label>
  <button class="secondary" id="undo" title="Undo">Undo</button><button class="secondary" id="redo" title="Redo">Redo</button>
  <button id="save">Save</button>
  <select id="t-printer" aria-label="Printer for a test print">${printers.map((p) => html`<option value="${p.id}">${p.name}</option>`)}</select><button class="secondary" id="test-print">Test print</button>
  <a class="button secondary" id="export" href="#">Export</a>
</div>
<div class="dbody">
  <div class="dpalette" aria-label="Add to the label">
    <button data-add="text">Text</button><button data-add="code128">Code 128</button><button data-add="datamatrix">Data Matrix</button><button data-add="qr">QR</button>
    <button data-add="line">Line</button><button data-add="box">Box</button><button data-add="image">Image</button>
  </div>
  <div class="dcanvas-wrap"><div class="dcanvas" id="canvas"><img id="preview" alt="The label as it will print"><div id="overlay"></div></div>
    <div id="dstatus" role="status"></div></div>
  <div class="dprops" id="props" aria-label="Properties"><p class="small">Tap an element on the label to change it, or add one.</p></div>
</div>
<div id="versions" class="small"></div>
</div>
<script>${raw('window.BENCHPRINT_DESIGNER = true;')}</script>
<script src="/kiosk/static/admin.js" defer></script><script src="/kiosk/static/designer.js" defer></script>`;
}
