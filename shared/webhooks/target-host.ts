import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { hostOf } from './ssrf.ts';

/**
 * The most of one account's endpoints that may point at one host. Every event goes to each endpoint, so
 * without it one account could send each event many times over to a third party's server.
 */
export const MAX_WEBHOOKS_PER_HOST = 3;

/**
 * The host a webhook URL reaches, as compared for the per-host cap: the WHATWG hostname lowercased, without
 * a trailing dot, an IP literal in its canonical form (an IPv4-mapped IPv6 address as its IPv4). Port,
 * path and query play no part: they are free to vary and still reach the same server.
 */
export function targetHost(url: string): string {
  const host = hostOf(new URL(url)).toLowerCase().replace(/\.$/, '');
  return isIP(host) === 0 ? host : ipaddr.process(host).toString();
}

/** The URL as compared for duplicates: WHATWG-normalised, without the fragment (never sent). */
function sameRequest(url: string): string {
  const parsed = new URL(url);
  parsed.hash = '';
  return parsed.toString();
}

/** A stored URL that no longer parses (none is saved unparsed) is compared as it is. */
const orAsIs =
  (key: (url: string) => string) =>
  (url: string): string => {
    try {
      return key(url);
    } catch {
      return url;
    }
  };

/**
 * Why `url` may not be added beside the account's `others` (its other endpoints), or undefined when it may:
 * a second endpoint with the same URL, or one more than MAX_WEBHOOKS_PER_HOST on one host.
 */
export function targetRefusal(url: string, others: { id: string; url: string }[]): string | undefined {
  const request = sameRequest(url);
  const duplicate = others.find((o) => orAsIs(sameRequest)(o.url) === request);
  if (duplicate) {
    return `Your webhook ${duplicate.id} already points at ${request}; a second one would only send each event there twice. Use that one, or give this one another URL.`;
  }
  const host = targetHost(url);
  const sameHost = others.filter((o) => orAsIs(targetHost)(o.url) === host).length;
  if (sameHost >= MAX_WEBHOOKS_PER_HOST) {
    return `You already have ${sameHost} webhooks to ${host}; at most ${MAX_WEBHOOKS_PER_HOST} may point at one host (whatever their port, path or query). Delete one of them or point this one elsewhere.`;
  }
  return undefined;
}
