// A loopback ESC/POS receipt printer, modelled on Epson's TM series. What arrives goes into a receive buffer and is
// printed from it at `bytesPerMs`. Real-time status questions (DLE EOT 1/2/4) are answered the moment they arrive,
// wherever they stand in the input and whatever is still waiting to print; GS r 1 (paper sensor status) is answered in
// order, once everything before it has printed. When the paper runs out (after `paperLeft` bytes) the printer goes
// offline: printing and in-order answers stop until `loadPaper()`, real-time answers say so, and what was not printed
// stays in the buffer and prints after reloading. It can stay silent, stall, ignore GS r, or reset mid-job.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** `error`: an error it does not recover from by itself (a cutter jam): offline, with the error bit set. */
export type EscPosState = 'ready' | 'paper-out' | 'paused' | 'head-open' | 'error';
/** `realtime-only`: answers DLE EOT but not GS r, as some look-alikes do. */
export type EscPosMode = 'normal' | 'silent' | 'stall' | 'cut' | 'realtime-only';

export interface EscPosDouble {
  port: number;
  uri: string;
  state: EscPosState;
  mode: EscPosMode;
  /** With mode "cut": reset once this many job bytes arrived in all. */
  cutAfterBytes: number;
  /** Print speed (64: a 3 KB traveler in ~50 ms). */
  bytesPerMs: number;
  /** Bytes it can print before the paper runs out. */
  paperLeft: number;
  /** A new roll: back online, and what waited in the buffer prints. */
  loadPaper(): void;
  /** What came out, one entry per connection that printed something. */
  jobs: Buffer[];
  /** Everything that came out. */
  received(): Buffer;
  /** Bytes received and not printed yet. */
  waiting(): number;
  close(): Promise<void>;
}

function statusByte(state: EscPosState, n: number): number {
  const base = 0x12;
  if (n === 1) return base | (state === 'paused' || state === 'error' ? 0x08 : 0);
  if (n === 2) return base | (state === 'head-open' ? 0x04 : 0) | (state === 'paper-out' ? 0x20 : 0) | (state === 'error' ? 0x40 : 0);
  return base | (state === 'paper-out' ? 0x60 : 0);
}

/** One connection's bytes waiting to print, and the GS r questions among them (answered when reached). */
type Waiting = { kind: 'data'; bytes: Buffer; job: { index: number } } | { kind: 'gs-r'; socket: Socket };

const DLE = 0x10;
const EOT = 0x04;
const GS = 0x1d;
const r = 0x72;

export async function startEscPosPrinter(port = 0): Promise<EscPosDouble> {
  const sockets = new Set<Socket>();
  const buffer: Waiting[] = [];
  let printer: NodeJS.Timeout | undefined;
  let lastTick = 0;

  /** Prints from the buffer while online, as fast as `bytesPerMs` allows since the last tick. */
  const tick = () => {
    printer = undefined;
    const now = performance.now();
    let budget = Math.max(1, Math.floor((now - lastTick) * double.bytesPerMs));
    lastTick = now;
    while (buffer.length > 0 && double.state === 'ready') {
      const next = buffer[0]!;
      if (next.kind === 'gs-r') {
        buffer.shift();
        // Paper sensor status: bits 4 and 7 clear (which tells it from a real-time answer); paper present.
        if (double.mode !== 'silent' && double.mode !== 'realtime-only' && !next.socket.destroyed) next.socket.write(Buffer.from([0x00]));
        continue;
      }
      if (budget === 0) break;
      if (double.paperLeft <= 0) {
        double.state = 'paper-out';
        break;
      }
      const n = Math.min(next.bytes.length, budget, double.paperLeft);
      double.jobs[next.job.index] = Buffer.concat([double.jobs[next.job.index]!, next.bytes.subarray(0, n)]);
      double.paperLeft -= n;
      budget -= n;
      if (n === next.bytes.length) buffer.shift();
      else next.bytes = next.bytes.subarray(n);
    }
    schedule();
  };
  const schedule = () => {
    if (printer || buffer.length === 0 || double.state !== 'ready') return;
    printer = setTimeout(tick, 2);
  };

  let state: EscPosState = 'ready';
  const double: EscPosDouble = {
    port: 0,
    uri: '',
    get state() {
      return state;
    },
    set state(next: EscPosState) {
      state = next;
      // Back online: what waited in the buffer prints.
      if (next === 'ready') {
        lastTick = performance.now();
        schedule();
      }
    },
    mode: 'normal',
    cutAfterBytes: 0,
    bytesPerMs: 64,
    paperLeft: Infinity,
    loadPaper: () => {
      double.paperLeft = Infinity;
      double.state = 'ready';
    },
    jobs: [],
    received: () => Buffer.concat(double.jobs),
    waiting: () => buffer.reduce((n, w) => n + (w.kind === 'data' ? w.bytes.length : 0), 0),
    close: () =>
      new Promise<void>((resolve) => {
        clearTimeout(printer);
        buffer.length = 0;
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  let arrived = 0;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (double.mode === 'stall') {
      socket.pause();
      return;
    }
    let job: { index: number } | undefined;
    // A command split across two reads is read whole: the bytes of an unfinished one wait for the next.
    let carry = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      let input = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      carry = Buffer.alloc(0);
      if (double.mode === 'cut') {
        const room = Math.max(0, double.cutAfterBytes - arrived);
        if (input.length >= room) {
          input = input.subarray(0, room);
          queue(input, true);
          return socket.resetAndDestroy();
        }
      }
      arrived += chunk.length;
      queue(input, false);
    });
    const queue = (input: Buffer, last: boolean) => {
      const answers: number[] = [];
      let from = 0;
      const data = (to: number) => {
        if (to <= from) return;
        job ??= { index: double.jobs.push(Buffer.alloc(0)) - 1 };
        buffer.push({ kind: 'data', bytes: Buffer.from(input.subarray(from, to)), job });
      };
      for (let i = 0; i < input.length; i++) {
        const b = input[i]!;
        if ((b === DLE || b === GS) && !last && i + 2 >= input.length) {
          data(i);
          carry = Buffer.from(input.subarray(i));
          from = input.length;
          break;
        }
        if (b === DLE && input[i + 1] === EOT && input[i + 2] !== undefined) {
          // Real time: answered now, from the state the printer is in now.
          data(i);
          answers.push(statusByte(double.state, input[i + 2]!));
          i += 2;
          from = i + 1;
        } else if (b === GS && input[i + 1] === r && (input[i + 2] === 1 || input[i + 2] === 49)) {
          // In order: answered once everything before it has printed.
          data(i);
          buffer.push({ kind: 'gs-r', socket });
          i += 2;
          from = i + 1;
        }
      }
      data(input.length);
      if (answers.length && double.mode !== 'silent') socket.write(Buffer.from(answers));
      if (buffer.length && !printer) lastTick = performance.now();
      schedule();
    };
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  double.port = (server.address() as AddressInfo).port;
  double.uri = `tcp://127.0.0.1:${double.port}`;
  return double;
}
