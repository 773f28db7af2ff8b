// Finding printers on the LAN: a scan of one subnet for port 9100 (or others), bounded in size, time and concurrency,
// asking what answers with ~HI and ~HS: a Zebra says its model, firmware, resolution, label length and whether it
// has labels. Nothing is added by itself.
import { setMaxListeners } from 'node:events';
import { Socket } from 'node:net';
import { StationError } from '../errors.js';
import { numberToIpv4, parseIpv4Network } from '../lib/ipv4.js';
import type { FoundPrinter } from './discovery.js';
import { hostStatusAnswer, oneFrame } from './zpl-status.js';

export interface ScanProgress {
  id: string;
  subnet: string;
  ports: number[];
  total: number;
  checked: number;
  found: FoundPrinter[];
  done: boolean;
  startedAt: string;
  finishedAt?: string;
  /** Why it ended early, if it did. */
  stopped?: string;
}

/** Every host address of an IPv4 network (without network and broadcast for /30 and wider), at most `max`. */
export function hostsOf(subnet: string, max: number): string[] {
  const net = parseIpv4Network(subnet);
  if (!net) throw new StationError('INVALID_SUBNET', `"${subnet}" is not an IPv4 network; write it like 192.168.1.0/24.`, { status: 422 });
  const size = 2 ** (32 - net.bits);
  if (size > max) throw new StationError('SUBNET_TOO_LARGE', `${subnet} has ${size} addresses; a scan takes at most ${max} (a /${32 - Math.log2(max)}).`, { status: 422, hint: 'Scan the part of the network where the printers are.' });
  const first = size > 2 ? 1 : 0;
  const last = size > 2 ? size - 2 : size - 1;
  const out: string[] = [];
  for (let i = first; i <= last; i++) {
    out.push(numberToIpv4((net.base + i) >>> 0));
  }
  return out;
}

/** What a raw-port device says to ~HI and ~HS within `answerMs` (a Zebra answers both; others answer nothing). */
async function probe(address: string, port: number, connectMs: number, answerMs: number, signal: AbortSignal): Promise<FoundPrinter | undefined> {
  const socket = new Socket();
  try {
    await new Promise<void>((resolve, reject) => {
      // Whatever ends the wait takes its timer and its listener on the scan's signal with it: a scan probes up to a
      // thousand addresses under one signal, and a listener left on it keeps its probe's socket until the scan ends.
      const end = (err?: Error) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', stopped);
        if (err) reject(err);
        else resolve();
      };
      const stopped = () => end(new Error('stopped'));
      const timer = setTimeout(() => end(new Error('timeout')), connectMs);
      socket.once('connect', () => end());
      socket.once('error', (e) => end(e));
      signal.addEventListener('abort', stopped, { once: true });
      socket.connect(port, address);
    });
  } catch {
    socket.destroy();
    return undefined;
  }
  let received = Buffer.alloc(0);
  socket.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
  socket.on('error', () => undefined);
  socket.write('~HI\r\n~HS\r\n');
  // Read as the ZPL driver reads them: the ~HI frame, then the three frames of ~HS.
  // (A printer that does not know ~HI answers ~HS alone: its first frame is then an ~HS string, "030,0,0,…".)
  const answers = () => {
    const first = oneFrame(received);
    const hi = first && !/^\d{3},/.test(first.value) ? first : undefined;
    const hs = first ? hostStatusAnswer(received.subarray(hi?.used ?? 0)) : undefined;
    return { hi: hi?.value, hs: hs?.value };
  };
  const deadline = Date.now() + answerMs;
  while (Date.now() < deadline && !answers().hs && !signal.aborted) await new Promise((r) => setTimeout(r, 25));
  socket.destroy();
  const { hi, hs } = answers();
  if (!hi && !hs) {
    return { via: 'scan', name: `${address}:${port}`, address, port, driver: 'escpos', uri: `tcp://${address}:${port}`, detail: 'the port is open but nothing answered ~HI or ~HS: not a ZPL printer (an ESC/POS printer, or another kind)' };
  }
  const [model, firmware, dots] = (hi ?? '').split(',').map((p) => p.trim());
  const dpmm = ({ '8': 8, '12': 12, '24': 24 } as Record<string, 8 | 12 | 24 | undefined>)[dots ?? ''];
  const words: string[] = [];
  if (hs) {
    words.push(hs.status.detail ?? hs.status.state);
    if (hs.labelLengthDots) words.push(`label length ${(hs.labelLengthDots / (dpmm ?? 8)).toFixed(1)} mm (${hs.labelLengthDots} dots)`);
  }
  return {
    via: 'scan',
    name: model || `${address}:${port}`,
    address,
    port,
    driver: 'zpl',
    uri: port === 9100 ? `tcp://${address}` : `tcp://${address}:${port}`,
    ...(model ? { model } : {}),
    ...(firmware ? { firmware } : {}),
    ...(dpmm ? { dpmm } : {}),
    ...(words.length ? { detail: words.join(', ') } : {}),
  };
}

export interface ScanOptions {
  ports?: number[];
  /** Connections at once. */
  concurrency?: number;
  connectMs?: number;
  answerMs?: number;
  /** The whole scan stops after this long, saying so. */
  deadlineMs?: number;
  maxHosts?: number;
}

/** Scans, reporting into `progress` as it goes (the kiosk asks for it); resolves when done or stopped. */
export async function scanSubnet(progress: ScanProgress, o: ScanOptions, signal: AbortSignal): Promise<void> {
  const hosts = hostsOf(progress.subnet, o.maxHosts ?? 1024);
  const targets = hosts.flatMap((h) => progress.ports.map((p) => [h, p] as const));
  progress.total = targets.length;
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(o.deadlineMs ?? 60_000)]);
  const concurrency = Math.min(o.concurrency ?? 64, targets.length);
  setMaxListeners(concurrency + 1, deadline); // one probe at a time per worker listens to it
  let next = 0;
  const worker = async () => {
    while (next < targets.length && !deadline.aborted) {
      const [host, port] = targets[next++]!;
      const found = await probe(host, port, o.connectMs ?? 400, o.answerMs ?? 800, deadline).catch(() => undefined);
      if (found) progress.found.push(found);
      progress.checked++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (deadline.aborted && progress.checked < progress.total) progress.stopped = signal.aborted ? 'stopped' : `the scan took its ${Math.round((o.deadlineMs ?? 60_000) / 1000)} s: ${progress.total - progress.checked} addresses were not checked`;
  progress.found.sort((a, b) => a.address.localeCompare(b.address, 'en', { numeric: true }) || a.port - b.port);
  progress.done = true;
  progress.finishedAt = new Date().toISOString();
}
