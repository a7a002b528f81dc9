/**
 * The local DynamoDB client's transport: each request goes straight to dynalite's request listener in
 * this process, with no socket and no HTTP parsing on either side. dynalite answers exactly as it does
 * over HTTP (same listener, same store, same conditional writes); only the loopback round trip is saved,
 * which was about a quarter of the CPU of every call. The HTTP listener stays up for other processes.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

type RequestHandler = Extract<NonNullable<DynamoDBClientConfig['requestHandler']>, { handle: unknown }>;
type RequestSigner = Extract<NonNullable<DynamoDBClientConfig['signer']>, { sign: unknown }>;
/** What the SDK hands a request handler, and what it takes back (its HttpRequest and HttpResponse). */
interface Request {
  method: string;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}
interface Response {
  statusCode: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

/**
 * A request handler for the AWS SDK that calls `listener` (dynalite's) with stand-ins for req and res.
 * `drain` settles once every request already handed to dynalite is answered: dynalite's store must not be
 * closed under one (its storage layer then throws outside any promise the caller holds).
 */
export function inProcessHandler(listener: RequestListener): RequestHandler & { drain(): Promise<void> } {
  let destroyed = false;
  const inFlight = new Set<Promise<unknown>>();
  return {
    handle(request: Request) {
      const answer = answerOf(request);
      inFlight.add(answer);
      const settled = () => inFlight.delete(answer);
      answer.then(settled, settled);
      return answer;
    },
    async drain() {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
    destroy() {
      destroyed = true;
    },
  } as RequestHandler & { drain(): Promise<void> };

  function answerOf(request: Request) {
    return new Promise<{ response: Response }>((resolve, reject) => {
      // As a stopped server refuses connections: dynalite's store may be closed, and it throws then.
      if (destroyed) {
        reject(Object.assign(new Error('The local DynamoDB has stopped.'), { code: 'ECONNREFUSED' }));
        return;
      }
      const query = new URLSearchParams(
        Object.entries(request.query ?? {}).flatMap(([k, v]) =>
          v === null ? [] : (Array.isArray(v) ? v : [v]).map((x): [string, string] => [k, x]),
        ),
      ).toString();
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
      const req = Object.assign(new EventEmitter(), {
        method: request.method,
        url: `${request.path}${query ? `?${query}` : ''}`,
        headers,
      });
      const out: Record<string, string> = {};
      const res = {
        statusCode: 200,
        setHeader(name: string, value: string | number) {
          out[name.toLowerCase()] = String(value);
        },
        end(body?: string | Uint8Array) {
          resolve({
            response: {
              statusCode: res.statusCode,
              headers: out,
              body: typeof body === 'string' ? Buffer.from(body) : (body ?? new Uint8Array()),
            },
          });
        },
      };
      try {
        listener(req as unknown as IncomingMessage, res as unknown as ServerResponse);
      } catch (error) {
        reject(error);
        return;
      }
      const { body } = request;
      // dynalite reads the body from 'data' events, as from a socket.
      // (Buffer.from of the SDK's body object would call its valueOf, which warns; its bytes are wrapped.)
      if (typeof body === 'string' && body.length > 0) req.emit('data', Buffer.from(body));
      else if (body instanceof Uint8Array && body.byteLength > 0)
        req.emit('data', Buffer.from(body.buffer, body.byteOffset, body.byteLength));
      req.emit('end');
    });
  }
}

/**
 * A signer for the in-process client: dynalite checks that a request carries a SigV4 header but never
 * verifies it, so this one writes a well-formed header without hashing the body or deriving a key (about
 * a tenth of the CPU of each call). Only for `inProcessHandler`: over a socket, clients sign as usual.
 */
export const unverifiedSigner: RequestSigner = {
  async sign(request) {
    const date = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
    const r = request as unknown as { headers: Record<string, string> };
    r.headers['x-amz-date'] = date;
    r.headers.authorization = `AWS4-HMAC-SHA256 Credential=local/${date.slice(0, 8)}/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=unverified`;
    return request;
  },
};
