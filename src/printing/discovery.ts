// Finding printers on the LAN, for the foreman to choose from (nothing is added by itself). Here DNS-SD: IPP printers
// (and raw-port printers) announced over multicast DNS, asked with one-shot queries from an ordinary port on each of
// this PC's IPv4 interfaces, so no mDNS daemon of ours is needed and avahi keeps 5353. The subnet scan is in scan.ts.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { networkInterfaces } from 'node:os';

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
