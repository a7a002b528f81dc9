import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import {
  addressRefusal,
  checkTargetUrl,
  guardedLookup,
  hostOf,
  type Resolver,
  type TargetPolicy,
} from './ssrf.ts';

export interface SendResult {
  /** The response status, when one came. */
  statusCode?: number;
  latencyMs: number;
  /** Why the attempt failed without a 2xx (a timeout, a refused address, a redirect, a status). */
  error?: string;
}

export interface SendOptions {
  policy: TargetPolicy;
  /** A 2xx must arrive (headers) within this many milliseconds. */
  timeoutMs: number;
  resolve?: Resolver;
}

/**
 * POSTs one signed message. The target is re-checked here (form, and every resolved address as the socket
 * connects); redirects are never followed, so a 3xx is a failure like any other non-2xx.
 */
export async function sendWebhook(
  rawUrl: string,
  headers: Record<string, string>,
  body: string,
  options: SendOptions,
): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let url: URL;
  try {
    url = checkTargetUrl(rawUrl, options.policy);
    const host = hostOf(url);
    if (isIP(host) !== 0) {
      const refusal = addressRefusal(host, options.policy);
      if (refusal) throw new Error(refusal);
    }
  } catch (error) {
    return { latencyMs: elapsed(), error: `refused: ${(error as Error).message}` };
  }
  // Plain http reaches only local targets. Imported here: an ES module import of node:http costs every
  // cold start (Node builds its namespace, which loads the internal undici), deployed or not.
  const request = url.protocol === 'https:' ? httpsRequest : (await import('node:http')).request;
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (result: Omit<SendResult, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve({ ...result, latencyMs: elapsed() });
    };
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body).toString(),
          'user-agent': 'ai-video-webhooks/1',
        },
        lookup: guardedLookup(options.policy, options.resolve) as never,
        agent: false,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        finish(
          status >= 200 && status < 300
            ? { statusCode: status }
            : { statusCode: status, error: `HTTP ${status}` },
        );
      },
    );
    const timer = setTimeout(
      () => finish({ error: `no answer within ${options.timeoutMs} ms` }),
      options.timeoutMs,
    );
    req.on('error', (error) => finish({ error: error.message }));
    req.end(body);
  });
}
