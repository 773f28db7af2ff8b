// The station as a printer for the office: per bench printer, an optional raw TCP port (like a printer's 9100) that
// takes ZPL or ESC/POS from allowed addresses and queues it on that printer, so office software printing to the bench
// gets the queue, the confirmation and the history. One connection is one job (a ZPL format is one label of it).
// A connection over the size limit is cut and prints nothing; host questions (~HS, ~HI) are answered here with the
// real printer's state; commands that would change the printer are stripped or refused, as the printer is set up.
import { createServer, type Server, type Socket } from 'node:net';
import type { PrinterEntry } from '../config/schema.js';
import { describeError } from '../errors.js';
import { inIpv4Networks } from '../lib/ipv4.js';
import type { Logger } from '../logger.js';
import type { NewJob } from '../queue/job-store.js';
import { draws, ESCPOS_NV_WRITES, foreignIn, hostStatusFor, ZplStream } from './raw-data.js';
import type { PrinterRegistry } from './registry.js';

type ListenSettings = NonNullable<PrinterEntry['listen']>;

export interface ListenerEvent {
  at: string;
  from: string;
  what: string;
}

export interface ListenerView {
  printerId: string;
  address: string;
  port: number;
  listening: boolean;
  problem?: string;
  jobs: number;
  refused: number;
  /** The last things that happened (refusals, cuts, stripped commands), newest first. */
  recent: ListenerEvent[];
}

export interface ListenerDeps {
  printers: PrinterRegistry;
  /** Queues a job (on a disabled printer too: the sender cannot be told, so it waits there). */
  submit(job: NewJob): void;
  expireAfterMin: number;
  logger: Logger;
}

class Listener {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  view: ListenerView;

  constructor(
    readonly printerId: string,
    readonly settings: ListenSettings,
    readonly key: string,
    private readonly deps: ListenerDeps,
  ) {
    this.view = { printerId, address: settings.address, port: settings.port, listening: false, jobs: 0, refused: 0, recent: [] };
  }

  private note(from: string, what: string, level: 'info' | 'warn' = 'warn'): void {
    this.view.recent.unshift({ at: new Date().toISOString(), from, what });
    this.view.recent.length = Math.min(this.view.recent.length, 20);
    this.deps.logger[level]({ printer: this.printerId, from }, `raw listener: ${what}`);
  }

