import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { ConflictError, ValidationError } from '../errors.ts';

export interface IdempotentRequest {
  /** The caller's id and the Idempotency-Key header: keys never collide across users. */
  key: string;
  /** What must be identical for a replay (the parsed body and the path). */
  payload: unknown;
}

export type IdempotentRunner = <T>(request: IdempotentRequest, work: () => Promise<T>) => Promise<T>;

const KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

export function checkIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!KEY.test(header)) {
    throw new ValidationError('Idempotency-Key must be 8–128 letters, digits, or . _ : -', [
      { path: 'header.idempotency-key', message: 'invalid' },
    ]);
  }
  return header;
}

/**
 * Powertools idempotency over DynamoDB: the first request with a key runs, later ones (for 24 h) get its
 * result; the same key with another payload is a 409. Concurrent duplicates wait for the first to finish.
 * Powertools is loaded by the first request that sends a key, not when the function starts: most routes
 * never use it, and in a Lambda function it is a file beside the bundle (infra/files-beside-bundle.ts).
 */
export function dynamoIdempotency(
  client: DynamoDBClient,
  tableName: string,
  /** Longer than any invocation that writes records may run: the API functions stop at 29 s. */
  inProgressMs = 30_000,
): IdempotentRunner {
  let loaded: ReturnType<typeof load> | undefined;
  async function load() {
    const idempotency = await import('./powertools-idempotency.mjs');
    const persistenceStore = new idempotency.DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client });
    const config = new idempotency.IdempotencyConfig({
      eventKeyJmesPath: 'key',
      payloadValidationJmesPath: 'payload',
      expiresAfterSeconds: 24 * 3600,
      throwOnNoIdempotencyKey: true,
    });
    // A record left INPROGRESS by a request that never finished (a timeout, a stopped environment) may be
    // taken over once no invocation can still be running it; Powertools records that moment only from a
    // Lambda context's remaining time, so it is given one that counts the longest invocation.
    config.registerLambdaContext({ getRemainingTimeInMillis: () => inProgressMs } as Context);
    return { idempotency, persistenceStore, config };
  }
  return async <T>(request: IdempotentRequest, work: () => Promise<T>): Promise<T> => {
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    const { idempotency, persistenceStore, config } = await loaded;
    // The stored result carries the request's key, which names the caller: an account's erasure finds its
    // records by the user id (a job's response alone does not name its owner).
    const run = idempotency.makeIdempotent(
      async (record: IdempotentRequest): Promise<StoredResult<T>> => ({
        key: record.key,
        response: await work(),
      }),
      { persistenceStore, config },
    );
    for (let attempt = 0; ; attempt += 1) {
      try {
        return responseOf<T>(await run(request));
      } catch (error) {
        if (error instanceof idempotency.IdempotencyValidationError) {
          throw new ConflictError('This Idempotency-Key was already used with a different request.');
        }
        if (error instanceof idempotency.IdempotencyAlreadyInProgressError && attempt < 100) {
          await sleep(Math.min(1000, 20 * 2 ** Math.min(attempt, 6)));
          continue;
        }
        throw error;
      }
    }
  };
}

interface StoredResult<T> {
  key: string;
  response: T;
}

/** The response of a stored result; records stored before results carried their key are the response. */
function responseOf<T>(stored: unknown): T {
  const wrapped =
    stored !== null &&
    typeof stored === 'object' &&
    'key' in stored &&
    'response' in stored &&
    !('statusCode' in stored);
  return (wrapped ? (stored as StoredResult<T>).response : stored) as T;
}
