// The status strip under the kiosk's header: each printer's state and the shop ledger's, kept live by kiosk.js's event
// stream; a tap on a chip says what a mouse would read in its title (a touch screen has no hover).
import { $, api, clock } from './kiosk-common.js';

let openChip = null;
function chipDetail() {
  const box = $('#chip-detail');
  if (!box) return;
  if (!openChip?.isConnected) {
    openChip = null;
    box.hidden = true;
    return;
  }
  const name = document.createElement('b');
  name.textContent = $('b', openChip).textContent;
  const state = $('.state', openChip).textContent;
  box.replaceChildren(name, `: ${state}${openChip.title ? `. ${openChip.title}` : '.'}`);
  box.hidden = false;
}

document.addEventListener('click', (e) => {
  const chip = e.target.closest('#printers .printer');
  if (!chip && !e.target.closest('#chip-detail')) return;
  openChip?.setAttribute('aria-expanded', 'false');
  // The same chip again, or the words themselves, put them away.
  openChip = chip && chip !== openChip ? chip : null;
  openChip?.setAttribute('aria-expanded', 'true');
  chipDetail();
});

export function showPrinter(p) {
  const chip = document.querySelector(`[data-printer="${CSS.escape(p.id)}"].printer`);
  if (!chip) return;
  chip.className = `printer s-${p.state}`;
  chip.title = p.detail ?? '';
  $('.state', chip).textContent = p.state.replace('-', ' ');
  if (chip === openChip) chipDetail();
}

export async function refreshStatus() {
  try {
    const status = await api('GET', '/api/v1/status');
    status.printers.forEach(showPrinter);
    const ledger = $('#ledger');
    if (ledger && status.shop) {
      const s = status.shop;
      ledger.className = `printer s-${s.state === 'connected' ? 'ready' : s.state === 'unreachable' ? 'offline' : 'paused'}`;
      $('.state', ledger).textContent = s.state === 'connected' ? 'connected' : s.state === 'behind' ? `${s.behindBy} events behind` : s.state === 'starting' ? 'connecting' : `unreachable since ${s.unreachableSince ? clock(s.unreachableSince, false) : '?'}`;
      ledger.title = s.lastError ?? `${s.serialsLeft} serial numbers in reserve${s.refusedEvents ? `; ${s.refusedEvents} events the ledger refused, set aside (see the log)` : ''}`;
      if (ledger === openChip) chipDetail();
    }
    const banner = await fetch('/kiosk/banner');
    if (banner.ok) $('#banner').innerHTML = await banner.text();
  } catch {
    // offline banner covers it
  }
}
