// Where a request comes from: the socket's address, or with server.trustProxy the one our proxy vouches for; and
// which host and scheme it was sent to.
import type { Context } from 'hono';

export interface Client {
  /** The caller's address (IPv4-mapped IPv6 unwrapped). */
  address: string | undefined;
  /** It came through a proxy the station does not trust: its real origin is unknown. */
  viaUntrustedProxy: boolean;
  /** Host (name or address, no port) and the origin the request was sent to, e.g. http://bench2:8080. */
  host: string;
  origin: string;
}

function socketAddress(c: Context): string | undefined {
  return (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;
}

const unmap = (a: string | undefined) => (a?.startsWith('::ffff:') ? a.slice(7) : a);

/** "host:port", "[v6]:port" or "host" to the bare host, lower case. */
export function hostOnly(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colons = h.split(':').length - 1;
  return colons === 1 ? h.slice(0, h.indexOf(':')) : h;
}

export function clientOf(c: Context, trustProxy: boolean): Client {
  const forwardedFor = c.req.header('x-forwarded-for');
  const proxied = forwardedFor !== undefined || c.req.header('forwarded') !== undefined;
  const hostHeader = (trustProxy ? c.req.header('x-forwarded-host')?.split(',')[0] : undefined) ?? c.req.header('host') ?? new URL(c.req.url).host;
  const scheme = (trustProxy ? c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() : undefined) ?? new URL(c.req.url).protocol.replace(':', '');
  // Behind our own proxy, the address it appended last is the one it saw; anything before that the client could forge.
  const address = trustProxy && forwardedFor ? forwardedFor.split(',').at(-1)!.trim() : socketAddress(c);
  return { address: unmap(address), viaUntrustedProxy: proxied && !trustProxy, host: hostOnly(hostHeader), origin: `${scheme}://${hostHeader.trim().toLowerCase()}` };
}

export function isLoopback(address: string | undefined): boolean {
  return !!address && (address === '::1' || address.startsWith('127.'));
}
