import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export type WriteRequest =
  | { PutRequest: { Item: Record<string, unknown> } }
  | { DeleteRequest: { Key: Record<string, unknown> } };

const BATCH = 25;
const ATTEMPTS = 8;

/**
 * BatchWriteItem in batches of 25, sending UnprocessedItems again with exponential backoff (as DynamoDB
 * asks); throws when some writes are still unprocessed after the last attempt.
 */
export async function batchWriteAll(
  client: DynamoDBDocumentClient,
  table: string,
  requests: readonly WriteRequest[],
  options: { baseDelayMs?: number } = {},
): Promise<void> {
  const baseDelayMs = options.baseDelayMs ?? 50;
  for (let i = 0; i < requests.length; i += BATCH) {
    let pending = requests.slice(i, i + BATCH);
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt === ATTEMPTS) throw new Error(`${pending.length} writes to ${table} were not processed`);
      if (attempt > 0) await new Promise((r) => setTimeout(r, baseDelayMs * 2 ** (attempt - 1)));
      const out = await client.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = (out.UnprocessedItems?.[table] ?? []) as WriteRequest[];
    }
  }
}
