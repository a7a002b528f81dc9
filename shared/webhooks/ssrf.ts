import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Where webhooks may go. `deployed`: https only, to addresses on the public internet. `local` (`npm start`)
 * also allows http and https to loopback, so a developer can point an endpoint at a receiver on the laptop.
 */
export type TargetPolicy = 'deployed' | 'local';

export class UnsafeTargetError extends Error {
  override readonly name = 'UnsafeTargetError';
}

/** Why an address may not be reached, or undefined when it may. IPv4-mapped IPv6 counts as its IPv4. */
export function addressRefusal(address: string, policy: TargetPolicy): string | undefined {
  if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  // ::a.b.c.d (deprecated, RFC 4291; :: and ::1 aside) has no range of its own in ipaddr.js and reads as
  // unicast; a stack that still maps it to IPv4 would reach a.b.c.d, so it is refused whatever that is.
  const ipv4Compatible =
    parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).parts.slice(0, 6).every((part) => part === 0);
  if (ipv4Compatible && range === 'unicast') {
    return `${address} is an IPv4-compatible address, not a public one`;
  }
  if (range === 'unicast') return undefined;
  if (range === 'loopback' && policy === 'local') return undefined;
  return `${address} is a ${range} address, not a public one`;
}

/** Checks a URL's form (scheme, credentials, literal addresses) before it is stored or called. */
export function checkTargetUrl(raw: string, policy: TargetPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeTargetError('is not an absolute URL');
  }
  // A name with its trailing dot (the absolute form) is the same name to the checks below.
  const host = hostOf(url).replace(/\.$/, '');
  const loopback =
    host === 'localhost' || (ipaddr.isValid(host) && ipaddr.process(host).range() === 'loopback');
  if (url.protocol !== 'https:' && !(policy === 'local' && url.protocol === 'http:' && loopback)) {
    throw new UnsafeTargetError(policy === 'local' ? 'must be https (or http to loopback)' : 'must be https');
  }
  if (url.username || url.password) throw new UnsafeTargetError('must not carry credentials');
  if (isIP(host) !== 0) {
    const refusal = addressRefusal(host, policy);
    if (refusal) throw new UnsafeTargetError(`must reach a public address: ${refusal}`);
  } else if (
    policy === 'deployed' &&
    (host === 'localhost' || host.endsWith('.localhost') || !host.includes('.'))
  ) {
    throw new UnsafeTargetError('must name a public host');
  }
  return url;
}

/** The URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;
export type Resolver = (
  hostname: string,
  callback: (error: Error | null, addresses: LookupAddress[]) => void,
) => void;

const systemResolver: Resolver = (hostname, callback) =>
  dnsLookup(hostname, { all: true }, (error, addresses) => callback(error, addresses ?? []));

/**
 * A `lookup` for http.request that resolves the name and refuses the connection unless every address it
 * resolves to may be reached: the check happens when the socket connects, so a name that changes its
 * answer after the endpoint was saved (DNS rebinding) is caught at delivery.
 */
export function guardedLookup(policy: TargetPolicy, resolve: Resolver = systemResolver) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
    resolve(hostname, (error, addresses) => {
      if (error) return callback(error, []);
      if (addresses.length === 0) return callback(new UnsafeTargetError(`${hostname} has no address`), []);
      for (const a of addresses) {
        const refusal = addressRefusal(a.address, policy);
        if (refusal) return callback(new UnsafeTargetError(`${hostname} resolves to ${refusal}`), []);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}
