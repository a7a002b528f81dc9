/**
 * The local DynamoDB client's transport: each request is posted to the thread dynalite runs in
 * (dynamo-thread.mjs), which hands it straight to dynalite's request listener, with no socket and no HTTP
 * parsing on either side. dynalite answers exactly as it does over HTTP (same listener, same store, same
 * conditional writes). Its work (validation, LevelDB reads and writes) stays off the server's event loop:
 * on the API's hot path it was the audit entries' writes, about two thirds of a read's CPU.
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
type Answer =
  | {
      type: 'answer';
      id: number;
      statusCode: number;
      headers: Record<string, string>;
      body: string | Uint8Array;
    }
  | { type: 'answer'; id: number; error: string };

/**
 * A request handler for the AWS SDK that posts each request to `thread` (dynamo-thread.mjs) and resolves
 * with its answer. `drain` settles once every request already posted is answered: dynalite's store must not
 * be closed under one. If the thread dies, the calls waiting on it and every later call are refused with
 * the reason, rather than waiting for ever.
 */
export function threadHandler(thread: Worker): RequestHandler & { drain(): Promise<void> } {
  let stopped: Error | undefined;
  let next = 0;
  /** Calls posted and not answered yet, with the promise their caller holds. */
  const waiting = new Map<
    number,
    { answer: Promise<unknown>; resolve(r: { response: Response }): void; reject(e: Error): void }
  >();
  const stoppedError = () =>
    Object.assign(new Error('The local DynamoDB has stopped.'), { code: 'ECONNREFUSED' });

  thread.on('message', (message: Answer | { type: string }) => {
    if (message.type !== 'answer') return;
    const answer = message as Answer;
    const call = waiting.get(answer.id);
    if (!call) return;
    waiting.delete(answer.id);
    if ('error' in answer) {
      call.reject(new Error(answer.error));
      return;
    }
    const { body } = answer;
    call.resolve({
      response: {
        statusCode: answer.statusCode,
        headers: answer.headers,
        body: typeof body === 'string' ? Buffer.from(body) : body,
      },
    });
  });
  const refuseAll = (reason: Error) => {
    stopped ??= reason;
    for (const call of waiting.values()) call.reject(reason);
    waiting.clear();
  };
  thread.on('error', (error) =>
    refuseAll(Object.assign(new Error(`The local DynamoDB failed: ${error.message}`), { cause: error })),
  );
  thread.on('exit', () => refuseAll(stoppedError()));

  return {
    handle(request: Request) {
      // As a stopped server refuses connections.
      if (stopped) return Promise.reject(stopped);
      const id = next++;
      let settle!: { resolve(r: { response: Response }): void; reject(e: Error): void };
      const answer = new Promise<{ response: Response }>((resolve, reject) => {
        settle = { resolve, reject };
      });
      waiting.set(id, { answer, ...settle });
      const query = new URLSearchParams(
        Object.entries(request.query ?? {}).flatMap(([k, v]) =>
          v === null ? [] : (Array.isArray(v) ? v : [v]).map((x): [string, string] => [k, x]),
        ),
      ).toString();
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
      const { body } = request;
      thread.postMessage({
        type: 'call',
        id,
        method: request.method,
        url: `${request.path}${query ? `?${query}` : ''}`,
        headers,
        // JSON text either way; a Uint8Array would be cloned with its whole (often pooled) buffer.
        // (Buffer.from of the SDK's body object would call its valueOf, which warns; its bytes are read.)
        body:
          typeof body === 'string'
            ? body
            : body instanceof Uint8Array
              ? Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')
              : undefined,
      });
      return answer;
    },
    async drain() {
      while (waiting.size) await Promise.allSettled([...waiting.values()].map((call) => call.answer));
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
    destroy() {
      stopped ??= stoppedError();
    },
  } as RequestHandler & { drain(): Promise<void> };
}

/**
 * A signer for the in-process client: dynalite checks that a request carries a SigV4 header but never
 * verifies it, so this one writes a well-formed header without hashing the body or deriving a key (about
 * a tenth of the CPU of each call). Only for `threadHandler`: over a socket, clients sign as usual.
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
