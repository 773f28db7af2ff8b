// A real IPP Everywhere printer for tests: ippeveprinter (Debian cups-ipp-utils) on a loopback port, keeping job files.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedPort } from './tcp-printer.js';

export interface IppPrinterDouble {
  uri: string;
  port: number;
  /** Files of printed jobs, oldest first. */
  jobFiles(): Buffer[];
  /** With `paperOut`: paper is loaded, and the job waiting for it prints. */
  loadPaper(): void;
  /**
   * Someone loads other media, as at the printer's panel (ippeveprinter's own media page): its main tray and its
   * by-pass tray ('' for empty), from what it supports (na_letter_8.5x11in, na_legal_8.5x14in, iso_a4_210x297mm,
   * na_number-10_4.125x9.5in, iso_dl_110x220mm). It then lists them as media-ready.
   */
  loadMedia(main: string, byPass?: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * `announceAs`: announced over DNS-SD (through the machine's avahi) under that name, as a printer on the LAN is.
 * `password`: printing asks for HTTP Basic credentials (ippeveprinter -A), as a CUPS queue with a password policy does.
 * `takes`: the document formats it prints (PDF unless set). `printSeconds`: how long each job takes to print.
 * `paperOut`: each job finds the printer out of paper and waits for `loadPaper()`; the print command says so as a CUPS
 * backend does (`STATE: +media-empty-error`), which ippeveprinter reports as `media-empty-warning` while processing.
 * `pages`: each job prints this many pages over `printSeconds`, the command saying each as it comes out
 * (`ATTR: job-impressions-completed=N`, which ippeveprinter reports in the job's attributes).
 */
export async function startIppPrinter(o: { announceAs?: string; password?: boolean; takes?: string; printSeconds?: number; paperOut?: boolean; pages?: number } = {}): Promise<IppPrinterDouble> {
  const port = await closedPort();
  const spool = mkdtempSync(join(tmpdir(), 'bp-ipp-'));
  // The print command: at once, or a job that takes its time (ippeveprinter reports it processing meanwhile).
  let command = '/bin/true';
  const paper = join(spool, 'paper-loaded');
  if (o.printSeconds || o.paperOut) {
    command = join(spool, 'print.sh');
    const waitForPaper = o.paperOut ? `echo "STATE: +media-empty-error" >&2\nwhile [ ! -e '${paper}' ] && [ -d '${spool}' ]; do sleep 0.1; done\nrm -f '${paper}'\necho "STATE: -media-empty-error" >&2\n` : '';
    const printing = o.pages
      ? Array.from({ length: o.pages }, (_, i) => `sleep ${((o.printSeconds ?? 0) / o.pages!).toFixed(3)}\necho "ATTR: job-impressions-completed=${i + 1}" >&2\n`).join('')
      : `sleep ${o.printSeconds ?? 0}\n`;
    writeFileSync(command, `#!/bin/sh\n${waitForPaper}${printing}`, { mode: 0o755 });
  }
  // -r off: no DNS-SD advertising; -k: keep job files; -c /bin/true: "print" at once (its built-in simulation takes ~15 s a job).
  const naming = o.announceAs ? [] : ['-r', 'off', '-n', 'localhost'];
  const proc: ChildProcess = spawn('ippeveprinter', [...naming, '-p', String(port), '-d', spool, '-k', '-c', command, '-f', o.takes ?? 'application/pdf', ...(o.password ? ['-A'] : []), o.announceAs ?? 'benchprint-test'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', resolve));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (up) break;
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill();
      throw new Error(`ippeveprinter did not start on port ${port}: ${stderr.trim() || 'no output'} (is dbus/avahi running? see scripts/setup-tests.sh)`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    uri: `ipp://localhost:${port}/ipp/print`,
    port,
    jobFiles: () =>
      readdirSync(spool)
        .filter((f) => /^\d+-.*\.pdf$/.test(f))
        .sort((a, b) => parseInt(a, 10) - parseInt(b, 10))
        .map((f) => readFileSync(join(spool, f))),
    loadPaper: () => writeFileSync(paper, ''),
    loadMedia: async (main, byPass = '') => {
      const form = new URLSearchParams({ size1: main, type1: main ? 'stationery' : '', level1: main ? '250' : '-2', size3: byPass, type3: byPass ? 'envelope' : '', level3: byPass ? '25' : '-2' });
      const res = await fetch(`http://localhost:${port}/media?${form}`);
      if (!res.ok) throw new Error(`ippeveprinter's media page answered ${res.status}`);
    },
    close: async () => {
      proc.kill('SIGTERM');
      await exited;
      rmSync(spool, { recursive: true, force: true });
    },
  };
}
