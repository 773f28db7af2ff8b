// Turns configured printer entries into live drivers; a broken entry carries its problem and the others run.
import { drivers } from '../../printers/index.js';
import { formatPath } from '../config/load.js';
import { printerEntrySchema, type PrinterEntry, type PrinterUse } from '../config/schema.js';
import { StationError, describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { configEntries, type PrinterSetupEntry, type PrinterSource } from './printer-setup.js';
import type { MediaSize, Stock } from './media.js';
import { type DriverDefinition, type PrintOptions, type PrintResult, type PrinterDriver, type PrinterState, type PrinterStatus, type PrintDocument } from './types.js';

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
  /** Labels it said it holds and has not printed yet, where it says (ZPL). */
  waiting?: number;
  /** Jobs it said it holds and has not finished, where it says (IPP). */
  jobsWaiting?: number;
  /** Where its settings come from (the config file, changed here, added here). */
  source: PrinterSource;
  /** Set when someone disabled it: its jobs wait, new ones are refused. */
  disabled?: { reason: string; by: string; at: string };
  /** The stock it has loaded, where known (see PrinterRegistry.stock). */
  stock?: Stock;
  /** What it is set to be for, where not for everything its formats take (its entry's `for`). */
  for?: readonly PrinterUse[];
}

export interface Printer {
  readonly id: string;
  readonly entry: PrinterEntry;
  readonly driver?: PrinterDriver;
  readonly problem?: string;
  readonly source: PrinterSource;
  readonly disabled?: { reason: string; by: string; at: string };
  /** The entry as written: a printer whose entry did not change keeps its driver (and its connections). */
  readonly written: string;
}

export class PrinterRegistry {
  private printers = new Map<string, Printer>();
  private readonly seen = new Map<string, { status: PrinterStatus; checkedAt: string; lastSeenAt?: string }>();
  /** The media each printer last said it has loaded (kept while it is offline: the paper does not change with it). */
  private readonly sensed = new Map<string, MediaSize[]>();
  private readonly statusListeners = new Set<(id: string, status: PrinterStatus) => void>();
  private readonly changeListeners = new Set<() => void>();
  /** Prints under way per driver: a driver replaced or removed is closed when its last one ends. */
  private readonly inFlight = new Map<PrinterDriver, number>();
  private readonly retired = new Set<PrinterDriver>();

  constructor(printers: Printer[]) {
    for (const p of printers) this.printers.set(p.id, p);
  }

  list(): Printer[] {
    return [...this.printers.values()];
  }

  has(id: string): boolean {
    return this.printers.has(id);
  }

  get(id: string): Printer {
    const printer = this.printers.get(id);
    if (!printer) throw new StationError('PRINTER_NOT_FOUND', `There is no printer "${id}".`, { status: 404, hint: `Known printers: ${[...this.printers.keys()].join(', ') || 'none'}.` });
    return printer;
  }

  /**
   * Takes a new set of printers (the config's with the bench's changes). An unchanged entry keeps its driver; a
   * changed or removed one gets a new driver or none, and its old driver closes once the print under way on it ends.
   */
  async apply(entries: readonly PrinterSetupEntry[], logger: Logger): Promise<void> {
    const next = new Map<string, Printer>();
    for (const setup of entries) {
      const old = this.printers.get(setup.id);
      const written = JSON.stringify(setup.raw);
      const printer = old && old.written === written ? withSetup(old, setup) : await buildPrinter(setup, logger);
      next.set(printer.id, printer);
    }
    const before = this.printers;
    this.printers = next;
    for (const old of before.values()) {
      if (old.driver && next.get(old.id)?.driver !== old.driver) (this.retire(old.driver), this.sensed.delete(old.id));
    }
    for (const id of before.keys()) if (!next.has(id)) this.seen.delete(id);
    for (const listener of this.changeListeners) listener();
  }

  /** Hears every change of the set of printers (added, changed, disabled, removed). */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  private retire(driver: PrinterDriver): void {
    if ((this.inFlight.get(driver) ?? 0) > 0) this.retired.add(driver);
    else void driver.close?.();
  }

  /**
   * The stock a printer has loaded: as its entry says (the config file or the Printers screen), else as the printer
   * itself last said (IPP: media-ready), else not known.
   */
  stock(id: string): Stock | undefined {
    const printer = this.printers.get(id);
    if (!printer) return undefined;
    if (printer.entry.media) return { sizes: [printer.entry.media], from: 'config' };
    const sensed = this.sensed.get(id);
    return sensed ? { sizes: sensed, from: 'printer' } : undefined;
  }

