// The printers page of the kiosk's admin area: the page itself holds nothing; what it shows and changes is asked for
// with the admin PIN (printers.js).
import { html } from 'hono/html';
import type { Html } from './layout.js';

export function printersPage(): Html {
  return html`<div class="titlebar"><h1>Printers</h1><div class="woactions">
<button id="p-add">Add a printer</button><button class="secondary" id="p-browse">Find announced printers</button>
<form id="p-scan" class="search"><input id="p-subnet" placeholder="Subnet, e.g. 192.168.1.0/24" aria-label="Subnet to scan for printers"><button class="secondary">Scan</button></form>
</div></div>
<div id="p-status" role="status"></div>
<div id="p-found"></div>
<div id="p-form"></div>
<table class="list" id="p-list"><thead><tr><th>Printer</th><th>State</th><th>Settings from</th><th></th></tr></thead><tbody></tbody></table>
<p class="small">Printers from the config file are the starting set: a change made here is kept in the station and applies at once. A printer printing a job finishes it first.</p>
<script src="/kiosk/static/admin.js" defer></script><script src="/kiosk/static/printers.js" defer></script>`;
}
