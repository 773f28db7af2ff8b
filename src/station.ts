// Wires a whole station from a loaded config: store, GoldLeaf (or the sandbox), sync, printers, HTTP server.
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from './app.js';
import { PACKAGE_ROOT, SHIPPED_TEMPLATES } from './paths.js';
import type { LoadedConfig } from './config/load.js';
import type { GoldleafConfig } from './config/schema.js';
import { StationError, describeError } from './errors.js';
import { EventBus } from './events.js';
import { DocumentService } from './documents/service.js';
import { LabelEngine } from './labels/engine.js';
import { SerialStore } from './labels/serials.js';
import { TemplateStore } from './labels/template-store.js';
import { GoldleafClient } from './goldleaf/client.js';
import { GoldleafHttp } from './goldleaf/http.js';
import type { Logger } from './logger.js';
import { RawListeners } from './printing/listener.js';
import { PrinterAdmin } from './printing/printer-admin.js';
import { PrinterSetupStore } from './printing/printer-setup.js';
import { loadPrinterSetup, type PrinterRegistry } from './printing/registry.js';
import { SANDBOX_KEY, startSandbox, type RunningSandbox } from './sandbox/server.js';
import { acquireInstanceLock } from './store/instance-lock.js';
import { checkpointInBackground } from './store/checkpoints.js';
import { BackgroundThread } from './background/thread.js';
import { openStore, type Store } from './store/store.js';
import { WorkOrderCache } from './sync/cache.js';
import { SyncService } from './sync/sync.js';
import { JobStore } from './queue/job-store.js';
import { PrintQueue } from './queue/queue.js';
import { Submissions } from './queue/submissions.js';
import { ownHosts } from './http/guards.js';
import { KioskSessions, PinAttempts, kioskSecret } from './http/kiosk-session.js';
import { ShopService } from './shop/service.js';
import { startAutoPrint } from './queue/auto-print.js';
import { jobFitsOn, type RequestDeps } from './queue/requests.js';
import { findPrintableWorkOrder } from './routes/work-orders.js';
import type { CachedWorkOrder } from './domain/work-order.js';
import { ShopClock } from './lib/shop-clock.js';
import { ClockCheck, duration } from './lib/clock-check.js';
import { tagsMade } from './queue/printed-lines.js';
import { otherBenchesLineTags } from './shop/line-tags.js';


export interface RunningStation {
  url: string;
  /** The app itself, for in-process requests in tests. */
  app: ReturnType<typeof createApp>;
  kioskUrls: string[];
  sandbox?: RunningSandbox;
  store: Store;
  printers: PrinterRegistry;
  sync: SyncService;
  events: EventBus;
  queue: PrintQueue;
  jobs: JobStore;
  shop?: ShopService;
  printerAdmin: PrinterAdmin;
  /** Label templates made at the station (the designer's store). */
  templates: TemplateStore;
  /** Stops accepting, lets requests in flight finish (bounded by the grace period), closes everything. */
  stop(): Promise<void>;
}