  async start(): Promise<void> {
    const server = createServer((socket) => this.accept(socket));
    server.maxConnections = 200;
    await new Promise<void>((resolve) => {
      server.once('error', (err) => {
        this.view.problem = `cannot listen on ${this.settings.address}:${this.settings.port}: ${describeError(err)}`;
        this.deps.logger.error({ printer: this.printerId }, `raw listener: ${this.view.problem}`);
        resolve();
      });
      server.listen(this.settings.port, this.settings.address, () => {
        this.view.listening = true;
        this.server = server;
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    this.view.listening = false;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const from = (socket.remoteAddress ?? '?').replace(/^::ffff:/i, '');
    if (!inIpv4Networks(from, this.settings.allow)) {
      this.view.refused++;
      this.note(from, `refused ${from}: not in the allow list (${this.settings.allow.join(', ')})`);
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    const printer = this.deps.printers.has(this.printerId) ? this.deps.printers.get(this.printerId) : undefined;
    const zpl = !!printer?.driver?.formats.includes('zpl');
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const stream = new ZplStream((query) => {
      if (query === '~HS') {
        const view = this.deps.printers.view(this.deps.printers.get(this.printerId));
        return hostStatusFor(view.state, 0);
      }
      if (query === '~HI') return `\x02BENCHPRINT ${printer?.entry.name ?? this.printerId},benchprint,${printer?.entry.dpmm ?? 8},0KB\x03\r\n`;
      return undefined;
    });
    const idle = () => {
      timer = setTimeout(() => socket.end(), this.settings.idleSec * 1000);
      timer.unref();
    };
    let timer: NodeJS.Timeout;
    idle();
    socket.on('data', (chunk: Buffer) => {
      if (over) return;
      clearTimeout(timer);
      size += chunk.length;
      if (size > this.settings.maxBytes) {
        over = true;
        this.note(from, `cut ${from} at ${this.settings.maxBytes} bytes (the limit): nothing of it was printed`);
        socket.resetAndDestroy();
        return;
      }
      if (zpl) {
        for (const reply of stream.push(chunk)) socket.write(reply, 'latin1');
      } else chunks.push(chunk);
      idle();
    });
    socket.on('error', () => undefined);
    socket.on('end', () => socket.end());
    socket.on('close', () => {
      clearTimeout(timer);
      this.sockets.delete(socket);
      if (over) return;
      try {
        if (zpl) this.queueZpl(from, stream);
        else this.queueEscPos(from, Buffer.concat(chunks));
      } catch (err) {
        this.note(from, `data from ${from} was not queued: ${describeError(err)}`);
      }
    });
  }

  private job(from: string, format: 'zpl' | 'escpos', bytes: Buffer, partEnds: number[], title: string): NewJob {
    return {
      printerId: this.printerId,
      requestedBy: `LAN ${from}`,
      kind: 'raw',
      document: { format, bytes, meta: { name: `lan-${from}.${format === 'zpl' ? 'zpl' : 'bin'}`, contentType: format === 'zpl' ? 'application/vnd.zebra.zpl' : 'application/octet-stream', partEnds, origin: `raw TCP from ${from}` } },
      title,
      expiresAt: new Date(Date.now() + this.deps.expireAfterMin * 60_000).toISOString(),
    };
  }

  private queueZpl(from: string, stream: ZplStream): void {
    const { leftover } = stream.end();
    const labels: string[] = [];
    const foreign = new Set<string>();
    if (leftover) {
      // After the last label: printer commands alone are taken out like those inside one; anything else is half a label.
      const rest = foreignIn(leftover);
      if (rest.control.length && this.settings.foreign === 'refuse') {
        this.note(from, `refused the job from ${from}: it holds commands that change the printer (${[...new Set(rest.control)].join(', ')})`);
        return;
      }
      for (const f of [...rest.control, ...rest.settings]) foreign.add(f);
      if (rest.cleaned.trim()) this.note(from, `${from} sent ${rest.cleaned.trim().length} characters that are not a whole label (no ^XA…^XZ): not printed`);
    }
    for (const format of stream.received.formats) {
      const { cleaned, settings, control } = foreignIn(format);
      if (control.length && this.settings.foreign === 'refuse') {
        this.note(from, `refused the job from ${from}: it holds commands that change the printer (${[...new Set(control)].join(', ')})`);
        return;
      }
      for (const f of [...control, ...settings]) foreign.add(f);
      if (draws(cleaned)) labels.push(cleaned);
    }
    if (foreign.size) this.note(from, `took ${[...foreign].join(', ')} out of the job from ${from} (the bench printer keeps its own setup)`, 'info');
    if (!labels.length) return;
    const parts = labels.map((l) => Buffer.from(l, 'latin1'));
    const ends: number[] = [];
    let at = 0;
    for (const p of parts) ends.push((at += p.length));
    const n = labels.length;
    this.deps.submit(this.job(from, 'zpl', Buffer.concat(parts), ends, `${n} ${n === 1 ? 'label' : 'labels'} of ZPL from ${from}${foreign.size ? ` (without ${[...foreign].join(', ')})` : ''}`));
    this.view.jobs++;
  }

  private queueEscPos(from: string, data: Buffer): void {
    const text = data.toString('latin1');
    const nv = ESCPOS_NV_WRITES.find(([re]) => re.test(text));
    if (nv) {
      this.note(from, `refused the job from ${from}: it writes the printer's own memory (${nv[1]})`);
      return;
    }
    // Status questions (DLE EOT n) are the sender's business with a printer; the station asks its own.
    const bytes = Buffer.from(text.replace(/\x10\x04[\x01-\x04]/g, ''), 'latin1');
    if (!bytes.length) return;
    this.deps.submit(this.job(from, 'escpos', bytes, [bytes.length], `ESC/POS from ${from} (${bytes.length} bytes)`));
    this.view.jobs++;
  }
}

/** One listener per printer that asks for one; kept in step with the printers as they are set up. */
export class RawListeners {
  private readonly listeners = new Map<string, Listener>();
  private syncing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: ListenerDeps) {}

  /** Starts, restarts or stops listeners to match the printers now (serialised: changes apply in order). */
  sync(): Promise<void> {
    this.syncing = this.syncing.then(() => this.apply()).catch((err: unknown) => this.deps.logger.error({ err: describeError(err) }, 'raw listeners could not be set up'));
    return this.syncing;
  }

  private async apply(): Promise<void> {
    const wanted = new Map<string, { settings: ListenSettings; key: string }>();
    for (const p of this.deps.printers.list()) {
      const listen = p.entry.listen;
      if (!listen || p.problem) continue;
      wanted.set(p.id, { settings: listen, key: JSON.stringify([listen, p.entry.driver]) });
    }
    for (const [id, l] of this.listeners) {
      if (wanted.get(id)?.key === l.key) continue;
      await l.stop();
      this.listeners.delete(id);
    }
    for (const [id, w] of wanted) {
      if (this.listeners.has(id)) continue;
      const printer = this.deps.printers.get(id);
      const l = new Listener(id, w.settings, w.key, this.deps);
      this.listeners.set(id, l);
      if (!printer.driver?.formats.some((f) => f === 'zpl' || f === 'escpos')) {
        l.view.problem = `${printer.entry.name ?? id} takes ${printer.driver?.formats.join(', ') ?? 'nothing'}: only ZPL and ESC/POS printers take raw data from the LAN`;
        continue;
      }
      await l.start();
    }
  }

  views(): ListenerView[] {
    return [...this.listeners.values()].map((l) => l.view);
  }

  view(printerId: string): ListenerView | undefined {
    return this.listeners.get(printerId)?.view;
  }

  async close(): Promise<void> {
    await this.syncing;
    await Promise.all([...this.listeners.values()].map((l) => l.stop()));
    this.listeners.clear();
  }
}
