// ESC/POS receipt printers on raw TCP 9100 (travelers): real status from DLE EOT where the printer answers.
import { z } from 'zod';
import { describeError } from '../src/errors.js';
import { ask, rawTcpPrinter, tcpTarget } from '../src/printing/tcp.js';
import type { DriverDefinition, PrinterDriver, PrinterStatus } from '../src/printing/types.js';

const optionsSchema = z.strictObject({
  connectTimeoutMs: z.number().int().min(100).max(60_000).default(3000),
  writeTimeoutMs: z.number().int().min(100).max(300_000).default(15_000),
  statusTimeoutMs: z.number().int().min(100).max(30_000).default(1500),
});
type EscPosOptions = z.infer<typeof optionsSchema>;

/** DLE EOT 1 (printer), 2 (offline cause), 4 (paper roll): each answered by one status byte. */
const STATUS_REQUEST = Buffer.from([0x10, 0x04, 0x01, 0x10, 0x04, 0x02, 0x10, 0x04, 0x04]);

/** Real-time status bytes always have bit 1 and bit 4 set, bits 0 and 7 clear. */
const isStatusByte = (b: number) => (b & 0x93) === 0x12;

export function parseEscPosStatus(answer: Buffer): PrinterStatus {
  const bytes = [...answer].filter(isStatusByte);
  if (bytes.length < 3) return { state: 'unknown', detail: 'connected, but the printer does not answer status requests' };
  const [printer, offline, paper] = bytes as [number, number, number];
  if (offline & 0x04) return { state: 'head-open', detail: 'cover is open' };
  if (paper & 0x60 || offline & 0x20) return { state: 'no-media', detail: 'out of paper' };
  if (offline & 0x40) return { state: 'error', detail: 'the printer reports an error (cutter jam or head temperature)' };
  if (printer & 0x08) return { state: 'paused', detail: offline & 0x08 ? 'paper is being fed with the button' : 'printer is offline' };
  return paper & 0x0c ? { state: 'ready', detail: 'paper is running low' } : { state: 'ready' };
}

const definition: DriverDefinition<EscPosOptions> = {
  name: 'escpos',
  description: 'ESC/POS receipt printers on raw TCP (port 9100), for travelers.',
  uriSchemes: ['tcp:'],
  optionsSchema,
  create(settings): PrinterDriver {
    const target = tcpTarget(settings.uri, settings.options.connectTimeoutMs);
    return rawTcpPrinter({
      target,
      writeTimeoutMs: settings.options.writeTimeoutMs,
      formats: ['escpos'],
      busy: { state: 'printing', detail: 'sending a traveler' },
      async query(signal) {
        try {
          const answer = await ask(target, STATUS_REQUEST, (a) => [...a].filter(isStatusByte).length >= 3, settings.options.statusTimeoutMs, signal);
          return parseEscPosStatus(answer ?? Buffer.alloc(0));
        } catch (err) {
          return { state: 'offline', detail: describeError(err) };
        }
      },
    });
  },
};

export default definition;
