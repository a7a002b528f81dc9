import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry, AuditLog } from './port.ts';

const RETENTION_DAYS = 365;

/** The audit table's key and TTL attributes; the CDK stack and the local table are built from these. */
export const AUDIT_TABLE_KEYS = { partition: 'userId', sort: 'sk', ttl: 'expiresAt' } as const;
/** Powertools idempotency's default attribute names. */
export const IDEMPOTENCY_TABLE_KEYS = { partition: 'id', ttl: 'expiration' } as const;
const BATCH = 25;

interface Pending {
  item: Record<string, unknown>;
  done: (error?: unknown) => void;
}

/**
 * Audit entries keyed by user (userId) and time (sk), expiring through DynamoDB TTL. Entries recorded in the
 * same tick (concurrent requests in one process) share one BatchWriteItem of up to 25; each caller still
 * waits until its own entry is stored, so nothing is lost when Lambda freezes the process. A Lambda
 * invocation serves one request, so it flushes at once; the local server, which serves many requests in
 * one process, may wait a few milliseconds (`batchWindowMs`) to gather them.
 */
export function dynamoAuditLog(
  client: DynamoDBDocumentClient,
  tableName: string,
  options: { batchWindowMs?: number } = {},
): AuditLog {
  let queue: Pending[] = [];
  let scheduled = false;

  async function write(batch: Pending[]): Promise<void> {
    let requests = batch.map((p) => ({ PutRequest: { Item: p.item } }));
    for (let attempt = 0; requests.length > 0 && attempt < 5; attempt += 1) {
      const out = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
      if (requests.length) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
    if (requests.length) throw new Error(`${requests.length} audit entries were not stored`);
  }

  function flush() {
    scheduled = false;
    const all = queue;
    queue = [];
    for (let i = 0; i < all.length; i += BATCH) {
      const batch = all.slice(i, i + BATCH);
      write(batch).then(
        () => {
          for (const p of batch) p.done();
        },
        (error: unknown) => {
          for (const p of batch) p.done(error);
        },
      );
    }
  }

  return {
    record(entry: AuditEntry) {
      const expiresAt = Math.floor(Date.parse(entry.at) / 1000) + RETENTION_DAYS * 86_400;
      const item = {
        userId: entry.userId ?? 'anonymous',
        sk: `${entry.at}#${randomUUID()}`,
        ...(entry.apiKeyId ? { apiKeyId: entry.apiKeyId } : {}),
        action: entry.action,
        resourceType: entry.resourceType,
        resourceIds: entry.resourceIds,
        outcome: entry.outcome,
        status: entry.status,
        correlationId: entry.correlationId,
        at: entry.at,
        expiresAt,
      };
      return new Promise<void>((resolve, reject) => {
        queue.push({ item, done: (error) => (error ? reject(error) : resolve()) });
        if (!scheduled) {
          scheduled = true;
          if (options.batchWindowMs) setTimeout(flush, options.batchWindowMs);
          else setImmediate(flush);
        }
      });
    },
  };
}
