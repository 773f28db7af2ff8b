// What raw print data from the LAN means: ZPL read as it arrives (host questions answered at once, formats cut out),
// the commands in it that would change the printer, and ESC/POS that would write the printer's own memory. The
// sockets around it are in listener.ts.
import { HOST_QUERIES, PRINT_SETTINGS, PRINTER_CONTROL } from '../labels/zpl-commands.js';
import type { PrinterState } from './types.js';

/** A Zebra's ~HS answer for the state the station last knew of the real printer. */
export function hostStatusFor(state: PrinterState, waiting: number): string {
  const bit = (b: boolean) => (b ? 1 : 0);
  const one = `030,${bit(state === 'no-media')},${bit(state === 'paused' || state === 'disabled' || state === 'offline')},0000,${String(Math.min(999, waiting)).padStart(3, '0')},0,0,0,000,0,0,0`;
  const two = `001,0,${bit(state === 'head-open')},${bit(state === 'ribbon-out')},1,2,6,0,00000000,1,000`;
  return `\x02${one}\x03\r\n\x02${two}\x03\r\n\x021234,0\x03\r\n`;
}

/** What one connection sent, split into labels; with what was taken out. */
export interface ZplReceived {
  formats: string[];
  foreign: string[];
}

/**
 * Reads ZPL as it arrives: answers host questions at once, cuts complete formats (^XA…^XZ, with any downloads sent
 * before them) and keeps the rest until more comes. Text is handled as latin1 so UTF-8 bytes pass through untouched.
 */
export class ZplStream {
  private pending = '';
  private prefix = '';
  /** How much of the format being received (from its ^XA) has been searched already. */
  private clean = 0;
  readonly received: ZplReceived = { formats: [], foreign: [] };

  constructor(private readonly answer: (query: string) => string | undefined) {}

  push(chunk: Buffer): string[] {
    this.pending += chunk.toString('latin1');
    const replies: string[] = [];
    const queries = (text: string) =>
      text.replace(HOST_QUERIES, (q) => {
        const reply = this.answer(q);
        if (reply) replies.push(reply);
        return '';
      });
    // Only a tail that could be the start of ^XA, ^XZ or a host question waits for the next packet.
    const held = (text: string) => /(\^X?|~(H(Q[A-Z]?)?)?)$/.exec(text)?.[0].length ?? 0;
    for (;;) {
      const start = this.pending.indexOf('^XA');
      if (start < 0) {
        const keep = this.pending.length - held(this.pending);
        this.prefix += queries(this.pending.slice(0, keep));
        this.pending = this.pending.slice(keep);
        this.clean = 0;
        break;
      }
      // A long format arrives in many packets: only what came since the last look is searched (never the whole again).
      const from = Math.max(start + 3, this.clean - 3);
      const end = this.pending.indexOf('^XZ', from);
      if (end < 0) {
        this.prefix += queries(this.pending.slice(0, start));
        // Questions inside a format still being sent are answered now, as a printer does.
        const searched = Math.max(start + 3, this.clean);
        const head = this.pending.slice(start, searched);
        const fresh = this.pending.slice(searched);
        const keep = fresh.length - held(fresh);
        const cleaned = queries(fresh.slice(0, keep));
        this.pending = `${head}${cleaned}${fresh.slice(keep)}`;
        this.clean = head.length + cleaned.length;
        break;
      }
      const format = `${queries(this.prefix + this.pending.slice(0, start))}${queries(this.pending.slice(start, end + 3))}`;
      this.pending = this.pending.slice(end + 3);
      this.prefix = '';
      this.clean = 0;
      this.received.formats.push(format);
    }
    return replies;
  }

  /** What is left when the sender is done: complete formats only (a format without its ^XZ is not a label). */
  end(): { leftover: string } {
    const leftover = (this.prefix + this.pending).replace(HOST_QUERIES, '').trim();
    return { leftover };
  }
}

/**
 * Takes out of a format the print settings it carries (always: the bench printer keeps its own) and the commands that
 * would change or control the printer (said in `control`: stripped or the job refused, as the listener is set up).
 */
export function foreignIn(format: string): { cleaned: string; settings: string[]; control: string[] } {
  const settings: string[] = [];
  const control: string[] = [];
  const cleaned = format
    .replace(PRINTER_CONTROL, (m) => {
      control.push(m.slice(0, 3));
      return '';
    })
    .replace(PRINT_SETTINGS, (m) => {
      settings.push(m.slice(0, 3));
      return '';
    });
  return { cleaned, settings, control };
}

/** A format that draws nothing (settings only) is not a label: a real printer feeds none for it. */
export const draws = (format: string) => /\^(FD|FV|GB|GC|GD|GE|GF|XG|IM|BC|BQ|BX|B3|BE|BU|B7|BD)/.test(format);

/** ESC/POS: DLE EOT n (status questions) are taken out; commands that write the printer's own memory refuse the job. */
export const ESCPOS_NV_WRITES: Array<[RegExp, string]> = [
  [/\x1d\(E/, 'GS ( E (user setup)'],
  [/\x1cq/, 'FS q (stored logos)'],
  [/\x1cg1/, 'FS g 1 (printer memory)'],
  [/\x1d\(L[\s\S]{2}0[ACF]/, 'GS ( L (stored graphics)'],
];
