/** Reads a user's audit entries from the local table, which they reach a few milliseconds after the answer. */
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalApi } from './local-api.ts';

export type AuditItem = Record<string, unknown>;

export async function auditItems(api: LocalApi, userId: string): Promise<AuditItem[]> {
  const out = await DynamoDBDocumentClient.from(api.env.dynamo.client).send(
    new QueryCommand({
      TableName: api.env.dynamo.tables.audit,
      KeyConditionExpression: 'userId = :u',
      ExpressionAttributeValues: { ':u': userId },
    }),
  );
  return out.Items ?? [];
}

/** Polls the user's entries until `done` holds for them; throws with what was there after `timeoutMs`. */
export async function waitForAudit(
  api: LocalApi,
  userId: string,
  done: (items: AuditItem[]) => boolean,
  timeoutMs = 10_000,
): Promise<AuditItem[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const items = await auditItems(api, userId);
    if (done(items)) return items;
    if (Date.now() > deadline) {
      throw new Error(
        `audit entries of ${userId} never matched: ${JSON.stringify(items.map((i) => i.action))}`,
      );
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
