import { createHash } from 'node:crypto';
import { DeleteCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TooManyRequestsError, UnauthorizedError } from '../errors.ts';

/** The rate-limit table's key and TTL attributes; the CDK stack and the local table are built from these. */
export const RATE_LIMIT_TABLE_KEYS = { partition: 'pk', ttl: 'expiresAt' } as const;
const COUNT = 'attempts';

export interface RateLimits {
  /** Failed sign-ins per email within one window. */
  loginFailuresPerEmail: number;
  /** Failed sign-ins per source address within one window, whichever emails they tried. */
  loginFailuresPerAddress: number;
  loginWindowSeconds: number;
  /** Sign-ups per source address within one window. */
  signUpsPerAddress: number;
  signUpWindowSeconds: number;
  /** API key checks that failed per source address within one sign-in window. */
  apiKeyFailuresPerAddress: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  loginFailuresPerEmail: 5,
  loginFailuresPerAddress: 30,
  loginWindowSeconds: 15 * 60,
  signUpsPerAddress: 10,
  signUpWindowSeconds: 60 * 60,
  apiKeyFailuresPerAddress: 30,
};

/** Guards sign-in and sign-up; on AWS, Cognito's own lockout and threat protection sit behind it. */
export interface LoginLimiter {
  /**
   * Runs one sign-in attempt within the budgets of its email and source address. A failed attempt
   * (UnauthorizedError) stays counted against both; a success resets the email's count but never the
   * address's (it only takes back its own attempt); any other error counts against neither.
   */
  login<T>(email: string, address: string, attempt: () => Promise<T>): Promise<T>;
  /** Counts one sign-up against the source address; throws TooManyRequestsError past the budget. */
  signUp(address: string): Promise<void>;
  /**
   * Runs one API key check within its source address's budget of failures, as `login` does: a refused key
   * (UnauthorizedError) stays counted, anything else gives its attempt back.
   */
  apiKey<T>(address: string, attempt: () => Promise<T>): Promise<T>;
}

interface Counter {
  pk: string;
  limit: number;
  windowEnd: number;
}

/**
 * Fixed-window counters in DynamoDB, one item per key and window (the window's index is part of the key),
 * expiring through TTL. Taking an attempt is one atomic conditional ADD, so parallel requests cannot pass
 * a limit together, and every process (each Lambda container) sees the same counts.
 */
export function dynamoLoginLimiter(
  client: DynamoDBDocumentClient,
  tableName: string,
  limits: RateLimits = DEFAULT_RATE_LIMITS,
  now: () => number = Date.now,
): LoginLimiter {
  const counter = (scope: string, subject: string, limit: number, windowSeconds: number): Counter => {
    const windowMs = windowSeconds * 1000;
    const index = Math.floor(now() / windowMs);
    // Hashed so the table holds no email or address in clear.
    const digest = createHash('sha256').update(subject).digest('base64url').slice(0, 32);
    return { pk: `${scope}#${digest}#${index}`, limit, windowEnd: (index + 1) * windowMs };
  };

  async function take(c: Counter): Promise<boolean> {
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { [RATE_LIMIT_TABLE_KEYS.partition]: c.pk },
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
  }

  async function giveBack(c: Counter): Promise<void> {
    await client
      .send(
        new UpdateCommand({
          TableName: tableName,
          Key: { [RATE_LIMIT_TABLE_KEYS.partition]: c.pk },
          UpdateExpression: 'ADD #count :minusOne',
          ConditionExpression: '#count > :zero',
          ExpressionAttributeNames: { '#count': COUNT },
          ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
        }),
      )
      .catch((error: { name?: string }) => {
        if (error.name !== 'ConditionalCheckFailedException') throw error;
      });
  }

  async function reset(c: Counter): Promise<void> {
    await client.send(
      new DeleteCommand({ TableName: tableName, Key: { [RATE_LIMIT_TABLE_KEYS.partition]: c.pk } }),
    );
  }

  const tooMany = (message: string, counters: Counter[]) =>
    new TooManyRequestsError(
      message,
      Math.max(1, Math.ceil((Math.max(...counters.map((c) => c.windowEnd)) - now()) / 1000)),
    );

  return {
    async login<T>(email: string, address: string, attempt: () => Promise<T>): Promise<T> {
      const byEmail = counter('login-email', email, limits.loginFailuresPerEmail, limits.loginWindowSeconds);
      const byAddress = counter(
        'login-address',
        address,
        limits.loginFailuresPerAddress,
        limits.loginWindowSeconds,
      );
      const [emailOk, addressOk] = await Promise.all([take(byEmail), take(byAddress)]);
      if (!emailOk || !addressOk) {
        const refused = [...(emailOk ? [] : [byEmail]), ...(addressOk ? [] : [byAddress])];
        // What was taken for an attempt that does not happen is given back.
        await Promise.all([
          ...(emailOk ? [giveBack(byEmail)] : []),
          ...(addressOk ? [giveBack(byAddress)] : []),
        ]);
        throw tooMany('Too many failed sign-in attempts; wait before trying again.', refused);
      }
      let result: T;
      try {
        result = await attempt();
      } catch (error) {
        if (!(error instanceof UnauthorizedError))
          await Promise.all([giveBack(byEmail), giveBack(byAddress)]);
        throw error;
      }
      await Promise.all([reset(byEmail), giveBack(byAddress)]);
      return result;
    },

    async apiKey<T>(address: string, attempt: () => Promise<T>): Promise<T> {
      const byAddress = counter(
        'apikey-address',
        address,
        limits.apiKeyFailuresPerAddress,
        limits.loginWindowSeconds,
      );
      if (!(await take(byAddress))) {
        throw tooMany('Too many requests with unknown API keys; wait before trying again.', [byAddress]);
      }
      try {
        const result = await attempt();
        await giveBack(byAddress);
        return result;
      } catch (error) {
        if (!(error instanceof UnauthorizedError)) await giveBack(byAddress);
        throw error;
      }
    },

    async signUp(address) {
      const byAddress = counter(
        'signup-address',
        address,
        limits.signUpsPerAddress,
        limits.signUpWindowSeconds,
      );
      if (!(await take(byAddress))) {
        throw tooMany('Too many sign-ups from this address; wait before trying again.', [byAddress]);
      }
    },
  };
}
