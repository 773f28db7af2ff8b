// What a Zebra answers, read: STX…ETX frames, the three ~HS strings in the station's status words (with the labels it
// still holds and its label length), ~HI (model, firmware, dots per mm). Used by the ZPL driver and by the subnet scan.
import type { AnswerParser } from './tcp.js';
import type { PrinterStatus } from './types.js';

const STX = 0x02;
const ETX = 0x03;

export interface HostStatus {
  status: PrinterStatus;
  /** Formats received but not yet printed, and labels left of the current batch: together, what has not come out. */
  formatsInBuffer: number;
  labelsRemaining: number;
  /** The odometer's total, when it was asked for and the printer answered (~HQOD), in its own unit. */
  odometer?: { value: number; unit: string };
  /** The label length the printer uses, in dots (from its last calibration or setup). */
  labelLengthDots?: number;
}

/** STX…ETX frames at the start of `buf`, and the bytes they take (anything outside a frame is skipped). */
function frames(buf: Buffer, wanted: number): { texts: string[]; used: number } | undefined {
  const texts: string[] = [];
  let i = 0;
  while (texts.length < wanted) {
    const start = buf.indexOf(STX, i);
    if (start < 0) return undefined;
    const end = buf.indexOf(ETX, start + 1);
    if (end < 0) return undefined;
    texts.push(buf.subarray(start + 1, end).toString('latin1'));
    i = end + 1;
  }
  // The CR LF after the last frame belongs to it.
  while (buf[i] === 0x0d || buf[i] === 0x0a) i++;
  return { texts, used: i };
}

const isOdometer = (text: string) => /[A-Za-z]{3}/.test(text);

/** One complete ~HS answer (three frames), with an odometer frame before it if one came. */
export const hostStatusAnswer: AnswerParser<HostStatus> = (buf) => {
  const first = frames(buf, 1);
  if (!first) return undefined;
  let odometer: HostStatus['odometer'];
  let rest = buf;
  let used = 0;
  if (isOdometer(first.texts[0]!)) {
    const m = /NONRESETTABLE:\s*([\d.]+)\s*(\S*)/i.exec(first.texts[0]!);
    if (m) odometer = { value: Number(m[1]), unit: m[2] === '"' ? 'in' : m[2]! || 'in' };
    used = first.used;
    rest = buf.subarray(first.used);
  }
  const hs = frames(rest, 3);
  if (!hs) return undefined;
  const parsed = parseHostStatusStrings(hs.texts.map((t) => t.split(',')));
  return { value: odometer ? { ...parsed, odometer } : parsed, used: used + hs.used };
};

function parseHostStatusStrings([one, two]: string[][]): HostStatus {
  if (!one || !two || one.length < 12 || two.length < 11) return { status: { state: 'error', detail: 'the printer answered ~HS with something unreadable' }, formatsInBuffer: 0, labelsRemaining: 0 };
  const flag = (s: string[], i: number) => s[i]?.trim() === '1';
  const count = (s: string[], i: number) => Math.max(0, Number.parseInt(s[i] ?? '0', 10) || 0);
  const formatsInBuffer = count(one, 4);
  const labelsRemaining = count(two, 8);
  const waiting = formatsInBuffer + labelsRemaining;
  const inside = waiting > 0 ? ` (${waiting} label${waiting === 1 ? '' : 's'} waiting in it)` : '';
  const length = count(one, 3);
  const result = (state: PrinterStatus['state'], detail?: string): HostStatus => ({ status: { state, ...(detail ? { detail } : {}), waiting }, formatsInBuffer, labelsRemaining, ...(length ? { labelLengthDots: length } : {}) });
  if (flag(two, 2)) return result('head-open', `print head is open${inside}`);
  if (flag(one, 1)) return result('no-media', `out of labels${inside}`);
  if (flag(two, 3)) return result('ribbon-out', `out of ribbon${inside}`);
  if (flag(one, 2)) return result('paused', `paused at the printer${inside}`);
  if (flag(one, 9)) return result('error', 'printer memory error');
  if (flag(one, 10)) return result('error', 'print head too cold');
  if (flag(one, 11)) return result('error', 'print head too hot');
  if (waiting > 0) return result('printing', `${waiting} label${waiting === 1 ? '' : 's'} still to print`);
  return result('ready');
}


/** One STX…ETX frame: the answer to ~HI (model, firmware, dots per mm, memory) or ^HH (the configuration as text). */
export const oneFrame: AnswerParser<string> = (buf) => {
  const f = frames(buf, 1);
  return f ? { value: f.texts[0]!, used: f.used } : undefined;
};
