// Reads ESC/POS bytes back into text and commands: the traveler's preview, and the check of what reached a printer.
import { lazy } from '../lib/lazy.js';

const iconv = lazy<typeof import('iconv-lite')>('iconv-lite');

export type EscPosToken =
  | { kind: 'text'; text: string }
  | { kind: 'command'; name: string; args: number[] }
  | { kind: 'qr'; data: string };

/** Fixed-length commands: ESC or GS, the command byte, and how many argument bytes follow. */
const ESC_ARGS: Record<number, [string, number]> = {
  0x40: ['init', 0],
  0x74: ['codepage', 1],
  0x61: ['align', 1],
  0x45: ['bold', 1],
  0x21: ['mode', 1],
  0x64: ['feed', 1],
  0x4d: ['font', 1],
  0x2d: ['underline', 1],
  0x7b: ['upside-down', 1],
  0x4a: ['feed-dots', 1],
  0x70: ['cash-drawer', 3],
};
const GS_ARGS: Record<number, [string, number]> = { 0x21: ['size', 1], 0x42: ['invert', 1], 0x4c: ['left-margin', 2], 0x57: ['print-width', 2] };

/** Splits an ESC/POS stream into text (decoded from the PC858 code page) and commands. */
export function parseEscPos(bytes: Uint8Array): EscPosToken[] {
  const tokens: EscPosToken[] = [];
  let text: number[] = [];
  const flush = () => {
    if (text.length) tokens.push({ kind: 'text', text: iconv().decode(Buffer.from(text), 'cp858') });
    text = [];
  };
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b === 0x1b || b === 0x1d) {
      flush();
      const op = bytes[i + 1] ?? 0;
      if (b === 0x1d && op === 0x56) {
        // GS V m [n]: cut; m 65/66 carries a feed amount.
        const m = bytes[i + 2] ?? 0;
        const withFeed = m === 65 || m === 66;
        tokens.push({ kind: 'command', name: 'cut', args: withFeed ? [m, bytes[i + 3] ?? 0] : [m] });
        i += withFeed ? 4 : 3;
        continue;
      }
      if (b === 0x1d && op === 0x28 && bytes[i + 2] === 0x6b) {
        // GS ( k pL pH cn fn [data]: 2D code functions; function 80 (0x50) stores the data.
        const len = (bytes[i + 3] ?? 0) + (bytes[i + 4] ?? 0) * 256;
        const body = bytes.subarray(i + 5, i + 5 + len);
        if (body[1] === 0x50) tokens.push({ kind: 'qr', data: Buffer.from(body.subarray(3)).toString('utf8') });
        else tokens.push({ kind: 'command', name: 'qr-setting', args: [...body] });
        i += 5 + len;
        continue;
      }
      const table = b === 0x1b ? ESC_ARGS : GS_ARGS;
      const known = table[op];
      const [name, n] = known ?? [`${b === 0x1b ? 'ESC' : 'GS'} 0x${op.toString(16)}`, 0];
      tokens.push({ kind: 'command', name, args: [...bytes.subarray(i + 2, i + 2 + n)] });
      i += 2 + n;
      continue;
    }
    text.push(b);
    i++;
  }
  flush();
  return tokens;
}

/** The printable text of a receipt, one line per printed line. */
export function escposText(bytes: Uint8Array): string {
  return parseEscPos(bytes)
    .map((t) => (t.kind === 'text' ? t.text : t.kind === 'qr' ? `[QR ${t.data}]\n` : t.name === 'cut' ? '\n--- cut ---\n' : ''))
    .join('')
    .replace(/[\u0000-\u0009\u000b-\u001f]/g, '');
}
