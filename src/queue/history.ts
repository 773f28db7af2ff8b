// History as CSV: one row per job with who asked, what, where, the serials and how it ended.
import type { JobRecord } from './job-store.js';

const COLUMNS: Array<[string, (j: JobRecord) => string | number | undefined]> = [
  ['job', (j) => j.id],
  ['created', (j) => j.createdAt],
  ['started', (j) => j.startedAt],
  ['finished', (j) => j.finishedAt],
  ['state', (j) => j.state],
  ['requested_by', (j) => j.requestedBy],
  ['printer', (j) => j.printerId],
  ['kind', (j) => j.kind],
  ['work_order', (j) => j.workOrderNumber],
  ['line', (j) => j.lineNumber],
  ['template', (j) => (j.templateId ? `${j.templateId} v${j.templateVersion}` : undefined)],
  ['document', (j) => j.documentName],
  ['origin', (j) => j.origin],
  ['labels', (j) => j.partsTotal],
  ['labels_sent', (j) => j.partsSent],
  ['first_serial', (j) => j.serials[0]],
  ['last_serial', (j) => j.serials.at(-1)],
  ['reprint_of', (j) => j.reprintOf],
  ['attempts', (j) => j.attempts],
  ['error', (j) => j.error],
];

/** RFC 4180 quoting; a leading = + - @ is defused so a spreadsheet never runs data as a formula. */
function cell(value: string | number | undefined): string {
  if (value === undefined) return '';
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s) && typeof value === 'string') s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function historyCsv(jobs: readonly JobRecord[]): string {
  const lines = [COLUMNS.map(([name]) => name).join(',')];
  for (const j of jobs) lines.push(COLUMNS.map(([, get]) => cell(get(j))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
