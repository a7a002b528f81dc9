import { createHash } from 'node:crypto';
import { DeleteCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TooManyRequestsError } from '../errors.ts';

/** The rate-limit table's key and TTL attributes; the CDK stack and the local table are built from these. */
export const RATE_LIMIT_TABLE_KEYS = { partition: 'pk', ttl: 'expiresAt' } as const;
const COUNT = 'attempts';

export interface WindowCounter {
  pk: string;
  limit: number;
  windowEnd: number;
}

/**
 * Fixed-window counters in DynamoDB, one item per key and window (the window's index is part of the key),
 * expiring through TTL. Taking one is an atomic conditional ADD, so parallel requests cannot pass a limit
 * together, and every process (each Lambda container) sees the same counts.
 */
export function windowCounters(
  client: DynamoDBDocumentClient,
  tableName: string,
  now: () => number = Date.now,
) {
  const retryAfterSeconds = (counters: WindowCounter[]) =>
    Math.max(1, Math.ceil((Math.max(...counters.map((c) => c.windowEnd)) - now()) / 1000));
  const key = (c: WindowCounter) => ({ [RATE_LIMIT_TABLE_KEYS.partition]: c.pk });
  return {
    /** The counter of `subject` under `scope` in the window that holds now. */
    counter(scope: string, subject: string, limit: number, windowSeconds: number): WindowCounter {
      const windowMs = windowSeconds * 1000;
      const index = Math.floor(now() / windowMs);
      // Hashed so the table holds no email, address or user id in clear.
      const digest = createHash('sha256').update(subject).digest('base64url').slice(0, 32);
      return { pk: `${scope}#${digest}#${index}`, limit, windowEnd: (index + 1) * windowMs };
    },

    /** Counts one; false (and nothing counted) when the window's count is already at its limit. */
    async take(c: WindowCounter): Promise<boolean> {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(c),
            UpdateExpression: 'ADD #count :one SET #ttl = if_not_exists(#ttl, :ttl)',
            ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
            ExpressionAttributeNames: { '#count': COUNT, '#ttl': RATE_LIMIT_TABLE_KEYS.ttl },
            ExpressionAttributeValues: {
              ':one': 1,
              ':limit': c.limit,
              // Kept a minute past the window; TTL deletes it later (the window index ends its use anyway).
              ':ttl': Math.ceil(c.windowEnd / 1000) + 60,
            },
          }),
        );
        return true;
      } catch (error) {
        if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },

    async giveBack(c: WindowCounter): Promise<void> {
      await client
        .send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(c),
            UpdateExpression: 'ADD #count :minusOne',
            ConditionExpression: '#count > :zero',
            ExpressionAttributeNames: { '#count': COUNT },
            ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
          }),
        )
        .catch((error: { name?: string }) => {
          if (error.name !== 'ConditionalCheckFailedException') throw error;
        });
    },

    async reset(c: WindowCounter): Promise<void> {
      await client.send(new DeleteCommand({ TableName: tableName, Key: key(c) }));
    },

    /** Seconds until the last of `counters` ends its window (at least one). */
    retryAfterSeconds,

    /** A 429 whose Retry-After is when the last of `counters` ends its window. */
    tooMany(message: string, counters: WindowCounter[]): TooManyRequestsError {
      return new TooManyRequestsError(message, retryAfterSeconds(counters));
    },
  };
}
