// Loopback Zebra printers for the queue benchmark, in their own process (as real printers are their own devices): the
// same Zebra double the tests use (it answers ~HS, which the station asks before and after each job), noting when the
// first label of each job arrives on the machine-wide monotonic clock, so the time is not delayed by the load
// generator's own work. Tells its parent the ports, then one message per job: { tag, at }.
import { startZebraPrinter } from '../test/doubles/zebra-printer.js';

const count = Number(process.argv[2] ?? 3);
const now = () => Number(process.hrtime.bigint()) / 1e6;

const ports = await Promise.all(
  Array.from({ length: count }, async () => {
    const zebra = await startZebraPrinter();
    zebra.bufferCapacity = 10_000;
    zebra.onFormat = (format) => {
      const tag = /JOB(\d+)/.exec(format)?.[1];
      if (tag) process.send!({ tag, at: now() });
    };
    // Nothing keeps what came out: a long benchmark must not grow this process.
    zebra.keepPrinted = false;
    return zebra.port;
  }),
);
process.send!({ ports });
process.on('disconnect', () => process.exit(0));
