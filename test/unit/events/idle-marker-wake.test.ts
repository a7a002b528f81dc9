import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { WAKE_SETTLE_MS } from '#shared/events/idle-marker.ts';
import { dynamoIdleMarker } from '#shared/events/idle-marker-dynamodb.ts';

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const dynamo = mockClient(documents);
afterEach(() => dynamo.reset());

const NOW = 1_800_000_000_000;
const wakeWith = async (item: Record<string, unknown> | undefined) => {
  dynamo.on(GetCommand).resolves({ Item: item });
  dynamo.on(UpdateCommand).resolves({});
  await dynamoIdleMarker(documents, 'rate-limit', () => NOW).wake();
  return dynamo.commandCalls(UpdateCommand).map((c) => c.args[0].input.ExpressionAttributeValues);
};

describe('waking the idle marker', () => {
  it('writes nothing when a wake less than half the settle window old stands and nothing rests', async () => {
    expect(await wakeWith({ pk: 'idle-marker', wokenAt: NOW - WAKE_SETTLE_MS / 2 + 1_000 })).toEqual([]);
  });

  it('writes when the last wake is older, when anything rests, or when there was none', async () => {
    expect(await wakeWith({ pk: 'idle-marker', wokenAt: NOW - WAKE_SETTLE_MS / 2 })).toEqual([
      { ':now': NOW },
    ]);
    dynamo.reset();
    expect(await wakeWith({ pk: 'idle-marker', wokenAt: NOW - 1_000, sweepResting: true })).toEqual([
      { ':now': NOW },
    ]);
    dynamo.reset();
    expect(await wakeWith({ pk: 'idle-marker', wokenAt: NOW - 1_000, relayUntil: NOW + 5_000 })).toEqual([
      { ':now': NOW },
    ]);
    dynamo.reset();
    expect(await wakeWith(undefined)).toEqual([{ ':now': NOW }]);
  });
});

describe('waking again soon after', () => {
  it('reads nothing while the wake this process read or wrote is fresh, and reads once it is not', async () => {
    let now = NOW;
    dynamo.on(GetCommand).resolves({ Item: undefined });
    dynamo.on(UpdateCommand).resolves({});
    const marker = dynamoIdleMarker(documents, 'rate-limit', () => now);
    await marker.wake();
    now += WAKE_SETTLE_MS / 2 - 1;
    await marker.wake();
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(1);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(1);
    now += 1;
    dynamo.on(GetCommand).resolves({ Item: { pk: 'idle-marker', wokenAt: NOW } });
    await marker.wake();
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(2);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(2);
  });
});
