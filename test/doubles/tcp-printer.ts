// A loopback printer on raw TCP for tests: records job bytes, answers ~HS (ZPL) or DLE EOT (ESC/POS) per its state,
// and can stay silent, stall, or cut the connection after some bytes.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type DoubleState = 'ready' | 'paper-out' | 'paused' | 'head-open' | 'ribbon-out' | 'printing';
export type DoubleMode = 'normal' | 'silent' | 'stall' | 'cut' | 'slow';

export interface TcpPrinterDouble {
  port: number;
  uri: string;
  /** Job bytes per connection (status requests are not jobs). */
  jobs: Buffer[];
  received(): Buffer;
  state: DoubleState;
  mode: DoubleMode;
  /** With mode "cut": close the connection once this many job bytes have arrived. */
  cutAfterBytes: number;
  /** With mode "slow": how fast the printer takes data, in bytes per second (a printer working through labels). */
  bytesPerSecond: number;
  /** Labels (^XA) received so far. */
  labels(): number;
  /** Connections that brought job bytes and are still open. */
  openJobConnections(): number;
  close(): Promise<void>;
}

const STX = '\u0002';
const ETX = '\u0003';

export function hostStatus(state: DoubleState): string {
  const paperOut = state === 'paper-out' ? 1 : 0;
  const paused = state === 'paused' ? 1 : 0;
  const formats = state === 'printing' ? 2 : 0;
  const headUp = state === 'head-open' ? 1 : 0;
  const ribbonOut = state === 'ribbon-out' ? 1 : 0;
  const remaining = state === 'printing' ? 5 : 0;
  const one = `030,${paperOut},${paused},1245,${String(formats).padStart(3, '0')},0,0,0,000,0,0,0`;
  const two = `001,0,${headUp},${ribbonOut},1,2,6,0,${String(remaining).padStart(8, '0')},1,000`;
  return `${STX}${one}${ETX}\r\n${STX}${two}${ETX}\r\n${STX}1234,0${ETX}\r\n`;
}

function escposStatus(state: DoubleState, n: number): number {
  const base = 0x12;
  if (n === 1) return base | (state === 'paused' ? 0x08 : 0);
  if (n === 2) return base | (state === 'head-open' ? 0x04 : 0) | (state === 'paper-out' ? 0x20 : 0);
  return base | (state === 'paper-out' ? 0x60 : 0);
}

export async function startTcpPrinter(kind: 'zpl' | 'escpos', port = 0): Promise<TcpPrinterDouble> {
  const sockets = new Set<Socket>();
  const jobSockets = new Set<Socket>();
  const double: TcpPrinterDouble = {
    port: 0,
    uri: '',
    jobs: [],
    received: () => Buffer.concat(double.jobs),
    state: 'ready',
    mode: 'normal',
    cutAfterBytes: 0,
    bytesPerSecond: 2_000_000,
    labels: () => (double.received().toString('latin1').match(/\^XA/g) ?? []).length,
    openJobConnections: () => jobSockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      jobSockets.delete(socket);
    });
    socket.on('error', () => undefined);
    if (double.mode === 'stall') {
      socket.pause(); // accept, then never read: the sender's buffers fill up
      return;
    }
    let job: Buffer | undefined;
    socket.on('data', (chunk: Buffer) => {
      let data = chunk;
      if (kind === 'zpl' && data.includes('~HS')) {
        if (double.mode !== 'silent') socket.write(hostStatus(double.state));
        data = Buffer.from(data.toString('latin1').replace(/~HS\r?\n?/g, ''), 'latin1');
      }
      if (kind === 'escpos') {
        const kept: number[] = [];
        for (let i = 0; i < data.length; i++) {
          if (data[i] === 0x10 && data[i + 1] === 0x04 && data[i + 2] !== undefined) {
            if (double.mode !== 'silent') socket.write(Buffer.from([escposStatus(double.state, data[i + 2]!)]));
            i += 2;
          } else kept.push(data[i]!);
        }
        data = Buffer.from(kept);
      }
      if (data.length === 0) return;
      if (!job) {
        job = Buffer.alloc(0);
        double.jobs.push(job);
        jobSockets.add(socket);
      }
      const index = double.jobs.indexOf(job);
      if (double.mode === 'cut') {
        const room = Math.max(0, double.cutAfterBytes - double.received().length);
        job = Buffer.concat([job, data.subarray(0, room)]);
        double.jobs[index] = job;
        // A real cut: the connection is reset while data is still coming, as when a printer drops it mid-job.
        if (data.length >= room) socket.resetAndDestroy();
        return;
      }
      job = Buffer.concat([job, data]);
      double.jobs[index] = job;
      if (double.mode === 'slow') {
        socket.pause();
        setTimeout(() => socket.resume(), (data.length / double.bytesPerSecond) * 1000);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  double.port = (server.address() as AddressInfo).port;
  double.uri = `tcp://127.0.0.1:${double.port}`;
  return double;
}

/** A port on loopback where nothing listens. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
