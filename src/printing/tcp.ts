// Raw TCP to port-9100 printers (ZPL, ESC/POS): one session per job with bounded writes and in-order answers.
import { StationError } from '../errors.js';
import { Socket } from 'node:net';
import { PrinterUnavailableError, type PrinterDriver, type PrinterStatus } from './types.js';

export interface TcpTarget {
  host: string;
  port: number;
  connectTimeoutMs: number;
}

/**
 * Why a printer's address did not lead to it, in words and with what to check, from the system's error code: a name
 * no device on the network has reads differently from a printer switched off.
 */
export function unreachable(code: string | undefined, host: string): { why: string; hint: string } {
  const check = 'Check that it is switched on, connected to the network, and that the address is right.';
  switch (code) {
    case 'ECONNREFUSED':
      return { why: 'refused the connection', hint: `${check} Something answers at that address, but not on that port: is the port right (9100 for most label printers)?` };
    case 'ENOTFOUND':
      return { why: `could not be found: no device on the network has the name "${host}"`, hint: "Check the name, or give the printer's IP address instead (its configuration label shows it)." };
    case 'EAI_AGAIN':
      return { why: `could not be looked up: the network's name server did not answer for "${host}"`, hint: "Try again in a minute, or give the printer's IP address instead." };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { why: 'is not reachable from this PC (no route to it)', hint: `${check} It may be switched off, or on another network than this PC.` };
    case 'ETIMEDOUT':
      return { why: 'did not answer', hint: check };
    default:
      return { why: `could not be reached (${code ?? 'no reason given'})`, hint: check };
  }
}

/** Opens a connection; a refusal or a timeout means nothing was sent (retryable). */
export function connect(t: TcpTarget, signal?: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    const fail = (why: string, err?: unknown, hint = unreachable(undefined, t.host).hint) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(new PrinterUnavailableError(`Printer at ${t.host}:${t.port} ${why}.`, hint, err));
    };
    const timer = setTimeout(() => fail(`did not accept a connection within ${t.connectTimeoutMs} ms`), t.connectTimeoutMs);
    const onAbort = () => fail('was not reached: the job was stopped');
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const { why, hint } = unreachable(err.code ?? err.message, t.host);
      fail(why, err, hint);
    });
    socket.connect(t.port, t.host, () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}

/** Finds one complete answer at the start of what the printer sent: the answer and how many bytes it used. */
export type AnswerParser<T> = (received: Buffer) => { value: T; used: number } | undefined;

/**
 * One connection to a printer. Everything the printer says is kept in order; `answer` waits for the next complete
 * answer. The first failure (a reset, an error, the printer closing) is kept: every later write or wait fails with it,
 * so an answer that never came is never mistaken for one that did.
 */
export class TcpSession {
  private received: Buffer = Buffer.alloc(0);
  private failure: Error | undefined;
  private ending = false;
  private readonly listeners = new Set<() => void>();

