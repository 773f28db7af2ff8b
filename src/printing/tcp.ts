// Raw TCP delivery for port-9100 printers (ZPL, ESC/POS): label-by-label progress, timeouts, and honest partial sends.
import { Socket } from 'node:net';
import { PartialPrintError, PrinterUnavailableError, type PrintResult, type PrinterDriver, type PrinterStatus } from './types.js';

export interface TcpTarget {
  host: string;
  port: number;
  connectTimeoutMs: number;
}

export interface RawSendOptions extends TcpTarget {
  /** How long one write may wait for the printer to take the data. */
  writeTimeoutMs: number;
  signal: AbortSignal;
  /** Byte offsets where each label (part) ends: the data is written part by part. */
  partEnds?: readonly number[];
  onProgress?: (p: { bytesSent: number; partsSent: number }) => void;
}

/** Opens a connection; a refusal or a timeout means nothing was sent (retryable). */
export function connect(t: TcpTarget, signal?: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    const fail = (why: string, err?: unknown) => {
      socket.destroy();
      reject(new PrinterUnavailableError(`Printer at ${t.host}:${t.port} ${why}.`, 'Check that it is switched on, connected to the network, and that the address is right.', err));
    };
    const timer = setTimeout(() => fail(`did not accept a connection within ${t.connectTimeoutMs} ms`), t.connectTimeoutMs);
    const onAbort = () => fail('was not reached: the job was stopped');
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fail(err.code === 'ECONNREFUSED' ? 'refused the connection' : `could not be reached (${err.code ?? err.message})`, err);
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

/** Sends bytes part by part; once any byte has left, a failure is a PartialPrintError, never a silent retry. */
export async function sendRaw(bytes: Uint8Array, o: RawSendOptions): Promise<PrintResult> {
  const socket = await connect(o, o.signal);
  const ends = o.partEnds?.length ? o.partEnds : [bytes.length];
  let bytesSent = 0;
  let partsSent = 0;
  let failure: Error | undefined;
  socket.on('error', (err) => (failure ??= err));
  const waitWrite = (chunk: Uint8Array) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the printer took no data for ${o.writeTimeoutMs} ms`)), o.writeTimeoutMs);
      const onAbort = () => reject(new Error('the job was stopped'));
      o.signal.addEventListener('abort', onAbort, { once: true });
      socket.write(chunk, (err) => {
        clearTimeout(timer);
        o.signal.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve();
      });
    });
  try {
    let start = 0;
    for (const end of ends) {
      if (failure) throw failure;
      await waitWrite(bytes.subarray(start, end));
      bytesSent = end;
      partsSent++;
      start = end;
      o.onProgress?.({ bytesSent, partsSent });
    }
    await finish(socket, o.writeTimeoutMs);
    if (failure) throw failure;
    return { bytesSent, partsSent };
  } catch (err) {
    socket.destroy();
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new PartialPrintError(
      `The connection to ${o.host}:${o.port} failed after ${bytesSent} of ${bytes.length} bytes (${partsSent} of ${ends.length} labels handed over): ${why}.`,
      { bytesSent, partsSent },
      err,
    );
  }
}

/** Half-closes and waits for the printer to close too, so an error on the last bytes is not missed. */
function finish(socket: Socket, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      // Some printers keep the connection open: all data was taken, so this is done.
      socket.destroy();
      resolve();
    }, Math.min(timeoutMs, 2000));
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.end();
    socket.resume(); // drain anything the printer says
  });
}

/** Sends a short request on a fresh connection and collects the answer until `complete` says so or time runs out. */
export async function ask(t: TcpTarget, request: Uint8Array, complete: (answer: Buffer) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<Buffer | undefined> {
  const socket = await connect(t, signal);
  return new Promise((resolve) => {
    let answer = Buffer.alloc(0);
    const done = (value: Buffer | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(answer.length ? answer : undefined), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      answer = Buffer.concat([answer, chunk]);
      if (complete(answer)) done(answer);
    });
    socket.on('error', () => done(answer.length ? answer : undefined));
    socket.on('close', () => done(answer.length ? answer : undefined));
    socket.write(request);
  });
}

/** tcp://host:port with a default port. */
export function tcpTarget(uri: URL, connectTimeoutMs: number, defaultPort = 9100): TcpTarget {
  return { host: uri.hostname.replace(/^\[|\]$/g, ''), port: uri.port ? Number(uri.port) : defaultPort, connectTimeoutMs };
}

/**
 * A raw-TCP printer: jobs go out with sendRaw, and the status question is never asked while a job streams
 * (a second connection would interleave with the job on many printers).
 */
export function rawTcpPrinter(o: {
  target: TcpTarget;
  writeTimeoutMs: number;
  formats: PrinterDriver['formats'];
  busy: PrinterStatus;
  query: (signal: AbortSignal) => Promise<PrinterStatus>;
}): PrinterDriver {
  let streaming = false;
  return {
    formats: o.formats,
    async print(document, { signal, onProgress }) {
      streaming = true;
      try {
        return await sendRaw(document.bytes, {
          ...o.target,
          writeTimeoutMs: o.writeTimeoutMs,
          signal,
          ...(document.meta.partEnds ? { partEnds: document.meta.partEnds } : {}),
          ...(onProgress ? { onProgress } : {}),
        });
      } finally {
        streaming = false;
      }
    },
    async status(signal) {
      return streaming ? o.busy : o.query(signal);
    },
  };
}
