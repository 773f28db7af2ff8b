// Printers set up from the bench: add, change, disable, remove; applied at once (a changed printer's job in flight
// finishes on its old connection first); discovery scans; ZPL setup actions. Every change is checked exactly as the
// config file's printers are, and stored over the config file's starting set.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { StationError, describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { JobStore } from '../queue/job-store.js';
import { drivers } from '../../printers/index.js';
import { browseDnsSd, type FoundPrinter } from './discovery.js';
import { hostsOf, scanSubnet, type ScanProgress } from './scan.js';
import type { RawListeners } from './listener.js';
import type { PrinterSetupStore } from './printer-setup.js';
import { checkPrinterEntry, type PrinterRegistry, type PrinterView } from './registry.js';
import type { SetupAction, SetupResult } from './types.js';

export interface PrinterAdminDeps {
  setup: PrinterSetupStore;
  registry: PrinterRegistry;
  /** The config file's printers: the starting set. */
  configPrinters: readonly unknown[];
  jobs: JobStore;
  listeners: RawListeners;
  logger: Logger;
}

export interface AdminPrinter extends PrinterView {
  /** The entry as stored or written (what the form edits). */
  settings: unknown;
  setupActions: readonly string[];
  listener?: ReturnType<RawListeners['view']>;
  openJobs: number;
}

export interface DriverInfo {
  name: string;
  description: string;
  uriSchemes: readonly string[];
  /** The driver's options as JSON Schema, for the form. */
  options: unknown;
}

export class PrinterAdmin {
  private readonly scans = new Map<string, ScanProgress & { controller: AbortController }>();
  /** Changes run one after another: each checks and applies against the printers as the one before left them. */
  private serial: Promise<unknown> = Promise.resolve();

  constructor(private readonly d: PrinterAdminDeps) {}


  list(): AdminPrinter[] {
    const written = new Map(this.d.setup.effective(this.d.configPrinters).map((e) => [e.id, e.raw]));
    return this.d.registry.list().map((p) => ({
      ...this.d.registry.view(p),
      settings: written.get(p.id) ?? p.entry,
      setupActions: p.driver?.setupActions ?? [],
      ...(this.d.listeners.view(p.id) ? { listener: this.d.listeners.view(p.id) } : {}),
      openJobs: this.d.jobs.countOpen(p.id),
    }));
  }

  async drivers(): Promise<DriverInfo[]> {
    return Promise.all(
      Object.entries(drivers).map(async ([name, load]) => {
        const def = (await load()).default;
        return { name, description: def.description, uriSchemes: def.uriSchemes, options: z.toJSONSchema(def.optionsSchema as z.ZodType, { io: 'input', unrepresentable: 'any' }) };
      }),
    );
  }

  /** Checks an entry as the station would build it; throws naming every problem. */
  private async check(raw: unknown): Promise<void> {
    const { problems } = await checkPrinterEntry(raw);
    if (problems.length) {
      throw new StationError('PRINTER_INVALID', `These printer settings cannot work: ${problems.join('; ')}.`, { status: 422, details: { issues: problems } });
    }
    const listen = (raw as { listen?: unknown; driver?: string }).listen;
    if (listen && !['zpl', 'escpos'].includes(String((raw as { driver?: string }).driver))) {
      throw new StationError('PRINTER_INVALID', 'listen: only ZPL and ESC/POS printers can take raw data from the LAN.', { status: 422, details: { issues: ['listen: only for zpl and escpos printers'] } });
    }
    if (listen) {
      const port = (listen as { port?: number }).port;
      const other = this.d.registry.list().find((p) => p.id !== (raw as { id?: string }).id && p.entry.listen?.port === port);
      if (other) throw new StationError('PRINTER_INVALID', `listen.port: ${port} is already where ${other.entry.name ?? other.id} listens.`, { status: 422, details: { issues: [`listen.port: in use by ${other.id}`] } });
    }
  }

  private inTurn<T>(change: () => Promise<T>): Promise<T> {
    const run = this.serial.then(change, change);
    this.serial = run.catch(() => undefined);
    return run;
  }

  private async apply(): Promise<void> {
    await this.d.registry.apply(this.d.setup.effective(this.d.configPrinters), this.d.logger);
    await this.d.listeners.sync();
  }

  add(raw: unknown, by: string): Promise<AdminPrinter> {
    return this.inTurn(async () => {
      await this.check(raw);
      const id = (raw as { id: string }).id;
      if (this.d.registry.has(id)) throw new StationError('PRINTER_EXISTS', `There is already a printer "${id}".`, { status: 409, hint: 'Choose another id, or change that printer.' });
      this.d.setup.save(id, raw, by);
      await this.apply();
      this.d.logger.info({ printer: id, by }, `printer ${id} added`);
      return this.get(id);
    });
  }

