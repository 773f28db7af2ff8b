// IPv4 addresses and networks, as the station reads them: an allow list, a subnet to scan, a config value.

/** 192.168.1.7 as a 32-bit number; undefined when it is not a dotted IPv4 address. */
export function ipv4ToNumber(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0) >>> 0;
}

export function numberToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** a.b.c.d or a.b.c.d/n: its first address (host bits cleared) and prefix length; undefined when not one. */
export function parseIpv4Network(text: string): { base: number; bits: number } | undefined {
  const [address, bits, ...rest] = text.trim().split('/');
  const ip = ipv4ToNumber(address ?? '');
  if (rest.length || ip === undefined || (bits !== undefined && !(/^\d{1,2}$/.test(bits) && Number(bits) <= 32))) return undefined;
  const n = bits === undefined ? 32 : Number(bits);
  return { base: (ip & maskOf(n)) >>> 0, bits: n };
}

const maskOf = (bits: number) => (bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0);

/** Whether an address (IPv4-mapped IPv6 counts as its IPv4 address) is in any of the networks. */
export function inIpv4Networks(address: string, networks: readonly string[]): boolean {
  const ip = ipv4ToNumber(address.replace(/^::ffff:/i, ''));
  if (ip === undefined) return false;
  return networks.some((text) => {
    const net = parseIpv4Network(text);
    return !!net && ((ip & maskOf(net.bits)) >>> 0) === net.base;
  });
}
