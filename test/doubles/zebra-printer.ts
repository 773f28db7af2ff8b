// A loopback Zebra for tests and benchmarks, modelled on the ZPL programming guide: it reads its input in order, keeps
// formats (^XA…^XZ) in a buffer of limited size and prints them one by one while it is ready; ~HS is answered where it
// stands in the input, with the paper-out, pause, head-up and ribbon flags and the formats still in the buffer, also
// while it cannot print. When the buffer is full it stops reading (the sender's data waits in the network). A cut
// resets the connection with data still unread, as a real one does; "silent" answers nothing, "stall" reads nothing.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';

export type ZebraState = 'ready' | 'paper-out' | 'paused' | 'head-open' | 'ribbon-out';
export type ZebraMode = 'normal' | 'silent' | 'stall' | 'cut' | 'slow';

export interface ZebraDouble {
  port: number;
  uri: string;
  /** Setting it back to 'ready' lets the printer go on with what it holds. */
  state: ZebraState;
  mode: ZebraMode;
  /** With mode "cut": reset the connection once this many formats arrived on it (0: use cutAfterBytes). */
  cutAfterFormats: number;
  /** With mode "cut": reset once this many bytes arrived in all (counting from when it was set). */
  cutAfterBytes: number;
  /** With mode "stall": read this many formats of a connection first, then nothing more (0: read nothing). */
  stallAfterFormats: number;
  /** With mode "slow": how fast it reads, in bytes per second. */
  bytesPerSecond: number;
  /** Labels left on the roll; when a label finds none, the printer goes to paper-out and keeps that label. */
  paperLeft: number;
  /** How long one label takes to print. */
  msPerLabel: number;
  /** Formats it can hold before it stops reading. */
  bufferCapacity: number;
  /** The most formats it held at once unprinted (the one printing counted). */
  mostBuffered: number;
  /** Job bytes per connection that brought any (status questions left out). */
  jobs: Buffer[];
  received(): Buffer;
  /** Formats that came out, in order. */
  printed: string[];
  labels(): number;
  /** Formats received, not printed yet. */
  buffered(): number;
  /** ~HS questions answered. */
  statusAnswers: number;
  /** Settings, as the printer keeps them: ~SD darkness, ^PR speed, label length (what ~JC measures from the media). */
  darkness: number;
  speedIps: number;
  labelLengthDots: number;
  /** What ~JC finds: the length of the labels loaded. */
  mediaLengthDots: number;
  /** Times ~JC was sent, and whether ^JUS saved the settings since the last change. */
  calibrations: number;
  saved: boolean;
  /**
   * Graphics stored with ~DG, by name with their drive ("R:LOGO.GRF"), as hex rows: in the printer's memory until it is
   * switched off (clear it to model that).
   */
  graphics: Map<string, { bytesPerRow: number; hex: string }>;
  /**
   * Labels that recalled a graphic (^XG) the printer did not have when it printed them. A real Zebra prints them
   * without it and says nothing, so the station must never let that happen.
   */
  printedWithoutGraphic: string[];
  /** Keeps its side of a connection open after the sender ended it (many printers do), until the sender closes. */
  keepsConnectionsOpen: boolean;
  /**
   * First come, first served, as a Zebra's raw port: a connection opened while an earlier one is still open is
   * accepted but not read (no answers, nothing printed) until the earlier ones have closed.
   */
  servesOneConnection: boolean;
  /** Connections accepted so far. */
  connections: number;
  /** Called as each format arrives (for benchmarks timing the first label of a job). */
  onFormat?: (format: string) => void;
  /** Keep what came out and the bytes received (tests read them); off for long benchmarks. */
  keepPrinted: boolean;
  openJobConnections(): number;
  /** Closes every open connection from its side: with an orderly close, or a reset (a printer switched off and on). */
  hangUp(how: 'close' | 'reset'): void;
  /**
   * Gone from the network: open connections reset, new ones refused. Switched off ('power'), it loses what it held
   * unprinted (the label being printed too) and the graphics stored in its RAM (R:); its cable pulled ('cable'), it
   * goes on printing what it holds.
   */
  disconnect(how: 'power' | 'cable'): Promise<void>;
  /** Back on the network at the same address (switched on again: not paused, its memory empty). */
  reconnect(): Promise<void>;
  close(): Promise<void>;
}

