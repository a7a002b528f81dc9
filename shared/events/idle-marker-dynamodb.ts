/**
 * The idle marker as one item of the rate limit table (`pk` = `idle-marker`, no `expiresAt`, so it never
 * expires): every API function may already write that table, so waking needs no new grant. A wake is a
 * consistent GetItem and, unless a recent wake stands, an UpdateItem; a read one consistent GetItem, a rest
 * one conditional UpdateItem.
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type IdleMarker, type MarkerState, mayRest, WAKE_SETTLE_MS } from './idle-marker.ts';

const KEY = { pk: 'idle-marker' };
/** DynamoDB numbers cannot be Infinity: a rest until woken is stored as -1. */
const UNTIL_WOKEN = -1;

const isConditionFailure = (error: unknown) =>
  (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';

export function dynamoIdleMarker(
  documents: DynamoDBDocumentClient,
  table: string,
  now: () => number = () => Date.now(),
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

  /**
   * The newest wake this process read or wrote with nothing resting. Nothing can rest until WAKE_SETTLE_MS
   * after it (a rest is conditional on the wake it read being that old), so while it is fresh a wake needs
   * no read: the record still says what it said then, or a newer wake.
   */
  let knownWake: number | undefined;

  async function read(): Promise<MarkerState> {
    const out = await documents.send(new GetCommand({ TableName: table, Key: KEY, ConsistentRead: true }));
    const item = out.Item ?? {};
    const until = item.relayUntil as number | undefined;
    const state = {
      wokenAt: item.wokenAt as number | undefined,
      relayUntil: until === UNTIL_WOKEN ? Number.POSITIVE_INFINITY : until,
      sweepResting: item.sweepResting === true,
    };
    if (state.wokenAt !== undefined && state.relayUntil === undefined && !state.sweepResting)
      knownWake = Math.max(knownWake ?? state.wokenAt, state.wokenAt);
    return state;
  }

  return {
    read,
    async wake() {
      const at = now();
      if (knownWake !== undefined && at >= knownWake && at - knownWake < WAKE_SETTLE_MS / 2) return;
      // Nothing rests within WAKE_SETTLE_MS of a wake, so a wake less than half of that old, with nothing
      // resting, still covers the statement that follows (an API function runs under 30 s). Reading first
      // spares the write: every submission writing this one item made a hot key deployed and, locally, a
      // queue behind the item that held job creation back.
      const seen = await read();
      const fresh = seen.wokenAt !== undefined && at - seen.wokenAt < WAKE_SETTLE_MS / 2;
      if (fresh && seen.relayUntil === undefined && !seen.sweepResting) return;
      await documents.send(
        new UpdateCommand({
          TableName: table,
          Key: KEY,
          UpdateExpression: 'SET wokenAt = :now REMOVE relayUntil, sweepResting',
          ExpressionAttributeValues: { ':now': at },
        }),
      );
      knownWake = at;
    },
    restRelay: (seen, until) =>
      rest(seen, 'SET relayUntil = :until', {
        ':until': Number.isFinite(until) ? until : UNTIL_WOKEN,
      }),
    restSweep: (seen) => rest(seen, 'SET sweepResting = :yes', { ':yes': true }),
  };
}
