import { isIPv4, isIPv6 } from 'node:net';

/**
 * What a source address is counted as by the rate limits: an IPv4 address as itself (an IPv4-mapped IPv6
 * one too), an IPv6 address by its /64, which is what one client is given (RFC 6177): counted per address,
 * a client could try each refused credential from a new address with a new budget. The event stream's
 * function URL takes IPv6. Anything else (`unknown`) is counted as it is.
 *
 * Node's own parsers, not an address library: this runs in every API function, and a library was 13 KB
 * more for each of them to compile at every cold start.
 */
export function addressKey(address: string): string {
  if (isIPv4(address) || !isIPv6(address)) return address;
  const groups = ipv6Groups(address);
  if (!groups) return address;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [high = 0, low = 0] = groups.slice(6);
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/**
 * The eight 16-bit groups of an IPv6 address. The URL parser writes the address canonically first (lower
 * case, one `::`, an IPv4 tail as two groups); undefined for what it refuses (a zone id).
 */
function ipv6Groups(address: string): number[] | undefined {
  let canonical: string;
  try {
    canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const [head = '', tail] = canonical.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  const groups = [...left, ...zeros, ...right].map((g) => Number.parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : undefined;
}