  /** The printer's driver, if it can take `format`: throws with the reason (broken entry, disabled, wrong format) when not. */
  usable(id: string, format: string): PrinterDriver {
    const printer = this.get(id);
    if (printer.problem || !printer.driver) {
      throw new StationError('PRINTER_NOT_USABLE', `${printerWords(id, printer.entry)} is not usable: ${printer.problem ?? 'no driver'}.`, { status: 409, hint: 'Fix its settings (kiosk: Printers, or the config file).' });
    }
    if (printer.disabled) {
      throw new StationError('PRINTER_DISABLED', `${printer.entry.name ?? id} is disabled (${printer.disabled.reason}, by ${printer.disabled.by}).`, {
        status: 409,
        hint: 'Choose another printer, or enable it again (kiosk: Printers).',
      });
    }
    if (!printer.driver.formats.includes(format as never)) {
      throw new StationError('FORMAT_NOT_ACCEPTED', `${printerWords(id, printer.entry)} takes ${printer.driver.formats.join(', ')}, not ${format}.`, {
        status: 422,
        hint: 'Choose a printer that accepts this document, or another document for this printer.',
      });
    }
    return printer.driver;
  }

  /** How many one-label jobs the printer takes as one delivery now (1 when it cannot be used or does not join). */
  joins(id: string): number {
    const printer = this.printers.get(id);
    return printer && !printer.problem && !printer.disabled ? (printer.driver?.joins ?? 1) : 1;
  }

  /** Delivers a document; refuses a printer with a problem or a format it does not take before a byte moves. */
  async print(id: string, document: PrintDocument, options: PrintOptions): Promise<PrintResult> {
    const driver = this.usable(id, document.format);
    this.inFlight.set(driver, (this.inFlight.get(driver) ?? 0) + 1);
    try {
      const result = await driver.print(document, options);
      const at = new Date().toISOString();
      const known = this.seen.get(id);
      this.seen.set(id, { status: known?.status ?? { state: 'ready' }, checkedAt: known?.checkedAt ?? at, lastSeenAt: at });
      return result;
    } finally {
      const left = (this.inFlight.get(driver) ?? 1) - 1;
      if (left > 0) this.inFlight.set(driver, left);
      else {
        this.inFlight.delete(driver);
        if (this.retired.delete(driver)) void driver.close?.();
      }
    }
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
    if (status.media?.length) this.sensed.set(id, status.media);
    return changed;
  }

  /** Asks the device (bounded in time) and remembers when it last answered. */
  async refresh(id: string, timeoutMs = 3000): Promise<PrinterView> {
    const printer = this.get(id);
    if (printer.driver?.status && !printer.disabled) {
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
      if (status.media?.length) this.sensed.set(id, status.media);
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
    const stock = this.stock(printer.id);
    const state: PrinterState = printer.problem ? 'error' : printer.disabled ? 'disabled' : (known?.status.state ?? 'unknown');
    return {
      id: printer.id,
      source: printer.source,
      ...(printer.disabled ? { disabled: printer.disabled } : {}),
      name: printer.entry.name ?? printer.id,
      driver: printer.entry.driver,
      uri: printer.entry.uri,
      formats: printer.driver?.formats ?? [],
      state,
      ...(printer.problem
        ? { problem: printer.problem, detail: printer.problem }
        : printer.disabled
          ? { detail: `disabled: ${printer.disabled.reason}` }
          : known?.status.detail
            ? { detail: known.status.detail }
            : {}),
      ...(known?.status.waiting ? { waiting: known.status.waiting } : {}),
      ...(known?.status.jobsWaiting ? { jobsWaiting: known.status.jobsWaiting } : {}),
      ...(stock ? { stock } : {}),
      ...(printer.entry.for ? { for: printer.entry.for } : {}),
      ...(known?.lastSeenAt ? { lastSeenAt: known.lastSeenAt } : {}),
      ...(known?.checkedAt ? { checkedAt: known.checkedAt } : {}),
    };
  }

  views(): PrinterView[] {
    return this.list().map((p) => this.view(p));
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.list().map((p) => p.driver?.close?.()), ...[...this.retired].map((d) => d.close?.())]);
  }
}