export async function startStation(loaded: LoadedConfig, logger: Logger, options: { startSync?: boolean; startQueue?: boolean } = {}): Promise<RunningStation> {
  const { config } = loaded;
  const dataDir = resolve(config.station.dataDir);
  const cleanup: Array<() => unknown> = [];
  const undo = async () => {
    for (const step of cleanup.reverse()) await step();
  };
  try {
    cleanup.push(acquireInstanceLock(dataDir));
    const store = openStore(join(dataDir, 'benchprint.db'));
    cleanup.push(() => store.close());
    // One thread off the event loop for the log's checkpoints and PDF labels; ended after them, before the store.
    const background = new BackgroundThread();
    cleanup.push(() => background.close());
    const checkpoints = checkpointInBackground(store, background);
    cleanup.push(() => checkpoints.stop());

    let goldleaf: GoldleafConfig = config.goldleaf;
    let sandbox: RunningSandbox | undefined;
    if (config.goldleaf.sandbox) {
      sandbox = await startSandbox();
      cleanup.push(() => sandbox!.close());
      goldleaf = { ...goldleaf, baseUrl: sandbox.baseUrl, tokenUrl: sandbox.tokenUrl, ...SANDBOX_KEY };
    }
    const glLogger = logger.child({ component: 'goldleaf' });
    const clock = new ShopClock(config.station.timeZone);
    const jobs = new JobStore(store);
    // The PC's clock dates tags and papers: every GoldLeaf answer's time checks it (a PC without a clock battery).
    const clockLogger = logger.child({ component: 'clock' });
    const clockCheck = new ClockCheck({
      clock,
      enabled: config.station.checkClock,
      ...(jobs.newestAt() ? { newestRecord: jobs.newestAt()! } : {}),
      // A clock set while jobs wait: their expiry and next try move with it (nothing expires early, nothing waits days).
      onStep: (ms) => {
        const moved = jobs.shiftWaitingTimes(ms);
        clockLogger.warn({ stepMs: ms, jobsMoved: moved }, `this PC's clock was set ${ms > 0 ? 'forward' : 'back'} by ${duration(ms)}; the expiry and next try of ${moved} waiting ${moved === 1 ? 'job' : 'jobs'} moved with it`);
      },
      onChange: (v) => {
        if (v.state === 'unchecked') clockLogger.debug({ clock: v }, "this PC's clock is not checked (no server heard yet, or station.checkClock is off)");
        else if (v.state === 'right') clockLogger.info({ clock: v }, `this PC's clock agrees with ${v.reference!.source}'s`);
        else clockLogger.warn({ clock: v }, v.message!);
      },
    });
    cleanup.push(clockCheck.watch());
    const client = new GoldleafClient(new GoldleafHttp(goldleaf, glLogger, fetch, { mono: () => clockCheck.mono(), heard: (date, age, sent) => clockCheck.heardDate('GoldLeaf', date, age, sent) }), goldleaf);
    const events = new EventBus();
    const workOrders = new WorkOrderCache(store);
    const sync = new SyncService({
      client,
      cache: workOrders,
      events,
      logger: logger.child({ component: 'sync' }),
      config: config.sync,
      releasedStatuses: goldleaf.releasedStatuses,
      source: sandbox ? 'sandbox' : 'goldleaf',
    });
    cleanup.push(() => sync.stop());
    // The config file's printers are the starting set; the bench's own changes (added, changed, disabled, removed) apply on top.
    const printerSetup = new PrinterSetupStore(store);
    const printers = await loadPrinterSetup(printerSetup.effective(config.printers), logger.child({ component: 'printers' }));
    cleanup.push(printers.onChange(() => events.emit({ type: 'printers.configured' })));
    cleanup.push(() => printers.close());

    // A bench in a shop takes its serials from blocks leased from the ledger and ships its history there.
    let wonRelease: (wo: CachedWorkOrder) => void = () => undefined;
    const shop = config.shop
      ? new ShopService(
          {
            config: config.shop,
            store,
            jobs,
            serialPrefix: config.station.serialPrefix,
            stationName: config.station.name,
            events,
            logger: logger.child({ component: 'shop' }),
            serverTime: { mono: () => clockCheck.mono(), heard: (at, sent) => clockCheck.heardTime('the shop ledger', at, sent) },
          },
          (wo) => wonRelease(wo),
        )
      : undefined;
    const serials = shop
      ? new SerialStore(store, config.station.serialPrefix, { take: (n) => shop.take(n), ensure: (n) => shop.ensure(n) }, (list, reason) => shop.skipped(list, reason))
      : new SerialStore(store, config.station.serialPrefix);
    // The shop's templates folder (if it names one) laid over the shipped one: what it lacks comes from benchprint's.
    const templatesDir = SHIPPED_TEMPLATES;
    const shopTemplatesDir = config.station.templatesDir ? resolve(config.station.templatesDir) : undefined;
    if (shopTemplatesDir && !existsSync(shopTemplatesDir)) logger.warn({ templatesDir: shopTemplatesDir }, "station.templatesDir names a folder that does not exist: the shipped templates are used");
    const templates = new TemplateStore(store, clock);
    const labels = new LabelEngine({
      templateStore: templates,
      templatesDir,
      ...(shopTemplatesDir ? { shopTemplatesDir } : {}),
      serials,
      shopName: config.station.shopName,
      stationName: config.station.name,
      clock,
      fallbackFonts: config.station.fallbackFonts,
      logger: logger.child({ component: 'labels' }),
      thread: background,
    });

    const documents = new DocumentService({
      templatesDir,
      ...(shopTemplatesDir ? { shopTemplatesDir } : {}),
      fonts: labels.fonts,
      goldleaf: client,
      labels,
      shopName: config.station.shopName,
      stationName: config.station.name,
      clock,
      logger: logger.child({ component: 'documents' }),
    });

    const queue = new PrintQueue({ jobs, printers, events, logger: logger.child({ component: 'queue' }), config: config.queue, canMove: (job, to) => jobFitsOn(labels, printers, jobs, job, to) });
    const requests: RequestDeps = {
      labels,
      documents,
      printers,
      stationName: config.station.name,
      expireAfterMin: config.queue.expireAfterMin,
      workOrder: (ref) => findPrintableWorkOrder({ workOrders, config, sync, clock }, ref),
      stage: () => jobs.documents.stage(),
      clockCheck,
      tagsMade: async (number, line) => {
        const own = tagsMade(jobs.printedLines.forWorkOrder(number).get(line));
        // Other benches' from the ledger when it answers soon; without it, this bench's own are what is known.
        const others = shop && config.shop ? await otherBenchesLineTags(shop, config.shop.benchId, number, line) : { benches: [] };
        const elsewhere = 'benches' in others ? others.benches : [];
        return { made: own + elsewhere.reduce((n, b) => n + b.tags, 0), elsewhere };
      },
    };
    if (options.startQueue !== false) queue.start();
    // Stopping: the queue goes first (jobs in flight get the grace period), before printers and the store close.
    cleanup.push(() => queue.stop(config.server.shutdownGraceMs));
    // The station as a printer for the office: raw ports of the printers that ask for one (stopped before the queue).
    const listeners = new RawListeners({ printers, submit: (job) => void queue.submit(job, { whileDisabled: true }), expireAfterMin: config.queue.expireAfterMin, logger: logger.child({ component: 'listeners' }) });
    await listeners.sync();
    cleanup.push(() => listeners.close());
    const printerAdmin = new PrinterAdmin({ setup: printerSetup, registry: printers, configPrinters: config.printers, jobs, listeners, logger: logger.child({ component: 'printers' }) });
    cleanup.push(() => printerAdmin.close());
    const autoPrint = startAutoPrint({ config: config.autoPrint, events, queue, jobs, requests, logger: logger.child({ component: 'auto-print' }), ...(shop ? { shop } : {}) });
    wonRelease = autoPrint.printRelease;
    cleanup.push(autoPrint.stop);
    if (shop) {
      shop.start();
      // Stopped before the queue so the last events are not left half shipped (they ship at the next start anyway).
      cleanup.push(() => shop.stop());
    }

    const submissions = new Submissions(jobs, config.queue.duplicateWindowSec * 1000);
    const security = {
      hosts: ownHosts(config.server.allowedHosts, hostname(), interfaceAddresses()),
      sessions: new KioskSessions(kioskSecret(store)),
      pins: new PinAttempts(),
    };
    const app = createApp({ config, configSource: loaded.source, logger, store, printers, printerAdmin, workOrders, sync, events, labels, serials, documents, jobs, queue, requests, submissions, security, clock, clockCheck, ...(shop ? { shop } : {}) });
    const server = await listen(app.fetch, config.server.host, config.server.port);
    const { port } = server.address() as AddressInfo;
    const url = `http://${config.server.host === '0.0.0.0' || config.server.host === '::' ? '127.0.0.1' : config.server.host}:${port}`;
    if (options.startSync !== false) sync.start();
    // Ready first; then, in the background, the label code and fonts are loaded by drawing one made-up label (and the
    // PDF thread started when a printer takes PDF), so the first real job does not wait for them. Not for in-process
    // stations that do not sync: tests, tools.
    if (options.startSync !== false) {
      const formats = (['zpl', 'pdf'] as const).filter((f) => printers.list().some((p) => p.driver?.formats.includes(f)));
      const warm = setTimeout(() => void labels.warmUp(formats).catch((err: unknown) => logger.warn({ err: describeError(err) }, 'warming up the label code failed; it loads with the first job')), 100);
      warm.unref();
      cleanup.push(() => clearTimeout(warm));
    }
    // Keep each printer's state and "last seen" fresh for the kiosk strip and /readyz (drivers skip a busy printer),
    // and tell listeners when a state changes.
    const known = new Map<string, string>();
    // The queue also tells of states it learns from a job's own answers: remember what listeners last heard.
    cleanup.push(events.on((e) => e.type === 'printer.changed' && known.set(e.printer.id, `${e.printer.state}|${e.printer.detail ?? ''}`)));
    // Every printer every 5 s; one that holds labels of done jobs not printed yet every second: labels that leave its
    // memory are counted printed when the station saw the printer all along, and a printer switched off and on between
    // two looks would answer with an empty memory as though it had printed them (a Zebra boots in ~10 s, so one look a
    // second sees it away). A printer still being asked is not asked again.
    const asking = new Set<string>();
    const ask = (id: string, timeoutMs: number) => {
      if (asking.has(id)) return;
      asking.add(id);
      void printers
        .refresh(id, timeoutMs)
        .then((v) => {
          const key = `${v.state}|${v.detail ?? ''}`;
          if (known.get(v.id) !== key) events.emit({ type: 'printer.changed', printer: { id: v.id, name: v.name, state: v.state, ...(v.detail ? { detail: v.detail } : {}) } });
          known.set(v.id, key);
        })
        .catch((err: unknown) => logger.warn({ printer: id, err: describeError(err) }, 'asking a printer how it is failed'))
        .finally(() => asking.delete(id));
    };
    let tick = 0;
    const watch = () => {
      const all = tick++ % 5 === 0;
      const ids = printers.list().map((p) => p.id);
      const holding = new Set(queue.holdingPrinters());
      for (const id of ids) if (all || holding.has(id)) ask(id, all ? 3000 : 1000);
    };
    watch();
    const monitor = setInterval(watch, 1_000);
    monitor.unref();
    cleanup.push(() => clearInterval(monitor));

    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        events.emit({ type: 'station.stopping' });
        await closeServer(server, config.server.shutdownGraceMs, logger);
        await undo();
      })());
    return { url, app, kioskUrls: kioskUrls(config.server.host, port), ...(sandbox ? { sandbox } : {}), store, printers, sync, events, queue, jobs, templates, printerAdmin, ...(shop ? { shop } : {}), stop };
  } catch (err) {
    await undo();
    throw err;
  }
}

