// Finding printers on the LAN, for the foreman to choose from (nothing is added by itself):
// - DNS-SD: IPP printers (and raw-port printers) announced over multicast DNS, asked with one-shot queries from an
//   ordinary port on each of this PC's IPv4 interfaces, so no mDNS daemon of ours is needed and avahi keeps 5353;
// - a scan of one subnet for port 9100 (or others), bounded in size, time and concurrency, asking what answers with
//   ~HI and ~HS: a Zebra says its model, firmware, resolution, label length and whether it has labels.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { StationError } from '../errors.js';

export interface FoundPrinter {
  /** How it was found. */
  via: 'dns-sd' | 'scan';
  name: string;
  address: string;
  port: number;
  /** The driver and address to add it with. */
  driver: 'ipp' | 'zpl' | 'escpos';
  uri: string;
  model?: string;
  firmware?: string;
  dpmm?: 8 | 12 | 24;
  /** What the printer said of itself, in words ("ready", "out of labels", "label length 25.0 mm"). */
  detail?: string;
}

// ---------- DNS-SD ----------

const SERVICES = ['_ipp._tcp.local', '_ipps._tcp.local', '_pdl-datastream._tcp.local'];
const TYPE = { A: 1, PTR: 12, TXT: 16, SRV: 33 } as const;

function encodeName(name: string): Buffer {
  const parts = name.split('.').filter(Boolean);
  return Buffer.concat([...parts.map((p) => Buffer.concat([Buffer.from([Buffer.byteLength(p)]), Buffer.from(p)])), Buffer.from([0])]);
}

/** A query for PTR records of the services, asking for a unicast answer to this port (a one-shot query). */
export function mdnsQuery(services: readonly string[], id: number): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(services.length, 4);
  const questions = services.map((s) => {
    const tail = Buffer.alloc(4);
    tail.writeUInt16BE(TYPE.PTR, 0);
    tail.writeUInt16BE(0x8001, 2); // IN, unicast response wanted
    return Buffer.concat([encodeName(s), tail]);
  });
  return Buffer.concat([header, ...questions]);
}

interface DnsRecord {
  name: string;
  type: number;
  data: Buffer;
  offset: number;
}

function readName(msg: Buffer, offset: number, depth = 0): { name: string; next: number } {
  const labels: string[] = [];
  let at = offset;
  let next = -1;
  for (let hops = 0; hops < 64; hops++) {
    const len = msg[at];
    if (len === undefined) throw new Error('name runs past the message');
    if (len === 0) {
      at++;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (depth > 10) throw new Error('too many name pointers');
      const pointer = ((len & 0x3f) << 8) | msg[at + 1]!;
      if (next < 0) next = at + 2;
      const rest = readName(msg, pointer, depth + 1);
      labels.push(rest.name);
      return { name: labels.filter(Boolean).join('.'), next };
    }
    labels.push(msg.subarray(at + 1, at + 1 + len).toString('utf8'));
    at += 1 + len;
  }
  return { name: labels.join('.'), next: next < 0 ? at : next };
}

/** Every answer and additional record of a DNS message (malformed ones throw). */
export function parseDns(msg: Buffer): DnsRecord[] {
  if (msg.length < 12) throw new Error('too short for DNS');
  const qd = msg.readUInt16BE(4);
  const count = msg.readUInt16BE(6) + msg.readUInt16BE(8) + msg.readUInt16BE(10);
  let at = 12;
  for (let i = 0; i < qd; i++) at = readName(msg, at).next + 4;
  const records: DnsRecord[] = [];
  for (let i = 0; i < count && at < msg.length; i++) {
    const { name, next } = readName(msg, at);
    const type = msg.readUInt16BE(next);
    const len = msg.readUInt16BE(next + 8);
    const offset = next + 10;
    if (offset + len > msg.length) throw new Error('record runs past the message');
    records.push({ name, type, data: msg.subarray(offset, offset + len), offset });
    at = offset + len;
  }
  return records;
}

/** The interfaces' IPv4 addresses that can reach a LAN (not loopback, unless nothing else exists). */
function lanAddresses(): string[] {
  const all = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4');
  const lan = all.filter((a) => !a!.internal).map((a) => a!.address);
  return lan.length ? lan : all.map((a) => a!.address);
}

