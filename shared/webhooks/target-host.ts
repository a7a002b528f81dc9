/**
 * The most of one account's endpoints that may point at one host. Every event goes to each endpoint, so
 * without it one account could send each event many times over to a third party's server.
 */
export const MAX_WEBHOOKS_PER_HOST = 3;

/** The longest webhook URL kept, counted as stored: after WHATWG normalisation has percent-encoded it. */
export const MAX_WEBHOOK_URL_LENGTH = 2000;

/**
 * The host a webhook URL reaches, as compared for the per-host cap: the WHATWG hostname lowercased, without
 * a trailing dot or IPv6 brackets. WHATWG already writes IP literals in one form (dotted decimal; IPv6
 * compressed, lowercase hex); an IPv4-mapped IPv6 address, which it writes as `::ffff:a:b`, is taken as the
 * IPv4 address it reaches. Port, path and query play no part: they vary freely and reach the same server.
 * (No address parser here: this module is in every bundle that describes the API.)
 */
export function targetHost(url: string): string {
  const host = new URL(url).hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (!mapped) return host;
  const [high, low] = [mapped[1], mapped[2]].map((piece) => Number.parseInt(piece as string, 16)) as [
    number,
    number,
  ];
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/**
 * The URL as compared for duplicates: WHATWG-normalised, without the fragment (never sent) and without a
 * trailing dot after the host name (`a.example.` is the absolute form of `a.example`: same address, same
 * request).
 */
function sameRequest(url: string): string {
  const parsed = new URL(url);
  parsed.hash = '';
  if (parsed.hostname.endsWith('.')) parsed.hostname = parsed.hostname.slice(0, -1);
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
