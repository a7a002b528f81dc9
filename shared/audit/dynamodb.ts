import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry, AuditLog } from './port.ts';

const RETENTION_DAYS = 365;

/** Audit entries keyed by user (pk) and time (sk), expiring through DynamoDB TTL. */
export function dynamoAuditLog(client: DynamoDBDocumentClient, tableName: string): AuditLog {
  return {
    async record(entry: AuditEntry) {
      const expiresAt = Math.floor(Date.parse(entry.at) / 1000) + RETENTION_DAYS * 86_400;
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            userId: entry.userId ?? 'anonymous',
            sk: `${entry.at}#${randomUUID()}`,
            action: entry.action,
            resourceType: entry.resourceType,
            resourceIds: entry.resourceIds,
            outcome: entry.outcome,
            status: entry.status,
            correlationId: entry.correlationId,
            at: entry.at,
            expiresAt,
          },
        }),
      );
    },
  };
}
