// Small builders for queue tests: ZPL documents of N labels, and a station whose printers are TCP doubles.
import type { RenderedDocument } from '../../src/printing/types.js';

export function zplLabels(count: number, tag = 'label'): RenderedDocument {
  const ends: number[] = [];
  let text = '';
  for (let i = 1; i <= count; i++) {
    text += `^XA^CI28^FO20,20^A0N,30,30^FH_^FD${tag} ${i} of ${count}^FS^XZ\n`;
    ends.push(Buffer.byteLength(text));
  }
  return { format: 'zpl', bytes: Buffer.from(text), meta: { name: `${tag}.zpl`, contentType: 'application/vnd.zebra.zpl', partEnds: ends } };
}

export const soon = (ms: number) => new Date(Date.now() + ms).toISOString();
