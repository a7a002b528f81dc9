import { createHash, randomUUID } from 'node:crypto';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { RATE_LIMIT_TABLE_KEYS } from '../auth/login-limiter.ts';
import { TooManyRequestsError } from '../errors.ts';

/**
 * Event streams one user may hold open at once, over every process. Deployed, each open stream is a Lambda
 * invocation of up to 14 minutes, so without a bound one account could hold the whole account's Lambda
 * concurrency (and the API's functions with it); locally, each one polls the database twice a second.
 */
export const MAX_OPEN_STREAMS = 10;
/** How long a slot stays taken without renewal: the slots of a process that died come free within this. */
export const STREAM_SLOT_LEASE_MS = 60_000;
/** How often an open stream renews its slot: a few times per lease, so one slow renewal does not lose it. */
export const STREAM_SLOT_RENEW_MS = STREAM_SLOT_LEASE_MS / 3;

export interface StreamSlot {
  /** Extends the lease; false when the slot was lost (the lease ran out and another stream took it). */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

export interface StreamSlots {
  /** A slot for one more stream of the user, or TooManyRequestsError when all are taken. */
  take(userId: string): Promise<StreamSlot>;
}

const full = () =>
  new TooManyRequestsError(
    `At most ${MAX_OPEN_STREAMS} event streams may be open at once; close one (or follow one stream of the whole account, GET /v1/events) and try again.`,
    Math.ceil(STREAM_SLOT_LEASE_MS / 1000),
  );

const conditionFailed = (error: unknown) =>
  (error as { name?: string }).name === 'ConditionalCheckFailedException';

/**
 * Slots as items of the rate-limit table, `stream#<user digest>#<n>` for n below `most`: taking one is a
 * conditional put that succeeds only on a free or lapsed slot, so parallel opens cannot pass the bound
 * together, and every Lambda container sees the same slots. A slot names its holder, so a lapsed holder's
 * renewal or release never touches a slot another stream has taken since; TTL removes items later.
 */
export function dynamoStreamSlots(
  client: DynamoDBDocumentClient,
  tableName: string,
  options: { most?: number; leaseMs?: number; now?: () => number } = {},
): StreamSlots {
  const most = options.most ?? MAX_OPEN_STREAMS;
  const leaseMs = options.leaseMs ?? STREAM_SLOT_LEASE_MS;
  const now = options.now ?? Date.now;
  const { partition, ttl } = RATE_LIMIT_TABLE_KEYS;
  const until = () => Math.ceil((now() + leaseMs) / 1000);

  return {
    async take(userId) {
      // Hashed as the limiter's keys are: the table holds no user id in clear.
      const digest = createHash('sha256').update(userId).digest('base64url').slice(0, 32);
      const holder = randomUUID();
      // Starting at a random slot, a user's opens rarely meet on the same item.
      const first = Math.floor(Math.random() * most);
      for (let i = 0; i < most; i += 1) {
        const key = { [partition]: `stream#${digest}#${(first + i) % most}` };
        try {
          await client.send(
            new PutCommand({
              TableName: tableName,
              Item: { ...key, holder, [ttl]: until() },
              ConditionExpression: 'attribute_not_exists(#pk) OR #ttl <= :now',
              ExpressionAttributeNames: { '#pk': partition, '#ttl': ttl },
              ExpressionAttributeValues: { ':now': Math.floor(now() / 1000) },
            }),
          );
        } catch (error) {
          if (conditionFailed(error)) continue;
          throw error;
        }
        const mine = { '#holder': 'holder' };
        return {
          async renew() {
            try {
              await client.send(
                new UpdateCommand({
                  TableName: tableName,
                  Key: key,
                  UpdateExpression: 'SET #ttl = :until',
                  ConditionExpression: '#holder = :holder',
                  ExpressionAttributeNames: { ...mine, '#ttl': ttl },
                  ExpressionAttributeValues: { ':holder': holder, ':until': until() },
                }),
              );
              return true;
            } catch (error) {
              if (conditionFailed(error)) return false;
              throw error;
            }
          },
          async release() {
            await client
              .send(
                new DeleteCommand({
                  TableName: tableName,
                  Key: key,
                  ConditionExpression: '#holder = :holder',
                  ExpressionAttributeNames: mine,
                  ExpressionAttributeValues: { ':holder': holder },
                }),
              )
              .catch((error: unknown) => {
                if (!conditionFailed(error)) throw error;
              });
          },
        };
      }
      throw full();
    },
  };
}