  private constructor(
    private readonly socket: Socket,
    readonly target: TcpTarget,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.received = this.received.length ? Buffer.concat([this.received, chunk]) : chunk;
      this.notify();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => this.fail(new Error(err.code === 'ECONNRESET' ? 'the printer reset the connection' : `connection error (${err.code ?? err.message})`)));
    socket.on('close', () => this.fail(new Error('the printer closed the connection')));
    socket.on('end', () => {
      if (!this.ending) this.fail(new Error('the printer closed the connection'));
    });
  }

  static async open(target: TcpTarget, signal?: AbortSignal): Promise<TcpSession> {
    return new TcpSession(await connect(target, signal), target);
  }

  get address(): string {
    return `${this.target.host}:${this.target.port}`;
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.notify();
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Open, answered all it was asked and said nothing more: another job may go on it. */
  get idle(): boolean {
    return !this.failure && !this.ending && this.received.length === 0;
  }

  /** Hands bytes to the network; resolves when the OS took them (not proof the printer has them). */
  write(chunk: Uint8Array, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.listeners.delete(onFailure);
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(() => done(new Error(`the printer took no data for ${timeoutMs} ms`)), timeoutMs);
      const onAbort = () => done(new Error('the job was stopped'));
      const onFailure = () => this.failure && done(this.failure);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.listeners.add(onFailure);
      this.socket.write(chunk, (err) => (err ? done(this.failure ?? err) : this.failure ? done(this.failure) : done()));
    });
  }

  /**
   * The next complete answer, consumed; undefined when none came within `timeoutMs`. Rejects when the connection
   * failed first (a reset or close before the answer means the printer did not prove anything).
   */
  answer<T>(parse: AnswerParser<T>, timeoutMs: number, signal?: AbortSignal): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = parse(this.received);
        if (hit) {
          this.received = this.received.subarray(hit.used);
          finish();
          resolve(hit.value);
          return true;
        }
        if (this.failure) {
          finish();
          reject(this.failure);
          return true;
        }
        return false;
      };
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.listeners.delete(listener);
      };
      const listener = () => void check();
      const onAbort = () => {
        finish();
        reject(new Error('the job was stopped'));
      };
      const timer = setTimeout(() => {
        finish();
        resolve(undefined);
      }, timeoutMs);
      if (check()) return;
      signal?.addEventListener('abort', onAbort, { once: true });
      this.listeners.add(listener);
    });
  }

  /** Half-closes and waits briefly for the printer to close too; anything it still says is drained. */
  end(timeoutMs = 2000): Promise<void> {
    this.ending = true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        // Many printers keep the connection open: everything was confirmed already, so this is fine.
        this.socket.destroy();
        resolve();
      }, timeoutMs);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.end();
      this.socket.resume();
    });
  }

  /**
   * Once the printer has confirmed everything: half-closes and lets the connection close in the background (the
   * printer closes its side when it reads the end; one that keeps it open is cut after `timeoutMs`). Waiting for that
   * proved nothing more and held the printer's next job: up to 500 ms a job with a printer that keeps connections open.
   */
  release(timeoutMs = 2000): void {
    if (this.ending) return;
    this.ending = true;
    this.released = true;
    const timer = setTimeout(() => this.socket.destroy(), timeoutMs);
    timer.unref();
    this.socket.once('close', () => clearTimeout(timer));
    this.socket.end();
    this.socket.resume();
  }

  private released = false;

  /** Cuts the connection at once (a failure, or the job is over), unless it was released to close on its own. */
  destroy(): void {
    if (this.released) return;
    this.ending = true;
    this.socket.destroy();
  }
}

/** Sends a short request on a fresh connection and waits for its answer; undefined when none came in time. */
export async function ask<T>(t: TcpTarget, request: Uint8Array, parse: AnswerParser<T>, timeoutMs: number, signal?: AbortSignal): Promise<T | undefined> {
  const session = await TcpSession.open(t, signal);
  try {
    await session.write(request, timeoutMs, signal);
    return await session.answer(parse, timeoutMs, signal);
  } catch {
    return undefined;
  } finally {
    session.destroy();
  }
}

/** tcp://host:port with a default port. */
/**
 * Why a reachable raw-port printer may not answer `question`: one that has answered since the station started is busy
 * with another computer (a printer serves one raw connection at a time, reading the next once that one closes) or
 * stuck, and must not be set up not to confirm; only one never heard from may be unable to answer at all.
 */
export function silentPrinter(question: string, ms: number, heardBefore: boolean): string {
  return heardBefore
    ? `no answer to ${question} within ${ms} ms, though it has answered before: another computer may be sending to it (it takes one connection at a time), or it is stuck`
    : `no answer to ${question} within ${ms} ms (if this printer cannot answer it, set its option confirm to false)`;
}

export function tcpTarget(uri: URL, connectTimeoutMs: number, defaultPort = 9100): TcpTarget {
  return { host: uri.hostname.replace(/^\[|\]$/g, ''), port: uri.port ? Number(uri.port) : defaultPort, connectTimeoutMs };
}

/**
 * A raw-TCP printer driver around a print function: the status question is never asked on a second connection while
 * a job streams (many printers interleave two connections); the job's own answers say how the printer is.
 */
export function rawTcpPrinter(o: {
  formats: PrinterDriver['formats'];
  joins?: number;
  busy: PrinterStatus;
  print: PrinterDriver['print'];
  query: (signal: AbortSignal) => Promise<PrinterStatus>;
  setup?: { actions: NonNullable<PrinterDriver['setupActions']>; run: NonNullable<PrinterDriver['setup']> };
  close?: () => Promise<void>;
}): PrinterDriver {
  let streaming = false;
  return {
    formats: o.formats,
    ...(o.joins ? { joins: o.joins } : {}),
    ...(o.close ? { close: o.close } : {}),
    ...(o.setup
      ? {
          setupActions: o.setup.actions,
          async setup(action, signal) {
            if (streaming) throw new StationError('PRINTER_BUSY', 'The printer is printing a job: set it up when the job is done.', { status: 409, retryable: true });
            streaming = true;
            try {
              return await o.setup!.run(action, signal);
            } finally {
              streaming = false;
            }
          },
        }
      : {}),
    async print(document, options) {
      streaming = true;
      try {
        return await o.print(document, options);
      } finally {
        streaming = false;
      }
    },
    async status(signal) {
      return streaming ? o.busy : o.query(signal);
    },
  };
}
