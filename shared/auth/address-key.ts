import ipaddr from 'ipaddr.js';

/**
 * What a source address is counted as by the rate limits: an IPv4 address as itself (an IPv4-mapped IPv6
 * one too), an IPv6 address by its /64, which is what one client is given (RFC 6177): counted per address,
 * a client could try each refused credential from a new address with a new budget. The event stream's
 * function URL takes IPv6. Anything else (`unknown`) is counted as it is.
 */
export function addressKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const network = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...network, 0, 0, 0, 0]).toNormalizedString()}/64`;
}