  change(id: string, raw: unknown, by: string): Promise<AdminPrinter> {
    return this.inTurn(async () => {
      this.d.registry.get(id);
      if ((raw as { id?: unknown })?.id !== undefined && (raw as { id?: unknown }).id !== id) {
        throw new StationError('PRINTER_INVALID', `id: a printer keeps its id ("${id}"); add a new printer for another one.`, { status: 422 });
      }
      const entry = { ...(raw as object), id };
      await this.check(entry);
      this.d.setup.save(id, entry, by);
      await this.apply();
      this.d.logger.info({ printer: id, by }, `printer ${id} changed`);
      return this.get(id);
    });
  }

  setEnabled(id: string, enabled: boolean, reason: string | undefined, by: string): Promise<AdminPrinter> {
    return this.inTurn(async () => {
      this.d.registry.get(id);
      this.d.setup.setDisabled(id, !enabled, reason?.trim() || 'disabled at the bench', by);
      await this.apply();
      this.d.logger.info({ printer: id, by, reason }, `printer ${id} ${enabled ? 'enabled' : 'disabled'}`);
      return this.get(id);
    });
  }

  remove(id: string, by: string): Promise<void> {
    return this.inTurn(async () => {
      const printer = this.d.registry.get(id);
      const open = this.d.jobs.countOpen(id);
      if (open > 0) {
        throw new StationError('PRINTER_HAS_JOBS', `${printer.entry.name ?? id} still has ${open} job${open === 1 ? '' : 's'} waiting, printing or needing attention.`, {
          status: 409,
          hint: 'Move them to another printer or cancel them first; disable the printer to stop it taking new ones.',
        });
      }
      this.d.setup.remove(id, printer.source !== 'added here', by);
      await this.apply();
      this.d.logger.info({ printer: id, by }, `printer ${id} removed`);
    });
  }

  get(id: string): AdminPrinter {
    const found = this.list().find((p) => p.id === id);
    if (!found) throw new StationError('PRINTER_NOT_FOUND', `There is no printer "${id}".`, { status: 404 });
    return found;
  }

  /** A setup action (calibrate, darkness, speed, identify) on a printer that offers it, never during one of its jobs. */
  async runSetup(id: string, action: SetupAction, by: string): Promise<SetupResult> {
    const printer = this.d.registry.get(id);
    if (!printer.driver?.setup || !printer.driver.setupActions?.includes(action.action)) {
      throw new StationError('NOT_SUPPORTED', `${printer.entry.name ?? id} (${printer.entry.driver}) cannot ${action.action} from here.`, { status: 422, hint: 'Calibration, darkness and speed are for ZPL printers.' });
    }
    if (this.d.jobs.list({ printerId: id, state: 'printing', limit: 1 }).length) {
      throw new StationError('PRINTER_BUSY', `${printer.entry.name ?? id} is printing a job: set it up when the job is done.`, { status: 409, retryable: true });
    }
    const result = await printer.driver.setup(action, AbortSignal.timeout(30_000));
    this.d.logger.info({ printer: id, by, action: action.action }, `printer ${id}: ${result.said}`);
    return result;
  }

  async browse(): Promise<FoundPrinter[]> {
    return this.mark(await browseDnsSd(2500));
  }

  /** Starts a subnet scan; its progress is read with scan(id). One at a time. */
  startScan(subnet: string, ports: number[]): ScanProgress {
    const running = [...this.scans.values()].find((s) => !s.done);
    if (running) throw new StationError('SCAN_RUNNING', `A scan of ${running.subnet} is still running (${running.checked} of ${running.total}).`, { status: 409, retryable: true });
    hostsOf(subnet, 1024); // a bad or too large subnet is said now
    const controller = new AbortController();
    const progress: ScanProgress & { controller: AbortController } = { id: randomUUID(), subnet, ports, total: 0, checked: 0, found: [], done: false, startedAt: new Date().toISOString(), controller };
    void scanSubnet(progress, {}, controller.signal).catch((err: unknown) => {
      progress.done = true;
      progress.stopped = describeError(err);
    });
    this.scans.set(progress.id, progress);
    for (const old of [...this.scans.keys()].slice(0, -5)) this.scans.delete(old);
    return this.scanView(progress);
  }

  scan(id: string): ScanProgress {
    const s = this.scans.get(id);
    if (!s) throw new StationError('SCAN_NOT_FOUND', `There is no scan ${id}.`, { status: 404 });
    return this.scanView(s);
  }

  private scanView(s: ScanProgress & { controller?: AbortController }): ScanProgress & { found: Array<FoundPrinter & { known?: string }> } {
    const { controller: _c, ...view } = s;
    return { ...view, found: this.mark(view.found) };
  }

  /** Says which found printers the station already has (same address and port). */
  private mark(found: FoundPrinter[]): Array<FoundPrinter & { known?: string }> {
    const known = this.d.registry.list().map((p) => {
      try {
        const u = new URL(p.entry.uri);
        return { id: p.id, host: u.hostname, port: Number(u.port) || (u.protocol === 'tcp:' ? 9100 : 631) };
      } catch {
        return undefined;
      }
    });
    return found.map((f) => {
      const k = known.find((k) => k && k.host === f.address && k.port === f.port);
      return k ? { ...f, known: k.id } : f;
    });
  }

  close(): void {
    for (const s of this.scans.values()) s.controller.abort();
  }
}