const STX = '\u0002';
const ETX = '\u0003';
const QUERY = /^~(HS|HI|HQOD|HQES)\r?\n?/;

/** A format that draws nothing only sets the printer up: a real one feeds no label for it. */
const DRAWS = /\^(FD|FV|GB|GC|GD|GE|GF|XG|IM|BC|BQ|BX|B3|BE|BU|B7|BD)/;

export function hostStatusAnswer(s: { state: ZebraState; formats: number; remaining: number; bufferFull?: boolean; labelLengthDots?: number; graphics?: number }): string {
  const bit = (b: boolean) => (b ? 1 : 0);
  const one = `030,${bit(s.state === 'paper-out')},${bit(s.state === 'paused')},${String(s.labelLengthDots ?? 200).padStart(4, '0')},${String(s.formats).padStart(3, '0')},${bit(!!s.bufferFull)},0,0,000,0,0,0`;
  // The last field of the second string: how many graphics (~DG) the printer holds in its memory.
  const two = `001,0,${bit(s.state === 'head-open')},${bit(s.state === 'ribbon-out')},1,2,6,0,${String(s.remaining).padStart(8, '0')},1,${String(s.graphics ?? 0).padStart(3, '0')}`;
  return `${STX}${one}${ETX}\r\n${STX}${two}${ETX}\r\n${STX}1234,0${ETX}\r\n`;
}

