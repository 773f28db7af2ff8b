// benchprint kiosk: what the lines of the open work order have had printed (the station's words, read again as its
// jobs change), and where each thing goes once printers are set up anew.
import { $ } from './kiosk-common.js';

let tagsTimer;
let targetsToo = false;
/** `targets`: printers were set up anew, so where each thing goes is read again too (see refreshTargets). */
export function refreshTags(targets = false) {
  clearTimeout(tagsTimer);
  targetsToo ||= targets;
  tagsTimer = setTimeout(async () => {
    try {
      const res = await fetch(location.pathname + location.search);
      if (!res.ok) return;
      const fresh = new DOMParser().parseFromString(await res.text(), 'text/html');
      if (targetsToo) {
        targetsToo = false;
        refreshTargets(fresh);
      }
      for (const strip of fresh.querySelectorAll('[data-line-tags]')) {
        const line = strip.dataset.lineTags;
        document.querySelector(`[data-line-tags="${CSS.escape(line)}"]`)?.replaceWith(document.importNode(strip, true));
        const now = document.querySelector(`.actions[data-line="${CSS.escape(line)}"]`);
        const then = fresh.querySelector(`.actions[data-line="${CSS.escape(line)}"]`);
        if (now && then) {
          for (const key of ['hasTags', 'from', 'left']) {
            if (then.dataset[key]) now.dataset[key] = then.dataset[key];
            else delete now.dataset[key];
          }
          // The quantity offered and where it starts, unless someone has put in one of their own.
          const field = $('.qty', now);
          const offered = $('.qty', then).defaultValue;
          if (field.value === field.defaultValue && document.activeElement !== field) field.value = offered;
          field.defaultValue = offered;
          $('.from', now)?.remove();
          const from = $('.from', then);
          if (from) field.after(document.importNode(from, true));
        }
      }
      // The work order's buttons, unless one still shows a press (under way or just done): its rearm asks again.
      const actions = $('.woactions');
      const next = fresh.querySelector('.woactions');
      if (actions && next && !$('button.busy', actions)) actions.replaceWith(document.importNode(next, true));
    } catch {
      // the offline banner covers it; the next change tries again
    }
  }, 300);
}

/**
 * Where things go, from the page as the station draws it now: the printers strip, each line's label choices (keeping the
 * one chosen where it is still offered) and its buttons, which name and send to the printer that takes each thing. A
 * printer disabled, removed or added, here or on another screen, changes them without a reload; a button showing a
 * press is left as it is.
 */
function refreshTargets(fresh) {
  const strip = $('#printers');
  const freshStrip = fresh.querySelector('#printers');
  if (strip && freshStrip) strip.replaceWith(document.importNode(freshStrip, true));
  for (const now of document.querySelectorAll('.actions[data-line]')) {
    const then = fresh.querySelector(`.actions[data-line="${CSS.escape(now.dataset.line)}"]`);
    if (!then) continue;
    for (const button of now.querySelectorAll('button[data-action]')) {
      if (button.classList.contains('busy')) continue;
      const same = [...then.querySelectorAll('button[data-action]')].find((b) => b.dataset.action === button.dataset.action && b.dataset.document === button.dataset.document);
      if (same) button.replaceWith(document.importNode(same, true));
    }
    const select = $('select.template', now);
    const offered = $('select.template', then);
    if (!select || !offered) continue;
    const chosen = select.value;
    const copy = document.importNode(offered, true);
    if ([...copy.options].some((o) => o.value === chosen && !o.disabled)) copy.value = chosen;
    select.replaceWith(copy);
    copy.dispatchEvent(new Event('change', { bubbles: true })); // the print button goes with the label chosen
  }
}