/** Asks the LAN for announced printers and collects the answers for `timeoutMs`. */
export async function browseDnsSd(timeoutMs = 2500): Promise<FoundPrinter[]> {
  const records: Array<{ msg: Buffer; from: string }> = [];
  const sockets: UdpSocket[] = [];
  const query = mdnsQuery(SERVICES, 0);
  await Promise.all(
    lanAddresses().map(
      (local) =>
        new Promise<void>((resolve) => {
          const socket = createSocket({ type: 'udp4', reuseAddr: true });
          sockets.push(socket);
          socket.on('message', (msg, rinfo) => records.push({ msg, from: rinfo.address }));
          socket.on('error', () => resolve());
          socket.bind(0, local, () => {
            try {
              socket.setMulticastInterface(local);
              socket.setMulticastTTL(255);
              // Sent twice: one multicast packet can be lost.
              socket.send(query, 5353, '224.0.0.251');
              setTimeout(() => socket.send(query, 5353, '224.0.0.251'), 300).unref();
            } catch {
              // an interface without multicast: nothing found through it
            }
            resolve();
          });
        }),
    ),
  );
  await new Promise((r) => setTimeout(r, timeoutMs));
  for (const s of sockets) s.close();

  const ptr = new Map<string, string>(); // instance -> service
  const srv = new Map<string, { target: string; port: number }>();
  const txt = new Map<string, Record<string, string>>();
  const hosts = new Map<string, string>();
  const seenFrom = new Map<string, string>();
  for (const { msg, from } of records) {
    let parsed: DnsRecord[];
    try {
      parsed = parseDns(msg);
    } catch {
      continue; // one malformed answer stops nothing else
    }
    for (const r of parsed) {
      const service = SERVICES.find((s) => r.name.toLowerCase() === s);
      if (r.type === TYPE.PTR && service) {
        const instance = readName(msg, r.offset).name;
        ptr.set(instance, service);
        seenFrom.set(instance, from);
      } else if (r.type === TYPE.SRV && r.data.length >= 7) {
        srv.set(r.name, { port: r.data.readUInt16BE(4), target: readName(msg, r.offset + 6).name });
      } else if (r.type === TYPE.TXT) {
        const values: Record<string, string> = {};
        for (let i = 0; i < r.data.length; ) {
          const len = r.data[i]!;
          const [k, ...v] = r.data.subarray(i + 1, i + 1 + len).toString('utf8').split('=');
          if (k) values[k.toLowerCase()] = v.join('=');
          i += 1 + len;
        }
        txt.set(r.name, values);
      } else if (r.type === TYPE.A && r.data.length === 4) {
        hosts.set(r.name.toLowerCase(), [...r.data].join('.'));
      }
    }
  }
  const found: FoundPrinter[] = [];
  for (const [instance, service] of ptr) {
    const s = srv.get(instance);
    if (!s) continue;
    const t = txt.get(instance) ?? {};
    const address = hosts.get(s.target.toLowerCase()) ?? seenFrom.get(instance)!;
    const name = instance.slice(0, instance.length - service.length - 1);
    const ipp = service !== '_pdl-datastream._tcp.local';
    const scheme = service === '_ipps._tcp.local' ? 'ipps' : 'ipp';
    found.push({
      via: 'dns-sd',
      name,
      address,
      port: s.port,
      driver: ipp ? 'ipp' : 'zpl',
      uri: ipp ? `${scheme}://${address}:${s.port}/${(t.rp ?? 'ipp/print').replace(/^\//, '')}` : `tcp://${address}:${s.port}`,
      ...(t.ty ? { model: t.ty } : {}),
      ...(t.pdl ? { detail: `takes ${t.pdl}` } : {}),
    });
  }
  // The same printer over ipp and ipps: keep ipp (what the ipp driver speaks).
  return found.filter((f, i) => !f.uri.startsWith('ipps:') || !found.some((g, j) => j !== i && g.address === f.address && g.name === f.name && g.uri.startsWith('ipp:')));
}

