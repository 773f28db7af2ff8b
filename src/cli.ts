// Command-line tools: `check-config` validates the config (and each printer) without starting the station.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, loadConfig, locateConfig } from './config/load.js';
import { configReferenceMarkdown } from './config/reference.js';
import { describeError, isStationError } from './errors.js';
import type { StationConfig } from './config/schema.js';
import { GoldleafClient } from './goldleaf/client.js';
import { GoldleafHttp } from './goldleaf/http.js';
import { ClockCheck } from './lib/clock-check.js';
import { ShopClock } from './lib/shop-clock.js';
import { Ledger } from './shop/ledger.js';
import { createPool, safeUrl } from './shop/pg.js';
import { silentLogger } from './logger.js';
import { loadPrinters, type Printer, type PrinterRegistry } from './printing/registry.js';
import { fitsStock, loadedWords, pageFits, sizeWords } from './labels/fit.js';
import type { DocumentFormat } from './printing/types.js';
import type { Stock } from './printing/media.js';
import { isFor, useOf } from './printing/uses.js';
import { DocumentService } from './documents/service.js';
import { loadFonts } from './labels/fonts.js';
import { TemplateRegistry } from './labels/templates.js';
import { layered } from './lib/template-folders.js';
import { SHIPPED_TEMPLATES } from './paths.js';

async function checkConfig(argv: string[]): Promise<number> {
  let loaded;
  try {
    loaded = loadConfig(locateConfig(argv, process.env, existsSync), process.env);
  } catch (err) {
    console.error(err instanceof ConfigError ? err.advice : describeError(err));
    return 2;
  }
  const printers = await loadPrinters(loaded.config.printers, silentLogger());
  const broken = printers.list().filter((p) => p.problem);
  const where = loaded.path ?? 'no config file (demo mode: sandbox and virtual printers)';
  console.log(`${where}: configuration is valid.`);
  // GoldLeaf and the shop ledger are asked once each (nothing changed there): a refused key, a wrong address or a PC
  // whose clock is days off is what an installer wants to hear before the first Monday.
  const servers = await checkServers(loaded.config);
  for (const line of servers.lines) console.log(line);
  // A usable entry is asked how the printer is now (a status question only, nothing printed): an entry that is right
  // for a printer that is off, or at another address, is what an installer wants to hear about before the first job.
  const now = new Map((await Promise.all(printers.list().filter((p) => !p.problem).map((p) => printers.refresh(p.id, 3000)))).map((v) => [v.id, v]));
  for (const p of printers.list()) {
    const view = now.get(p.id);
    const answers = view ? `; the printer now: ${view.state}${view.detail ? ` (${view.detail})` : ''}` : '';
    console.log(`printer ${p.id} (${p.entry.driver}, ${p.entry.uri}): ${p.problem ? `NOT USABLE: ${p.problem}` : `entry ok${answers}`}`);
  }
  await printers.close();
  const templates = templateProblems(loaded.config.station.templatesDir);
  for (const line of templates.lines) console.log(line);
  const rules = autoPrintProblems(loaded.config, printers, templates);
  for (const line of rules.lines) console.log(line);
  if (broken.length) console.log(`${broken.length} printer(s) will be reported as not usable; the station still starts.`);
  if (templates.problems) console.log(`${templates.problems} template file(s) will be skipped; the station still starts.`);
  return broken.length || templates.problems || servers.problems || rules.problems ? 1 : 0;
}

/**
 * Each auto-print rule against the printer it names: a rule that would be refused at every release (no such printer,
 * a format it does not take, a label or page larger than its stock) is said now, not in the log on Monday.
 */
