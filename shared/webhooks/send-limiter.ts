import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { windowCounters } from '../auth/window-counters.ts';
import { TooManyRequestsError } from '../errors.ts';

/**
 * Test sends and retries one user may ask for within a minute. Each adds a delivery of up to 8 attempts over
 * about 27 hours, so a client calling them in a loop would make the sender post to a URL of its choosing
 * for a day; a person testing an endpoint by hand stays far below.
 */
export const MANUAL_SENDS_PER_MINUTE = 10;

/** Guards the routes that send a delivery on request: POST …/test and POST …/deliveries/{id}/retry. */
export interface WebhookSendLimiter {
  /**
   * Runs `send` within the user's budget of manual sends (TooManyRequestsError past it). A send that fails
   * (no such endpoint, a delivery still in flight) gives its count back: it queued nothing.
   */
  run<T>(userId: string, send: () => Promise<T>): Promise<T>;
}

/** The budget as fixed one-minute windows in the rate-limit table, shared by every process. */
export function dynamoWebhookSendLimiter(
  client: DynamoDBDocumentClient,
  tableName: string,
  options: { most?: number; now?: () => number } = {},
): WebhookSendLimiter {
  const most = options.most ?? MANUAL_SENDS_PER_MINUTE;
  const { counter, take, giveBack, retryAfterSeconds } = windowCounters(client, tableName, options.now);
  return {
    async run(userId, send) {
      const window = counter('webhook-send', userId, most, 60);
      if (!(await take(window))) {
        const seconds = retryAfterSeconds([window]);
        throw new TooManyRequestsError(
          `At most ${most} webhook test sends and retries may be asked for a minute; try again in ${seconds} s.`,
          seconds,
        );
      }
      try {
        return await send();
      } catch (error) {
        await giveBack(window);
        throw error;
      }
    },
  };
}