// ---------- subnet scan ----------

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
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(subnet.trim());
  if (!m || m.slice(1, 5).some((p) => Number(p) > 255) || (m[5] !== undefined && Number(m[5]) > 32)) {
    throw new StationError('INVALID_SUBNET', `"${subnet}" is not an IPv4 network; write it like 192.168.1.0/24.`, { status: 422 });
  }
  const bits = m[5] === undefined ? 32 : Number(m[5]);
  const size = 2 ** (32 - bits);
  if (size > max) throw new StationError('SUBNET_TOO_LARGE', `${subnet} has ${size} addresses; a scan takes at most ${max} (a /${32 - Math.log2(max)}).`, { status: 422, hint: 'Scan the part of the network where the printers are.' });
  const base = (m.slice(1, 5).reduce((n, p) => n * 256 + Number(p), 0) >>> 0) & (bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0);
  const first = size > 2 ? 1 : 0;
  const last = size > 2 ? size - 2 : size - 1;
  const out: string[] = [];
  for (let i = first; i <= last; i++) {
    const n = (base + i) >>> 0;
    out.push([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'));
  }
  return out;
}

/** What a raw-port device says to ~HI and ~HS within `answerMs` (a Zebra answers both; others answer nothing). */
async function probe(address: string, port: number, connectMs: number, answerMs: number, signal: AbortSignal): Promise<FoundPrinter | undefined> {
  const socket = new Socket();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timeout')), connectMs);
      socket.once('connect', () => (clearTimeout(timer), resolve()));
      socket.once('error', (e) => (clearTimeout(timer), reject(e)));
      signal.addEventListener('abort', () => (clearTimeout(timer), reject(new Error('stopped'))), { once: true });
      socket.connect(port, address);
    });
  } catch {
    socket.destroy();
    return undefined;
  }
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  socket.on('error', () => undefined);
  socket.write('~HI\r\n~HS\r\n');
  const deadline = Date.now() + answerMs;
  while (Date.now() < deadline && (text.match(/\x03/g)?.length ?? 0) < 4 && !signal.aborted) await new Promise((r) => setTimeout(r, 25));
  socket.destroy();
  const frames = [...text.matchAll(/\x02([^\x03]*)\x03/g)].map((m) => m[1]!);
  const hi = frames.find((f) => f.split(',').length <= 6 && !/^\d{3},/.test(f));
  const hs = frames.filter((f) => /^\d{3},/.test(f));
  if (!hi && hs.length === 0) {
    return { via: 'scan', name: `${address}:${port}`, address, port, driver: 'escpos', uri: `tcp://${address}:${port}`, detail: 'the port is open but nothing answered ~HI or ~HS: not a ZPL printer (an ESC/POS printer, or another kind)' };
  }
  const [model, firmware, dots] = (hi ?? '').split(',');
  const dpmm = ({ '6': undefined, '8': 8, '12': 12, '24': 24 } as Record<string, 8 | 12 | 24 | undefined>)[dots?.trim() ?? ''];
  const words: string[] = [];
  if (hs.length >= 2) {
    const one = hs[0]!.split(',');
    const two = hs[1]!.split(',');
    if (two[2]?.trim() === '1') words.push('print head open');
    else if (one[1]?.trim() === '1') words.push('out of labels');
    else if (two[3]?.trim() === '1') words.push('out of ribbon');
    else if (one[2]?.trim() === '1') words.push('paused');
    else words.push('ready');
    const length = Number.parseInt(one[3] ?? '', 10);
    if (length > 0) words.push(`label length ${(length / (dpmm ?? 8)).toFixed(1)} mm (${length} dots)`);
  }
  return {
    via: 'scan',
    name: model?.trim() || `${address}:${port}`,
    address,
    port,
    driver: 'zpl',
    uri: port === 9100 ? `tcp://${address}` : `tcp://${address}:${port}`,
    ...(model?.trim() ? { model: model.trim() } : {}),
    ...(firmware?.trim() ? { firmware: firmware.trim() } : {}),
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
  let next = 0;
  const worker = async () => {
    while (next < targets.length && !deadline.aborted) {
      const [host, port] = targets[next++]!;
      const found = await probe(host, port, o.connectMs ?? 400, o.answerMs ?? 800, deadline).catch(() => undefined);
      if (found) progress.found.push(found);
      progress.checked++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency ?? 64, targets.length) }, worker));
  if (deadline.aborted && progress.checked < progress.total) progress.stopped = signal.aborted ? 'stopped' : `the scan took its ${Math.round((o.deadlineMs ?? 60_000) / 1000)} s: ${progress.total - progress.checked} addresses were not checked`;
  progress.found.sort((a, b) => a.address.localeCompare(b.address, 'en', { numeric: true }) || a.port - b.port);
  progress.done = true;
  progress.finishedAt = new Date().toISOString();
}
