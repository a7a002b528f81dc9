import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { AUDIT_TABLE_KEYS, IDEMPOTENCY_TABLE_KEYS } from '../audit/dynamodb.ts';
import type { AccountRecordStores } from './port.ts';

type WriteRequest =
  | { PutRequest: { Item: Record<string, unknown> } }
  | { DeleteRequest: { Key: Record<string, unknown> } };

async function batchWrite(client: DynamoDBDocumentClient, table: string, requests: WriteRequest[]) {
  for (let i = 0; i < requests.length; i += 25) {
    let pending = requests.slice(i, i + 25);
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt === 8) throw new Error(`${pending.length} writes to ${table} were not processed`);
      if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      const out = await client.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = (out.UnprocessedItems?.[table] ?? []) as WriteRequest[];
    }
  }
}

/**
 * The audit and idempotency tables' share of an erasure. Audit entries are copied under the pseudonym and
 * the originals deleted (a partition key cannot change in place); idempotency records are found by a scan,
 * since their keys are hashes: a stored response that names the user is theirs. The table only holds a
 * day of records.
 */
export function dynamoAccountRecords(
  client: DynamoDBDocumentClient,
  tables: { audit: string; idempotency: string },
): AccountRecordStores {
  return {
    async pseudonymizeAudit(userId, pseudonym) {
      let moved = 0;
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tables.audit,
            KeyConditionExpression: '#pk = :user',
            ExpressionAttributeNames: { '#pk': AUDIT_TABLE_KEYS.partition },
            ExpressionAttributeValues: { ':user': userId },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        const items = page.Items ?? [];
        await batchWrite(client, tables.audit, [
          ...items.map((item) => ({
            PutRequest: { Item: { ...item, [AUDIT_TABLE_KEYS.partition]: pseudonym } },
          })),
          ...items.map((item) => ({
            DeleteRequest: {
              Key: {
                [AUDIT_TABLE_KEYS.partition]: userId,
                [AUDIT_TABLE_KEYS.sort]: item[AUDIT_TABLE_KEYS.sort],
              },
            },
          })),
        ]);
        moved += items.length;
        start = page.LastEvaluatedKey;
      } while (start);
      return moved;
    },

    async purgeIdempotency(userId) {
      let purged = 0;
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({ TableName: tables.idempotency, ...(start ? { ExclusiveStartKey: start } : {}) }),
        );
        const theirs = (page.Items ?? []).filter((item) => JSON.stringify(item).includes(userId));
        await batchWrite(
          client,
          tables.idempotency,
          theirs.map((item) => ({
            DeleteRequest: {
              Key: { [IDEMPOTENCY_TABLE_KEYS.partition]: item[IDEMPOTENCY_TABLE_KEYS.partition] },
            },
          })),
        );
        purged += theirs.length;
        start = page.LastEvaluatedKey;
      } while (start);
      return purged;
    },
  };
}
