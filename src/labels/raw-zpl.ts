// Raw ZPL templates from a label designer: placeholders only inside ^FD data, each filled escaped for its field's ^FH.
import { compileText, type Bound } from './bind.js';

/** Escapes for a ^FH field with escape character `esc`: ^ ~ \ the escape itself and control bytes become hex. */
export function escapeFor(esc: string): (value: string) => string {
  const special = new RegExp(`[\\^~\\\\${esc.replace(/[\]\\^-]/g, '\\$&')}\\u0000-\\u001f\\u007f]`, 'g');
  return (value) => value.replace(special, (ch) => `${esc}${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

export interface CompiledZpl {
  render(data: unknown): string;
  /** The design as given (a copy of a shipped design carries it). */
  source: string;
}

/** Checks and compiles a raw ZPL design; throws with a plain explanation of what is wrong. */
export function compileRawZpl(source: string): CompiledZpl {
  const text = source.replace(/\r\n/g, '\n').trim();
  const starts = text.match(/\^XA/g)?.length ?? 0;
  const ends = text.match(/\^XZ/g)?.length ?? 0;
  if (starts !== 1 || ends !== 1 || !text.startsWith('^XA') || !text.endsWith('^XZ')) {
    throw new Error(`a raw ZPL template must hold exactly one label, from ^XA to ^XZ (found ${starts} ^XA and ${ends} ^XZ)`);
  }
  // UTF-8 for everything: the design's own text is read as UTF-8, and so is GoldLeaf data.
  const body = text.slice(3, -3).replace(/\^CI\d+/g, '');
  const outside = body.replace(/\^FD[\s\S]*?(?=\^FS|$)/g, '');
  if (outside.includes('{{')) throw new Error('placeholders ({{...}}) are only allowed inside ^FD field data, not in commands or positions');
  const parts: Array<string | ((data: unknown) => string)> = ['^XA\n^CI28'];
  let last = 0;
  for (const m of body.matchAll(/\^FD([\s\S]*?)(?=\^FS|$)/g)) {
    const data = m[1]!;
    if (!data.includes('{{')) continue;
    const before = body.slice(last, m.index);
    const fieldStart = before.lastIndexOf('^FS') + 1;
    const fh = /\^FH(.)?/.exec(before.slice(fieldStart));
    const esc = fh ? (fh[1] && fh[1] !== '^' ? fh[1] : '_') : '_';
    parts.push(before, fh ? '' : `^FH${esc}`, '^FD');
    const escape = escapeFor(esc);
    if (fh) {
      // The designer's own text is already written for their ^FH: escape only what is filled in.
      parts.push(compileText(data, escape));
    } else {
      const bound = compileText(data);
      parts.push((d) => escape(bound(d)));
    }
    last = m.index + m[0].length;
  }
  parts.push(body.slice(last), '^XZ\n');
  return { render: (d) => parts.map((p) => (typeof p === 'string' ? p : p(d))).join(''), source: text };
}
