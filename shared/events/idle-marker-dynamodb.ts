/**
 * The idle marker as one item of the rate limit table (`pk` = `idle-marker`, no `expiresAt`, so it never
 * expires): every API function may already write that table, so waking needs no new grant. A wake is one
 * UpdateItem, a read one consistent GetItem, a rest one conditional UpdateItem.
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type IdleMarker, type MarkerState, mayRest } from './idle-marker.ts';

const KEY = { pk: 'idle-marker' };
/** DynamoDB numbers cannot be Infinity: a rest until woken is stored as -1. */
const UNTIL_WOKEN = -1;

const isConditionFailure = (error: unknown) =>
  (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';

export function dynamoIdleMarker(
  documents: DynamoDBDocumentClient,
  table: string,
  now: () => number = Date.now,
): IdleMarker {
  /** The condition that nothing woke the sleepers since `seen` was read. */
  const unchanged = (seen: MarkerState) =>
    seen.wokenAt === undefined
      ? { ConditionExpression: 'attribute_not_exists(wokenAt)' }
      : { ConditionExpression: 'wokenAt = :seen', ExpressionAttributeValues: { ':seen': seen.wokenAt } };

  async function rest(seen: MarkerState, update: string, values: Record<string, unknown>) {
    if (!mayRest(seen, now())) return false;
    const condition = unchanged(seen);
    try {
      await documents.send(
        new UpdateCommand({
          TableName: table,
          Key: KEY,
          UpdateExpression: update,
          ConditionExpression: condition.ConditionExpression,
          ExpressionAttributeValues: { ...values, ...condition.ExpressionAttributeValues },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  return {
    async read() {
      const out = await documents.send(new GetCommand({ TableName: table, Key: KEY, ConsistentRead: true }));
      const item = out.Item ?? {};
      const until = item.relayUntil as number | undefined;
      return {
        wokenAt: item.wokenAt as number | undefined,
        relayUntil: until === UNTIL_WOKEN ? Number.POSITIVE_INFINITY : until,
        sweepResting: item.sweepResting === true,
      };
    },
    async wake() {
      await documents.send(
        new UpdateCommand({
          TableName: table,
          Key: KEY,
          UpdateExpression: 'SET wokenAt = :now REMOVE relayUntil, sweepResting',
          ExpressionAttributeValues: { ':now': now() },
        }),
      );
    },
    restRelay: (seen, until) =>
      rest(seen, 'SET relayUntil = :until', {
        ':until': Number.isFinite(until) ? until : UNTIL_WOKEN,
      }),
    restSweep: (seen) => rest(seen, 'SET sweepResting = :yes', { ':yes': true }),
  };
}
