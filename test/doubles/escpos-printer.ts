// A loopback ESC/POS receipt printer: records job bytes, answers DLE EOT 1/2/4 with one status byte each (paper, cover,
// pause) wherever the request stands in the input, and can stay silent, stall, or reset the connection mid-job.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export type EscPosState = 'ready' | 'paper-out' | 'paused' | 'head-open';
export type EscPosMode = 'normal' | 'silent' | 'stall' | 'cut';

export interface EscPosDouble {
  port: number;
  uri: string;
  state: EscPosState;
  mode: EscPosMode;
  /** With mode "cut": reset once this many job bytes arrived in all. */
  cutAfterBytes: number;
  jobs: Buffer[];
  received(): Buffer;
  close(): Promise<void>;
}

function statusByte(state: EscPosState, n: number): number {
  const base = 0x12;
  if (n === 1) return base | (state === 'paused' ? 0x08 : 0);
  if (n === 2) return base | (state === 'head-open' ? 0x04 : 0) | (state === 'paper-out' ? 0x20 : 0);
  return base | (state === 'paper-out' ? 0x60 : 0);
}

export async function startEscPosPrinter(port = 0): Promise<EscPosDouble> {
  const sockets = new Set<Socket>();
  const double: EscPosDouble = {
    port: 0,
    uri: '',
    state: 'ready',
    mode: 'normal',
    cutAfterBytes: 0,
    jobs: [],
    received: () => Buffer.concat(double.jobs),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (double.mode === 'stall') {
      socket.pause();
      return;
    }
    let job: Buffer | undefined;
    socket.on('data', (chunk: Buffer) => {
      const kept: number[] = [];
      const answers: number[] = [];
      for (let i = 0; i < chunk.length; i++) {
        if (chunk[i] === 0x10 && chunk[i + 1] === 0x04 && chunk[i + 2] !== undefined) {
          answers.push(statusByte(double.state, chunk[i + 2]!));
          i += 2;
        } else kept.push(chunk[i]!);
      }
      let data = Buffer.from(kept);
      let cut = false;
      if (double.mode === 'cut') {
        const room = Math.max(0, double.cutAfterBytes - double.received().length);
        if (data.length >= room) {
          data = data.subarray(0, room);
          cut = true;
        }
      }
      if (data.length > 0) {
        if (!job) {
          job = Buffer.alloc(0);
          double.jobs.push(job);
        }
        const index = double.jobs.indexOf(job);
        job = Buffer.concat([job, data]);
        double.jobs[index] = job;
      }
      if (cut) return socket.resetAndDestroy();
      if (answers.length && double.mode !== 'silent') socket.write(Buffer.from(answers));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  double.port = (server.address() as AddressInfo).port;
  double.uri = `tcp://127.0.0.1:${double.port}`;
  return double;
}
