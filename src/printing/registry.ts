// Turns configured printer entries into live drivers; a broken entry carries its problem and the others run.
import { drivers } from '../../printers/index.js';
import { formatPath } from '../config/load.js';
import { printerEntrySchema, type PrinterEntry } from '../config/schema.js';
import { StationError, describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { type PrintOptions, type PrintResult, type PrinterDriver, type PrinterState, type PrinterStatus, type RenderedDocument } from './types.js';

export interface PrinterView {
  id: string;
  name: string;
  driver: string;
  uri: string;
  formats: readonly string[];
  state: PrinterState;
  detail?: string;
  /** When the device last answered, ISO time. */
  lastSeenAt?: string;
  checkedAt?: string;
  /** A configuration problem that keeps this printer from working. */
  problem?: string;
}

export interface Printer {
  readonly id: string;
  readonly entry: PrinterEntry;
  readonly driver?: PrinterDriver;
  readonly problem?: string;
}

export class PrinterRegistry {
  private readonly printers = new Map<string, Printer>();
  private readonly seen = new Map<string, { status: PrinterStatus; checkedAt: string; lastSeenAt?: string }>();
  private readonly statusListeners = new Set<(id: string, status: PrinterStatus) => void>();

  constructor(printers: Printer[]) {
    for (const p of printers) this.printers.set(p.id, p);
  }

  list(): Printer[] {
    return [...this.printers.values()];
  }

  get(id: string): Printer {
    const printer = this.printers.get(id);
    if (!printer) throw new StationError('PRINTER_NOT_FOUND', `There is no printer "${id}".`, { status: 404, hint: `Known printers: ${[...this.printers.keys()].join(', ') || 'none'}.` });
    return printer;
  }

  /** The printer's driver, if it can take `format`: throws with the reason (broken entry, wrong format) when not. */
  usable(id: string, format: string): PrinterDriver {
    const printer = this.get(id);
    if (printer.problem || !printer.driver) {
      throw new StationError('PRINTER_NOT_USABLE', `Printer "${id}" is not usable: ${printer.problem ?? 'no driver'}.`, { status: 409, hint: 'Fix its entry in the config and restart the station.' });
    }
    if (!printer.driver.formats.includes(format as never)) {
      throw new StationError('FORMAT_NOT_ACCEPTED', `Printer "${id}" takes ${printer.driver.formats.join(', ')}, not ${format}.`, {
        status: 422,
        hint: 'Choose a printer that accepts this document, or another document for this printer.',
      });
    }
    return printer.driver;
  }

  /** Delivers a document; refuses a printer with a problem or a format it does not take before a byte moves. */
  async print(id: string, document: RenderedDocument, options: PrintOptions): Promise<PrintResult> {
    const driver = this.usable(id, document.format);
    const result = await driver.print(document, options);
    const at = new Date().toISOString();
    const known = this.seen.get(id);
    this.seen.set(id, { status: known?.status ?? { state: 'ready' }, checkedAt: known?.checkedAt ?? at, lastSeenAt: at });
    return result;
  }

  /** Hears every status a printer gives (polled or during a job); returns the function that stops listening. */
  onStatus(listener: (id: string, status: PrinterStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Remembers what the printer said during a job (its answers on the job's own connection); true if it changed. */
  note(id: string, status: PrinterStatus): boolean {
    const at = new Date().toISOString();
    const known = this.seen.get(id);
    const changed = known?.status.state !== status.state || known?.status.detail !== status.detail;
    this.seen.set(id, { status, checkedAt: at, lastSeenAt: status.state === 'offline' ? known?.lastSeenAt : at });
    return changed;
  }

  /** Asks the device (bounded in time) and remembers when it last answered. */
  async refresh(id: string, timeoutMs = 3000): Promise<PrinterView> {
    const printer = this.get(id);
    if (printer.driver?.status) {
      const checkedAt = new Date().toISOString();
      let status: PrinterStatus;
      try {
        status = await printer.driver.status(AbortSignal.timeout(timeoutMs));
      } catch (err) {
        status = { state: 'error', detail: describeError(err) };
      }
      const previous = this.seen.get(id);
      const answered = status.state !== 'offline' && status.state !== 'unknown';
      this.seen.set(id, { status, checkedAt, lastSeenAt: answered ? checkedAt : previous?.lastSeenAt });
      for (const listener of this.statusListeners) listener(id, status);
    }
    return this.view(printer);
  }

  async refreshAll(timeoutMs?: number): Promise<PrinterView[]> {
    return Promise.all(this.list().map((p) => this.refresh(p.id, timeoutMs)));
  }

  /** The last known state, without asking the device. */
  view(printer: Printer): PrinterView {
    const known = this.seen.get(printer.id);
    const state: PrinterState = printer.problem ? 'error' : (known?.status.state ?? 'unknown');
    return {
      id: printer.id,
      name: printer.entry.name ?? printer.id,
      driver: printer.entry.driver,
      uri: printer.entry.uri,
      formats: printer.driver?.formats ?? [],
      state,
      ...(printer.problem ? { problem: printer.problem, detail: printer.problem } : known?.status.detail ? { detail: known.status.detail } : {}),
      ...(known?.lastSeenAt ? { lastSeenAt: known.lastSeenAt } : {}),
      ...(known?.checkedAt ? { checkedAt: known.checkedAt } : {}),
    };
  }

  views(): PrinterView[] {
    return this.list().map((p) => this.view(p));
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.list().map((p) => p.driver?.close?.()));
  }
}

/** Builds every configured printer; a bad entry becomes a printer with a problem, never a crash. */
export async function loadPrinters(entries: readonly unknown[], logger: Logger): Promise<PrinterRegistry> {
  const printers: Printer[] = [];
  for (const [index, raw] of entries.entries()) {
    const parsed = printerEntrySchema.safeParse(raw);
    if (!parsed.success) {
      // The config loader already refused such a file; this guards programmatic callers.
      const id = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : `printer-${index + 1}`;
      const problem = parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; ');
      printers.push({ id, entry: { id, driver: '?', uri: '?', dpmm: 8, options: {} }, problem });
      continue;
    }
    const entry = parsed.data;
    const problem = (message: string) => {
      logger.error({ printer: entry.id }, `printer ${entry.id} is not usable: ${message}`);
      printers.push({ id: entry.id, entry, problem: message });
    };
    const load = drivers[entry.driver];
    if (!load) {
      problem(`unknown driver "${entry.driver}"; known drivers: ${Object.keys(drivers).join(', ')}`);
      continue;
    }
    try {
      const definition = (await load()).default;
      let uri: URL;
      try {
        uri = new URL(entry.uri);
      } catch {
        problem(`uri "${entry.uri}" is not a URI; expected e.g. ${definition.uriSchemes[0]}//…`);
        continue;
      }
      if (!definition.uriSchemes.includes(uri.protocol)) {
        problem(`driver ${definition.name} takes ${definition.uriSchemes.join(' or ')} addresses, not ${uri.protocol}`);
        continue;
      }
      const options = definition.optionsSchema.safeParse(entry.options);
      if (!options.success) {
        problem(options.error.issues.map((i) => `options.${formatPath(i.path)}: ${i.message}`).join('; '));
        continue;
      }
      const driver = definition.create(
        { id: entry.id, uri, dpmm: entry.dpmm, ...(entry.media ? { media: entry.media } : {}), options: options.data },
        { logger: logger.child({ printer: entry.id }) },
      );
      printers.push({ id: entry.id, entry, driver });
    } catch (err) {
      problem(describeError(err));
    }
  }
  return new PrinterRegistry(printers);
}
