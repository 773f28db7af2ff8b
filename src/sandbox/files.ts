// Files the sandbox serves in place of GoldLeaf's: a small valid PDF, and Marken / PTS text files.

/** A one-page PDF with a few lines of Helvetica text; hand-written so the sandbox needs no PDF library. */
export function simplePdf(lines: string[], widthPt = 216, heightPt = 144): Uint8Array {
  const esc = (s: string) => s.replace(/[^\x20-\x7e]/g, '?').replace(/([\\()])/g, '\\$1');
  const content = ['BT', '/F1 9 Tf', `12 ${heightPt - 20} Td`, '11 TL', ...lines.map((l) => `(${esc(l)}) Tj T*`), 'ET'].join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${widthPt} ${heightPt}] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, 'latin1'));
}

const LABEL_SIZES: Record<string, [number, number]> = { '2x3': [216, 144], '4x6': [288, 432] };

export function labelPageSize(labelSize: unknown): [number, number] {
  return LABEL_SIZES[String(labelSize)] ?? LABEL_SIZES['2x3']!;
}

/** Marken job: semicolon-separated, one row per assembly to mark (the real format is not public). */
export function markenFile(rows: Array<{ partNumber: string; printText: string; quantity: number }>): string {
  return ['PART;TEXT;QTY', ...rows.map((r) => `${r.partNumber};${r.printText.replace(/[;\r\n]/g, ' ')};${r.quantity}`)].join('\r\n') + '\r\n';
}

/** Parker PTS export: key=value blocks (the real format is not public). */
export function ptsFile(rows: Array<{ partNumber: string; hose: string; length: string; quantity: number }>): string {
  return rows.map((r, i) => `[ASSEMBLY ${i + 1}]\nPART=${r.partNumber}\nHOSE=${r.hose}\nLENGTH=${r.length}\nQTY=${r.quantity}\n`).join('\n');
}
