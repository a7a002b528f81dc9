/**
 * Counts the calls a DynamoDB client makes, by operation, table and kind of item (the first part of its
 * partition key and of its sort key, e.g. `model#… / waiter#…`), so a benchmark or a test can see which
 * code makes them. Off unless asked for: `npm start` counts with LOCAL_DYNAMO_CALLS=<file> set, and
 * writes the counts to that file as JSON every second and when it stops.
 */
import { writeFileSync } from 'node:fs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** One call's description: `Operation table kind`, with `kind` the item's key prefixes. */
export type CallCounts = Map<string, number>;

const unwrap = (value: unknown): unknown =>
  value && typeof value === 'object' && 'S' in value ? (value as { S: unknown }).S : value;

/** The key's parts up to their first `#` (the rest names one user, job or window). */
function kindOf(input: Record<string, unknown>): string {
  const key = (input.Key ?? input.Item ?? input.ExpressionAttributeValues) as
    | Record<string, unknown>
    | undefined;
  if (!key) return '';
  const parts = Object.entries(key)
    .filter(([name]) => ['pk', 'sk', ':pk', ':prefix', ':from', 'id', 'key'].includes(name))
    .map(([, value]) => unwrap(value))
    .filter((value): value is string => typeof value === 'string')
    .map((value) => value.split('#')[0]!.replace(/[0-9a-f-]{36}/g, '<id>'));
  // A range from a key on (the capacity line) rather than one prefix.
  return parts.join('/') + (key[':from'] ? '…' : '');
}

function describe(command: string, input: Record<string, unknown>): string[] {
  const operation = command.replace(/Command$/, '');
  if (input.TableName) return [`${operation} ${input.TableName as string} ${kindOf(input)}`.trim()];
  const requests = (input.RequestItems ?? {}) as Record<string, unknown>;
  const transact = (input.TransactItems ?? []) as Record<string, Record<string, unknown>>[];
  const inner = transact.flatMap((item) =>
    Object.entries(item).map(([op, body]) => `${op}:${body.TableName as string} ${kindOf(body)}`.trim()),
  );
  return [`${operation} ${[...Object.keys(requests), ...inner].join(', ')}`];
}

/** Where the call comes from: our functions on the (async) stack, innermost first. */
function callers(): string {
  const frames = (new Error().stack ?? '').split('\n').slice(1);
  return frames
    .filter((f) => /\/(shared|functions)\//.test(f))
    .map((f) => /at (?:async )?(?:Object\.)?([\w.<>]+)/.exec(f)?.[1] ?? '?')
    .slice(0, 4)
    .join('<');
}

/**
 * Counts every call `client` (and every document client made from it) sends from now on; `onCall` sees
 * each one as it goes.
 */
export function countDynamoCalls(client: DynamoDBClient, onCall?: (call: string) => void): CallCounts {
  const counts: CallCounts = new Map();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const calls = describe(context.commandName ?? 'unknown', args.input as Record<string, unknown>);
      const where = process.env.LOCAL_DYNAMO_CALLERS ? ` ${callers()}` : '';
      for (const bare of calls) {
        const call = bare + where;
        counts.set(call, (counts.get(call) ?? 0) + 1);
        onCall?.(call);
      }
      return next(args);
    },
    { step: 'build', name: 'localCallCounter' },
  );
  return counts;
}

/** Under LOCAL_DYNAMO_CALLS, counts the client's calls and keeps the file up to date; returns a final write. */
export function countCallsToFile(client: DynamoDBClient, file = process.env.LOCAL_DYNAMO_CALLS) {
  if (!file) return () => {};
  const counts = countDynamoCalls(client);
  const write = () => writeFileSync(file, JSON.stringify(Object.fromEntries(counts), null, 1));
  const timer = setInterval(write, 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    write();
  };
}
