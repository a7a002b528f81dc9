/**
 * The local DynamoDB client's transport: each request is posted to the worker thread that runs dynalite
 * (dynamo-worker.mjs), with no socket and no HTTP parsing on either side. dynalite answers exactly as it
 * does over HTTP (same listener, same store, same conditional writes); the loopback round trip is saved
 * (about a quarter of the CPU of every call), and dynalite's own work runs on the worker's thread, as
 * DynamoDB's runs outside a Lambda function. The worker's HTTP listener stays up for other processes.
 */
import type { Worker } from 'node:worker_threads';
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

/** What the worker posts back for a request. */
type Reply =
  | { id: number; statusCode: number; headers: Record<string, string>; body: string }
  | { id: number; refused: true }
  | { id: number; error: { message: string } };

const stoppedError = () =>
  Object.assign(new Error('The local DynamoDB has stopped.'), { code: 'ECONNREFUSED' });

/** The request's body as text (the SDK's JSON protocol sends a string; bytes are decoded as UTF-8). */
function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array)
    return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString();
  return '';
}

/**
 * A request handler for the AWS SDK that posts each request to dynalite's worker thread. The worker holds
 * the process open only while a request waits for its answer. `stop` refuses what comes after it, as a
 * closed port does.
 */
export function workerHandler(worker: Worker): RequestHandler & { stop(): void } {
  let stopped = false;
  let next = 0;
  const waiting = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  const settleAll = (error: Error) => {
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
    worker.unref();
  };
  worker.on('message', (reply: Reply | { type: string }) => {
    if (!('id' in reply)) return;
    const pending = waiting.get(reply.id);
    if (!pending) return;
    waiting.delete(reply.id);
    if (waiting.size === 0) worker.unref();
    pending.resolve(reply);
  });
  worker.on('error', (error) => settleAll(error));
  worker.on('exit', () => {
    stopped = true;
    settleAll(stoppedError());
  });
  worker.unref();
  return {
    async handle(request: Request) {
      if (stopped) throw stoppedError();
      const query = new URLSearchParams(
        Object.entries(request.query ?? {}).flatMap(([k, v]) =>
          v === null ? [] : (Array.isArray(v) ? v : [v]).map((x): [string, string] => [k, x]),
        ),
      ).toString();
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
      const id = next++;
      const reply = await new Promise<Reply>((resolve, reject) => {
        if (waiting.size === 0) worker.ref();
        waiting.set(id, { resolve, reject });
        worker.postMessage({
          type: 'request',
          id,
          method: request.method,
          url: `${request.path}${query ? `?${query}` : ''}`,
          headers,
          body: bodyText(request.body),
        });
      });
      if ('refused' in reply) throw stoppedError();
      if ('error' in reply) throw new Error(reply.error.message);
      const response: Response = {
        statusCode: reply.statusCode,
        headers: reply.headers,
        body: Buffer.from(reply.body),
      };
      return { response };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
    destroy() {
      stopped = true;
    },
    stop() {
      stopped = true;
    },
  } as RequestHandler & { stop(): void };
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