export async function startZebraPrinter(port = 0, host = '127.0.0.1'): Promise<ZebraDouble> {
  const sockets = new Set<Socket>();
  /** Connections paused until the ones before them close. */
  const waiting = new Set<Socket>();
  const jobSockets = new Set<Socket>();
  const blocked = new Set<() => void>();
  const buffer: string[] = [];
  let current: string | undefined;
  let state: ZebraState = 'ready';
  let cutBytesSeen = 0;
  let odometerInches = 1000;
  /** Goes up when the printer is switched off: a label being printed then never comes out. */
  let powerCycles = 0;

  let scheduled = false;
  /** One label out, or the printer stops (paper out) keeping it first in line. */
  const printOne = (format: string): boolean => {
    if (double.paperLeft <= 0) {
      buffer.unshift(format);
      state = 'paper-out';
      return false;
    }
    double.paperLeft--;
    if (double.keepPrinted) double.printed.push(format);
    for (const m of format.matchAll(/\^XG([A-Z]:)?([^,^~]+)/g)) if (!double.graphics.has(`${m[1] ?? 'R:'}${m[2]}`)) double.printedWithoutGraphic.push(format);
    odometerInches++;
    return true;
  };
  const printNext = () => {
    if (scheduled || current !== undefined || state !== 'ready' || buffer.length === 0) return;
    if (double.msPerLabel === 0) {
      // No print time: everything it holds comes out on the next turn (not one label per turn).
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        while (state === 'ready' && buffer.length > 0 && printOne(buffer.shift()!));
        for (const wake of [...blocked]) wake();
        printNext();
      });
      return;
    }
    current = buffer.shift()!;
    const cycle = powerCycles;
    setTimeout(() => {
      if (cycle !== powerCycles) return; // switched off meanwhile: the label was lost with the rest
      // Stopped mid-label (paper out, head opened, paused): the label stays first in line.
      if (state !== 'ready') buffer.unshift(current!);
      else printOne(current!);
      current = undefined;
      for (const wake of [...blocked]) wake();
      printNext();
    }, double.msPerLabel);
  };

  const double: ZebraDouble = {
    port: 0,
    uri: '',
    get state() {
      return state;
    },
    set state(next: ZebraState) {
      state = next;
      if (next === 'ready') {
        if (double.paperLeft <= 0) double.paperLeft = Number.POSITIVE_INFINITY;
        printNext();
      }
    },
    mode: 'normal',
    cutAfterFormats: 0,
    get cutAfterBytes() {
      return cutAfterBytes;
    },
    set cutAfterBytes(n: number) {
      cutAfterBytes = n;
      cutBytesSeen = 0;
    },
    bytesPerSecond: 2_000_000,
    stallAfterFormats: 0,
    paperLeft: Number.POSITIVE_INFINITY,
    msPerLabel: 0,
    bufferCapacity: 100,
    mostBuffered: 0,
    jobs: [],
    received: () => Buffer.concat(double.jobs),
    printed: [],
    labels: () => double.printed.length,
    buffered: () => buffer.length + (current === undefined ? 0 : 1),
    statusAnswers: 0,
    darkness: 10,
    speedIps: 4,
    labelLengthDots: 200,
    mediaLengthDots: 200,
    calibrations: 0,
    saved: true,
    keepPrinted: true,
    keepsConnectionsOpen: false,
    servesOneConnection: true,
    connections: 0,
    graphics: new Map(),
    printedWithoutGraphic: [],
    openJobConnections: () => jobSockets.size,
    hangUp: (how) => {
      for (const s of sockets) {
        if (how === 'reset') s.resetAndDestroy();
        else s.end();
      }
    },
    disconnect: async (how) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.resetAndDestroy();
      if (how === 'power') {
        powerCycles++;
        buffer.length = 0;
        current = undefined;
        for (const name of [...double.graphics.keys()]) if (name.startsWith('R:')) double.graphics.delete(name);
        if (state === 'paused') state = 'ready';
      }
      await closed;
    },
    reconnect: () => new Promise<void>((resolve) => server.listen(double.port, host, resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        if (server.listening) server.close(() => resolve());
        else resolve();
      }),
  };
  let cutAfterBytes = 0;

  // Half-open allowed, so a printer that keeps connections open after the sender's end can be modelled.
  /** Open connections in the order they came; only the first is read when the printer serves one at a time. */
  const line: Socket[] = [];
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    double.connections++;
    line.push(socket);
    const waits = double.servesOneConnection && line.length > 1;
    if (waits) socket.pause();
    /** Out of the line: the sender has finished (it read to the end) or the connection is gone; the next is served. */
    const leave = () => {
      const at = line.indexOf(socket);
      if (at < 0) return;
      line.splice(at, 1);
      if (at === 0 && line[0] && waiting.has(line[0])) {
        waiting.delete(line[0]);
        line[0].resume();
      }
    };
    socket.on('end', () => {
      if (!double.keepsConnectionsOpen) socket.end();
      leave();
    });
    socket.on('close', () => {
      sockets.delete(socket);
      jobSockets.delete(socket);
      leave();
    });
    socket.on('error', () => undefined);
    if (double.mode === 'stall' && double.stallAfterFormats === 0) {
      socket.pause(); // accepts, never reads: the sender's buffers fill up
      return;
    }
    if (waits) waiting.add(socket);
    // Everything is sent as UTF-8 (^CI28); a character split across packets is joined again.
    const decoder = new StringDecoder('utf8');
    let pending = '';
    let job: Buffer | undefined;
    let formats = 0;
    let cut = false;
    let waitingForRoom = false;
    const record = (text: string) => {
      if (!double.keepPrinted) return;
      if (!job) {
        job = Buffer.alloc(0);
        double.jobs.push(job);
        jobSockets.add(socket);
      }
      const index = double.jobs.indexOf(job);
      job = Buffer.concat([job, Buffer.from(text, 'utf8')]);
      double.jobs[index] = job;
    };
    const reset = () => {
      cut = true;
      // Unread data is still there: the peer gets a reset, not an orderly close.
      socket.resetAndDestroy();
    };
    const answer = (text: string) => {
      if (double.mode !== 'silent' && !socket.destroyed) socket.write(text, 'latin1');
    };
    const parse = () => {
      while (pending.length > 0 && !cut) {
        const query = QUERY.exec(pending);
        if (query) {
          if (query[1] === 'HS') {
            double.statusAnswers++;
            answer(hostStatusAnswer({ state, formats: buffer.length, remaining: current === undefined ? 0 : 1, bufferFull: buffer.length >= double.bufferCapacity, labelLengthDots: double.labelLengthDots, graphics: double.graphics.size }));
          } else if (query[1] === 'HQOD') {
            answer(`${STX}\r\n  PRINT METERS\r\n   TOTAL NONRESETTABLE:       ${odometerInches} "\r\n   USER RESETTABLE CNTR1:     ${odometerInches} "\r\n${ETX}\r\n`);
          } else if (query[1] === 'HI') {
            answer(`${STX}ZD421-203dpi,V84.20.21Z,8,8192KB${ETX}\r\n`);
          }
          pending = pending.slice(query[0].length);
          continue;
        }
        if (pending.startsWith('~SD')) {
          if (pending.length < 5) return;
          double.darkness = Number(pending.slice(3, 5));
          double.saved = false;
          pending = pending.slice(5);
          continue;
        }
        if (pending.startsWith('~DG')) {
          // ~DGd:name.GRF,total,bytesPerRow,data: total bytes as 2 * total hex digits.
          const head = /^~DG([A-Z]:)?([^,]+),(\d+),(\d+),/.exec(pending);
          if (!head) {
            if (pending.length < 64 && !/[\^]/.test(pending.slice(3))) return; // the header has not all arrived
            record(pending.slice(0, 3));
            pending = pending.slice(3);
            continue;
          }
          const total = Number(head[3]);
          if (pending.length < head[0].length + total * 2) return; // the data has not all arrived
          const hex = pending.slice(head[0].length, head[0].length + total * 2);
          double.graphics.set(`${head[1] ?? 'R:'}${head[2]}`, { bytesPerRow: Number(head[4]), hex });
          record(pending.slice(0, head[0].length + total * 2));
          pending = pending.slice(head[0].length + total * 2);
          continue;
        }
        if (pending.startsWith('~')) {
          if (pending.length < 3) return;
          if (pending.startsWith('~JA')) buffer.length = 0; // cancel all
          if (pending.startsWith('~JC')) {
            // Calibration: feeds labels to find their length (none counts as printed).
            double.calibrations++;
            double.labelLengthDots = double.mediaLengthDots;
            double.saved = false;
          }
          record(pending.slice(0, 3));
          pending = pending.slice(3);
          continue;
        }
        if (pending.startsWith('^XA')) {
          const end = pending.indexOf('^XZ');
          if (end < 0) return; // the rest of the format has not arrived yet
          if (buffer.length >= double.bufferCapacity) {
            // Full: stop reading until a label has printed.
            socket.pause();
            waitingForRoom = true;
            const wake = () => {
              blocked.delete(wake);
              waitingForRoom = false;
              socket.resume();
              parse();
            };
            blocked.add(wake);
            return;
          }
          const format = pending.slice(0, end + 3);
          record(format);
          pending = pending.slice(end + 3);
          if (!DRAWS.test(format)) {
            // Settings only: applied at once, nothing printed.
            const speed = /\^PR(\d+)/.exec(format);
            if (speed) (double.speedIps = Number(speed[1])), (double.saved = false);
            if (/\^JUS/.test(format)) double.saved = true;
            if (/\^HH/.test(format)) {
              const config = [`  +${double.darkness.toFixed(1)}               DARKNESS`, `  ${double.speedIps} IPS               PRINT SPEED`, `  TEAR OFF            PRINT MODE`, `  ${double.labelLengthDots}                 LABEL LENGTH`, `  832                 PRINT WIDTH`];
              answer(`${STX}${config.join('\r\n')}\r\n${ETX}\r\n`);
            }
            continue;
          }
          buffer.push(format);
          double.mostBuffered = Math.max(double.mostBuffered, buffer.length + (current === undefined ? 0 : 1));
          formats++;
          double.onFormat?.(format);
          printNext();
          if (double.mode === 'cut' && double.cutAfterFormats > 0 && formats >= double.cutAfterFormats) return reset();
          if (double.mode === 'stall' && formats >= double.stallAfterFormats) {
            socket.pause(); // hung: takes nothing more, answers nothing more
            cut = true;
            return;
          }
          continue;
        }
        const next = pending.search(/[~^]/);
        const skip = next < 0 ? pending.length : Math.max(1, next);
        record(pending.slice(0, skip));
        pending = pending.slice(skip);
      }
    };
    socket.on('data', (chunk: Buffer) => {
      let data = chunk;
      if (double.mode === 'cut' && double.cutAfterFormats === 0) {
        const room = Math.max(0, cutAfterBytes - cutBytesSeen);
        // Status questions (the station's monitor asks every few seconds) do not count.
        cutBytesSeen += data.toString('latin1').replace(/~(HS|HI|HQOD|HQES)\r?\n?/g, '').length;
        if (data.length >= room) {
          pending += decoder.write(data.subarray(0, room));
          parse();
          if (!cut) reset();
          return;
        }
      }
      pending += decoder.write(data);
      parse();
      if (double.mode === 'slow' && !waitingForRoom) {
        socket.pause();
        setTimeout(() => waitingForRoom || socket.resume(), (data.length / double.bytesPerSecond) * 1000);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  double.port = (server.address() as AddressInfo).port;
  double.uri = `tcp://${host}:${double.port}`;
  return double;
}