function autoPrintProblems(config: StationConfig, printers: PrinterRegistry, t: { labels: TemplateRegistry; documents: DocumentService }): { lines: string[]; problems: number } {
  const lines: string[] = [];
  let problems = 0;
  const off = config.autoPrint.enabled ? '' : ' (auto-print is off)';
  for (const [i, rule] of config.autoPrint.rules.entries()) {
    const printer = printers.has(rule.printer) ? printers.get(rule.printer) : undefined;
    const why = ruleProblem(rule, printer, printers.stock(rule.printer), t);
    const id = rule.template ?? 'hose-tag';
    const name = `auto-print rule ${i + 1} (${rule.document}${rule.document === 'labels' ? ` ${id}` : ''} on ${rule.printer})`;
    const unseen = !why && rule.document === 'labels' && !t.labels.list().some((x) => x.def.id === id);
    if (why) problems++;
    lines.push(`${name}: ${why ? `WOULD BE REFUSED: ${why}` : unseen ? `"${id}" is not a template file: if it was made in the label designer it is in the station's database, not checked here` : 'ok'}${off}`);
  }
  return { lines, problems };
}

function ruleProblem(rule: StationConfig['autoPrint']['rules'][number], printer: Printer | undefined, stock: Stock | undefined, t: { labels: TemplateRegistry; documents: DocumentService }): string | undefined {
  if (!printer) return `there is no printer "${rule.printer}"`;
  if (printer.problem || !printer.driver) return 'its printer is not usable (above)';
  const takes = (f: DocumentFormat) => printer.driver!.formats.includes(f) || printer.driver!.formats.includes('file');
  if (!isFor(printer.entry, useOf(rule.document))) return `the printer is set to be for ${printer.entry.for!.join(', ')} only`;
  if (rule.document === 'labels') {
    const id = rule.template ?? 'hose-tag';
    const template = t.labels.list().find((x) => x.def.id === id);
    if (!template) return undefined; // not a file: one made in the label designer (said below)
    if (!printer.driver.formats.includes('zpl') && !printer.driver.formats.includes('pdf')) return `the printer takes ${printer.driver.formats.join(', ')}, not labels (ZPL or PDF)`;
    if (template.def.kind === 'zpl' && !printer.driver.formats.includes('zpl')) return `"${id}" is raw ZPL and the printer does not take ZPL`;
    if (!fitsStock(template.def.size, stock)) return `the label is ${sizeWords(template.def.size)}; the printer ${loadedWords(stock!)}`;
    return undefined;
  }
  const format: DocumentFormat = rule.document === 'datasheet' ? 'pdf' : rule.document === 'traveler' ? 'escpos' : 'file';
  if (!takes(format)) return `the printer takes ${printer.driver.formats.join(', ')}, not ${format}`;
  const page = rule.document === 'datasheet' ? t.documents.pageSize('datasheet') : undefined;
  if (page && printer.driver.formats.includes('pdf') && !pageFits(page, stock)) return `the datasheet is a page of ${sizeWords(page)}; the printer ${loadedWords(stock!)}`;
  return undefined;
}

/** GoldLeaf (a token and one page), this PC's clock against the servers' and, in a shop, the ledger. */
async function checkServers(config: StationConfig): Promise<{ lines: string[]; problems: number }> {
  const lines: string[] = [];
  let problems = 0;
  const clock = new ClockCheck({ clock: new ShopClock(config.station.timeZone), enabled: config.station.checkClock });
  const gl = config.goldleaf;
  if (gl.sandbox) lines.push('GoldLeaf: built-in sandbox');
  else {
    const http = new GoldleafHttp({ ...gl, maxRetries: 0 }, silentLogger(), fetch, { mono: () => clock.mono(), heard: (date, age, sent) => clock.heardDate('GoldLeaf', date, age, sent) });
    try {
      const { released } = await new GoldleafClient(http, gl).probe(AbortSignal.timeout(gl.requestTimeoutMs * 2));
      lines.push(`GoldLeaf: ${gl.baseUrl}: the key was accepted${released === undefined ? '' : `; ${released} released work orders`}`);
    } catch (err) {
      problems++;
      lines.push(`GoldLeaf: ${gl.baseUrl}: NOT USABLE: ${isStationError(err) ? err.advice : describeError(err)}`);
    }
  }
  if (config.shop?.databaseUrl) {
    const url = config.shop.databaseUrl;
    const pool = createPool(url, { connectTimeoutMs: config.shop.connectTimeoutMs, queryTimeoutMs: config.shop.connectTimeoutMs * 3, max: 1 });
    try {
      const sent = clock.mono();
      clock.heardTime('the shop ledger', await new Ledger(pool, url).now(), sent);
      lines.push(`shop ledger: ${safeUrl(url)}: reachable`);
    } catch (err) {
      problems++;
      lines.push(`shop ledger: ${safeUrl(url)}: NOT REACHABLE: ${isStationError(err) ? err.advice : describeError(err)} (the bench prints without it)`);
    } finally {
      await pool.end().catch(() => undefined);
    }
  }
  const v = clock.verdict();
  if (v.state === 'right') lines.push(`clock: this PC's clock agrees with ${v.reference!.source}'s`);
  else if (v.state === 'off') {
    if (v.holds) problems++;
    lines.push(`clock: ${v.holds ? 'WRONG: ' : ''}${v.message}`);
  }
  return { lines, problems };
}

/** The shop's templates folder over the shipped one: which files would be skipped, and why. */
function templateProblems(shopDir: string | undefined): { lines: string[]; problems: number; labels: TemplateRegistry; documents: DocumentService } {
  const shop = shopDir ? resolve(shopDir) : undefined;
  const labels = TemplateRegistry.load(layered(SHIPPED_TEMPLATES, shop, 'labels'));
  const documents = new DocumentService({ templatesDir: SHIPPED_TEMPLATES, ...(shop ? { shopTemplatesDir: shop } : {}), fonts: loadFonts(layered(SHIPPED_TEMPLATES, shop, 'fonts')), shopName: '', stationName: '' });
  const problems = [...labels.problems, ...documents.problems];
  const where = shop ? (existsSync(shop) ? `${shop}, over the shipped ones` : `${shop} DOES NOT EXIST: the shipped ones are used`) : 'the shipped ones';
  return { lines: [`templates: ${where}`, ...problems.map((p) => `template ${p.file}: NOT USABLE: ${p.problem}`)], problems: problems.length + (shop && !existsSync(shop) ? 1 : 0), labels, documents };
}

const [command, ...rest] = process.argv.slice(2);
const commands: Record<string, (argv: string[]) => Promise<number>> = {
  'check-config': checkConfig,
  'config-reference': async () => {
    console.log(configReferenceMarkdown());
    return 0;
  },
};
const run = command ? commands[command] : undefined;
if (!run) {
  console.error(`usage: benchprint <command>\ncommands: ${Object.keys(commands).join(', ')}`);
  process.exit(2);
}
process.exit(await run(rest));
