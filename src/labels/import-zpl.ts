// ZPL from ZebraDesigner (or any designer's "print to file") to a raw ZPL template: its variable fields (^FN) become
// {{placeholders}}, printer settings and commands that would change the printer are taken out, and all of it is said.
import { StationError } from '../errors.js';
import { PRINTER_CHANGING } from './zpl-commands.js';

export interface ZplImport {
  template: Record<string, unknown>;
  report: string[];
}

/** ZebraDesigner writes Windows-1252 unless told otherwise: a file that is not UTF-8 is read as that. */
function decode(file: Buffer): string {
  const utf8 = file.toString('utf8');
  return utf8.includes('\uFFFD') ? file.toString('latin1') : utf8;
}

const slug = (prompt: string, n: string) => {
  const words = prompt
    .normalize('NFKD')
    .replace(/[^\w\s]/g, '')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  const camel = words.map((w, i) => (i ? w[0]!.toUpperCase() + w.slice(1).toLowerCase() : w.toLowerCase())).join('');
  return /^[A-Za-z_]/.test(camel) ? camel : `field${n}`;
};

export function importZpl(file: Buffer, id: string): ZplImport {
  const text = decode(file).replace(/\r\n?/g, '\n');
  const formats = [...text.matchAll(/\^XA([\s\S]*?)\^XZ/g)].map((m) => m[1]!);
  if (formats.length === 0) throw new StationError('IMPORT_FAILED', 'There is no label in this file (no ^XA ... ^XZ).', { status: 422, hint: 'Print the label to a file from the designer ("Print to file"), not the design file itself.' });
  const report: string[] = [];
  // Designers send a format of printer settings first; the label is the one with fields.
  const labels = formats.filter((f) => /\^F[DNV]/.test(f));
  if (labels.length === 0) throw new StationError('IMPORT_FAILED', 'The file holds only printer settings, no label fields.', { status: 422 });
  if (formats.length > labels.length) report.push(`${formats.length - labels.length} format(s) of printer settings (darkness, speed, media) are not kept: those belong to the printer's own setup.`);
  if (labels.length > 1) report.push(`The file holds ${labels.length} labels; the first is kept.`);
  let body = labels[0]!;
  const outside = text.replace(/\^XA[\s\S]*?\^XZ/g, '').trim();
  if (outside) report.push(`Commands outside the label (${outside.slice(0, 40).replace(/\s+/g, ' ')}${outside.length > 40 ? '…' : ''}) are not kept.`);

  const removed = new Set<string>();
  body = body.replace(PRINTER_CHANGING, (m) => {
    removed.add(m.slice(0, 3));
    return '';
  });
  if (removed.size) report.push(`Commands that change the printer itself are taken out: ${[...removed].join(', ')}.`);

  // ^DF / ^XF store and recall formats on the printer: the template is the format itself.
  body = body.replace(/\^DF[^\^~]*\^FS/g, () => {
    report.push('^DF (store the format on the printer) is taken out: the station sends the whole label each time.');
    return '';
  });
  if (/\^XF/.test(body)) throw new StationError('IMPORT_FAILED', 'The label recalls a format stored on the printer (^XF): the file does not hold the design itself.', { status: 422, hint: 'Export the whole design from the designer.' });

  // Our renderer adds ^CI28 (UTF-8) and reads the design as UTF-8.
  if (/\^CI(?!28)\d+/.test(body)) report.push('The design named a code page (^CI); it is printed as UTF-8 (^CI28), as every template here.');
  body = body.replace(/\^CI\d+/g, '');
  // Variable fields: ^FN<n>"prompt" (ZebraDesigner) with a default in ^FD, or ^FN<n> alone: each becomes {{name}}.
  const fields: string[] = [];
  body = body.replace(/\^FN(\d+)(?:"([^"]*)")?((?:\^F[HT][^\^]*)*)(?:\^FD([^\^]*))?/g, (_m, n: string, prompt: string | undefined, between: string) => {
    let name = slug(prompt ?? '', n);
    while (fields.includes(name)) name = `${name}${n}`;
    fields.push(name);
    return `${between}^FD{{${name}}}`;
  });
  // A field the designer left without data (^FN with no ^FD) is now filled; one with ^FN but no ^FS would be malformed.
  if (/\{\{[^}]*\}\}(?!\^FS)[^\n]*$/.test(body)) report.push('A variable field has no ^FS after it; check the label.');
  for (const m of body.matchAll(/\^A@\w?,?\d*,?\d*,?([^\^]*)/g)) report.push(`Font ${m[1] || '(downloaded)'} must be on the printer (^A@).`);
  for (const m of body.matchAll(/\^XG([^\^,]*)/g)) report.push(`Graphic ${m[1]} must be on the printer (^XG).`);
  if (/\^PQ(\d+)/.exec(body) && Number(/\^PQ(\d+)/.exec(body)![1]) > 1) report.push('^PQ asked for several copies: the station prints one label per tag, so that is taken out.');
  body = body.replace(/\^PQ[\d,YN]*/g, '');
  const width = Number(/\^PW(\d+)/.exec(body)?.[1] ?? 0);
  const length = Number(/\^LL(\d+)/.exec(body)?.[1] ?? 0);
  if (!width || !length) report.push('The label does not say its size (^PW, ^LL): 101.6 x 50.8 mm is assumed; set it in the template.');
  if (fields.length === 0) report.push('The label has no variable fields (^FN): it prints the same on every tag. Add {{fields}} inside ^FD in the designer.');
  else report.push(`Variable fields ${fields.join(', ')} are read from the data printed with (explicit data, e.g. from an ERP).`);
  const zpl = `^XA${body.replace(/\n{2,}/g, '\n')}^XZ`;
  return {
    template: {
      id,
      version: 1,
      name: `${id} (ZPL design)`,
      kind: 'zpl',
      subject: 'workorder',
      // Designers write dots; 8 dots/mm (203 dpi) is the bench's usual printer.
      size: { widthMm: width ? Math.round((width / 8) * 10) / 10 : 101.6, heightMm: length ? Math.round((length / 8) * 10) / 10 : 50.8 },
      ...(fields.length ? { fields } : {}),
      zpl,
    },
    report,
  };
}
