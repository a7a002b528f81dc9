import { type DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { AUDIT_TABLE_KEYS, erasedMarker, IDEMPOTENCY_TABLE_KEYS, moveRequests } from '../audit/dynamodb.ts';
import { batchWriteAll as batchWrite } from '../sdk/dynamo-batch.ts';
import type { AccountRecordStores } from './port.ts';

/**
 * The audit and idempotency tables' share of an erasure. Audit entries are copied under the pseudonym and
 * the originals deleted (a partition key cannot change in place), after a marker under the pseudonym that
 * tells the audit writer to move entries it stores later (shared/audit/writer.ts says why in this order).
 * Idempotency records are found by a scan, since their keys are hashes: a stored response that names the
 * user is theirs. The table only holds a day of records.
 */
export function dynamoAccountRecords(
  client: DynamoDBDocumentClient,
  tables: { audit: string; idempotency: string },
): AccountRecordStores {
  return {
    async pseudonymizeAudit(userId, pseudonym) {
      await batchWrite(client, tables.audit, [{ PutRequest: { Item: erasedMarker(pseudonym) } }]);
      let moved = 0;
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tables.audit,
            KeyConditionExpression: '#pk = :user',
            ExpressionAttributeNames: { '#pk': AUDIT_TABLE_KEYS.partition },
            ExpressionAttributeValues: { ':user': userId },
            // Must see every entry the writer stored before it could see the marker.
            ConsistentRead: true,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        const items = page.Items ?? [];
        await batchWrite(client, tables.audit, moveRequests(items, pseudonym));
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