function listen(fetch: Parameters<typeof serve>[0]['fetch'], hostname: string, port: number): Promise<ServerType> {
  return new Promise((resolvePromise, reject) => {
    const server = serve({ fetch, port, hostname }, () => resolvePromise(server));
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new StationError('PORT_IN_USE', `Port ${port} on ${hostname} is already in use.`, { hint: 'Stop the program using it, or set server.port / BENCHPRINT_PORT to a free port.' }));
      else if (err.code === 'EACCES') reject(new StationError('PORT_DENIED', `Not allowed to listen on port ${port}.`, { hint: 'Use a port above 1023, e.g. 8080.' }));
      else reject(err);
    });
  });
}

/** Stops accepting at once; requests in flight get the grace period, then their connections are cut. */
function closeServer(server: ServerType, graceMs: number, logger: Logger): Promise<void> {
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => {
      logger.warn({ graceMs }, 'requests still running after the grace period; closing their connections');
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    }, graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolvePromise();
    });
    (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
  });
}

function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((i): i is NonNullable<typeof i> => !!i)
    .map((i) => i.address);
}

function kioskUrls(host: string, port: number): string[] {
  if (host !== '0.0.0.0' && host !== '::') return [`http://${host}:${port}/kiosk`];
  const lan = Object.values(networkInterfaces())
    .flat()
    .filter((i): i is NonNullable<typeof i> => !!i && i.family === 'IPv4' && !i.internal)
    .map((i) => `http://${i.address}:${port}/kiosk`);
  return [`http://localhost:${port}/kiosk`, ...lan];
}