/** Builds every configured printer; a bad entry becomes a printer with a problem, never a crash. */
export async function loadPrinters(entries: readonly unknown[], logger: Logger): Promise<PrinterRegistry> {
  return loadPrinterSetup(
    configEntries(entries).map((e) => ({ ...e, source: 'config' as const })),
    logger,
  );
}

/** Builds the printers the station runs (the config's with the bench's changes); a bad one carries its problem. */
export async function loadPrinterSetup(entries: readonly PrinterSetupEntry[], logger: Logger): Promise<PrinterRegistry> {
  const printers: Printer[] = [];
  for (const setup of entries) printers.push(await buildPrinter(setup, logger));
  return new PrinterRegistry(printers);
}

function withSetup(printer: Printer, setup: PrinterSetupEntry): Printer {
  const { disabled: _was, ...rest } = printer;
  return { ...rest, source: setup.source, ...(setup.disabled ? { disabled: setup.disabled } : {}) };
}

/**
 * Checks a printer entry the way the station builds it: the entry's shape, its driver, the driver's address scheme and
 * its options. Returns every problem in plain words (none: it can be built).
 */
export async function checkPrinterEntry(raw: unknown): Promise<{ entry?: PrinterEntry; definition?: DriverDefinition<unknown>; options?: unknown; problems: string[] }> {
  const parsed = printerEntrySchema.safeParse(raw);
  if (!parsed.success) return { problems: parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`) };
  const entry = parsed.data;
  const load = drivers[entry.driver];
  if (!load) return { entry, problems: [`driver: unknown driver "${entry.driver}"; known drivers: ${Object.keys(drivers).join(', ')}`] };
  const definition = (await load()).default as DriverDefinition<unknown>;
  let uri: URL;
  try {
    uri = new URL(entry.uri);
  } catch {
    return { entry, definition, problems: [`uri: "${entry.uri}" is not a URI; expected e.g. ${definition.uriSchemes[0]}//…`] };
  }
  if (!definition.uriSchemes.includes(uri.protocol)) return { entry, definition, problems: [`uri: driver ${definition.name} takes ${definition.uriSchemes.join(' or ')} addresses, not ${uri.protocol}`] };
  const options = definition.optionsSchema.safeParse(entry.options);
  if (!options.success) return { entry, definition, problems: options.error.issues.map((i) => `options.${formatPath(i.path)}: ${i.message}`) };
  return { entry, definition, options: options.data, problems: [] };
}

async function buildPrinter(setup: PrinterSetupEntry, logger: Logger): Promise<Printer> {
  const written = JSON.stringify(setup.raw);
  const meta = { source: setup.source, written, ...(setup.disabled ? { disabled: setup.disabled } : {}) };
  let checked: Awaited<ReturnType<typeof checkPrinterEntry>>;
  try {
    checked = await checkPrinterEntry(setup.raw);
  } catch (err) {
    checked = { problems: [describeError(err)] };
  }
  const id = setup.id;
  // An entry that cannot be built is shown as written, as far as it says.
  const said = (key: string) => (typeof (setup.raw as Record<string, unknown> | null)?.[key] === 'string' ? ((setup.raw as Record<string, string>)[key] as string) : '?');
  const entry: PrinterEntry = checked.entry && checked.entry.id === id ? checked.entry : { id, driver: said('driver'), uri: said('uri'), dpmm: 8, options: {} };
  if (setup.problem || checked.problems.length || !checked.definition) {
    const problem = [...(setup.problem ? [setup.problem] : []), ...checked.problems].join('; ');
    logger.error({ printer: id }, `printer ${id} is not usable: ${problem}`);
    return { id, entry, problem, ...meta };
  }
  try {
    const driver = checked.definition.create(
      { id: entry.id, uri: new URL(entry.uri), dpmm: entry.dpmm, ...(entry.media ? { media: entry.media } : {}), options: checked.options },
      { logger: logger.child({ printer: entry.id }) },
    );
    return { id, entry, driver, ...meta };
  } catch (err) {
    const problem = describeError(err);
    logger.error({ printer: id }, `printer ${id} is not usable: ${problem}`);
    return { id, entry, problem, ...meta };
  }
}

/**
 * A printer in an error's words: its name as the kiosk shows it, with the id an API caller or the config knows it by
 * ('Zebra tags (printer "tags")'); the id alone when it has no name.
 */
export function printerWords(id: string, entry: { name?: string | undefined }): string {
  return entry.name && entry.name !== id ? `${entry.name} (printer "${id}")` : `Printer "${id}"`;
}
