// Loopback raw-TCP printers for the queue benchmark, in their own process (as real printers are their own devices):
// each notes when the first byte of a job arrives, on the machine-wide monotonic clock, so the time is not delayed by
// the load generator's own work. Tells its parent the ports, then one message per job: { tag, at }.
import { createServer, type AddressInfo } from 'node:net';

const count = Number(process.argv[2] ?? 3);
const now = () => Number(process.hrtime.bigint()) / 1e6;

const ports = await Promise.all(
  Array.from({ length: count }, async () => {
    const server = createServer((socket) => {
      let seen = false;
      socket.on('data', (chunk: Buffer) => {
        if (seen) return;
        seen = true;
        const at = now();
        const tag = /JOB(\d+)/.exec(chunk.toString('latin1'))?.[1];
        if (tag) process.send!({ tag, at });
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return (server.address() as AddressInfo).port;
  }),
);
process.send!({ ports });
process.on('disconnect', () => process.exit(0));
