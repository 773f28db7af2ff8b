// Zebra (ZPL) printers on raw TCP 9100: one format per label, status from ~HS, never polled while a job streams.
import { z } from 'zod';
import { describeError } from '../src/errors.js';
import { ask, rawTcpPrinter, tcpTarget } from '../src/printing/tcp.js';
import type { DriverDefinition, PrinterDriver, PrinterStatus } from '../src/printing/types.js';

const optionsSchema = z.strictObject({
  connectTimeoutMs: z.number().int().min(100).max(60_000).default(3000),
  writeTimeoutMs: z.number().int().min(100).max(300_000).default(15_000),
  statusTimeoutMs: z.number().int().min(100).max(30_000).default(2000),
});
type ZplOptions = z.infer<typeof optionsSchema>;

const STX = 0x02;
const ETX = 0x03;

/** The three ~HS strings, each framed by STX ... ETX. */
export function hostStatusStrings(answer: Buffer): string[][] {
  const strings: string[][] = [];
  let start = -1;
  for (let i = 0; i < answer.length; i++) {
    if (answer[i] === STX) start = i + 1;
    else if (answer[i] === ETX && start >= 0) {
      strings.push(answer.subarray(start, i).toString('latin1').split(','));
      start = -1;
    }
  }
  return strings;
}

/** Maps ~HS flags to the station's vocabulary; the most urgent condition wins. */
export function parseHostStatus(answer: Buffer): PrinterStatus {
  const [one, two] = hostStatusStrings(answer);
  if (!one || !two || one.length < 12 || two.length < 11) return { state: 'error', detail: 'the printer answered ~HS with something unreadable' };
  const flag = (s: string[], i: number) => s[i]?.trim() === '1';
  const paperOut = flag(one, 1);
  const paused = flag(one, 2);
  const formatsQueued = Number(one[4]);
  const corruptRam = flag(one, 9);
  const underTemp = flag(one, 10);
  const overTemp = flag(one, 11);
  const headUp = flag(two, 2);
  const ribbonOut = flag(two, 3);
  const labelsRemaining = Number(two[8]);
  if (headUp) return { state: 'head-open', detail: 'print head is open' };
  if (paperOut) return { state: 'no-media', detail: 'out of labels' };
  if (ribbonOut) return { state: 'ribbon-out', detail: 'out of ribbon' };
  if (paused) return { state: 'paused', detail: 'paused at the printer' };
  if (corruptRam || underTemp || overTemp) return { state: 'error', detail: corruptRam ? 'printer memory error' : underTemp ? 'print head too cold' : 'print head too hot' };
  if (formatsQueued > 0 || labelsRemaining > 0) return { state: 'printing', detail: `${labelsRemaining} label(s) still to print` };
  return { state: 'ready' };
}

const definition: DriverDefinition<ZplOptions> = {
  name: 'zpl',
  description: 'Zebra and compatible label printers speaking ZPL on raw TCP (port 9100).',
  uriSchemes: ['tcp:'],
  optionsSchema,
  create(settings): PrinterDriver {
    const target = tcpTarget(settings.uri, settings.options.connectTimeoutMs);
    return rawTcpPrinter({
      target,
      writeTimeoutMs: settings.options.writeTimeoutMs,
      formats: ['zpl'],
      busy: { state: 'printing', detail: 'sending labels' },
      async query(signal) {
        let answer: Buffer | undefined;
        try {
          answer = await ask(target, Buffer.from('~HS\r\n'), (a) => hostStatusStrings(a).length >= 3, settings.options.statusTimeoutMs, signal);
        } catch (err) {
          return { state: 'offline', detail: describeError(err) };
        }
        // Reachable but silent is a fault at the printer, not a missing printer.
        if (!answer) return { state: 'error', detail: `no answer to ~HS within ${settings.options.statusTimeoutMs} ms` };
        return parseHostStatus(answer);
      },
    });
  },
};

export default definition;
