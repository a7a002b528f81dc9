/**
 * Stores audit lines (line.ts) in the audit table: the code behind the audit-writer function (fed by the
 * API functions' log subscription) and the local server's stand-in for that subscription.
 *
 * Idempotent: an item's key comes from its line, so a redelivered batch overwrites what it wrote before.
 *
 * Erasure: a line can still be on its way (in CloudWatch Logs, in a retried invocation) when its user's
 * account is erased. Each side writes first and reads second: the erasure writes a marker under the
 * pseudonym and then queries the user's entries; the writer stores its items and then reads the markers
 * of the users it wrote for (both reads strongly consistent). Whichever read comes second sees the other
 * side's write, so every entry is moved under the pseudonym by the erasure, by the writer, or by both
 * (moving twice writes the same items).
 */
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { auditPseudonym } from '../account/pseudonym.ts';
import { batchWriteAll } from '../sdk/dynamo-batch.ts';
import { ANONYMOUS, AUDIT_TABLE_KEYS, auditItem, ERASED_MARKER_SK, moveRequests } from './dynamodb.ts';
import { parseAuditLine } from './line-parse.ts';

export interface AuditWriterDeps {
  client: DynamoDBDocumentClient;
  table: string;
  pseudonymKey: () => Promise<Uint8Array>;
  /** First backoff before unprocessed writes or reads are sent again (doubles each time). */
  baseDelayMs?: number;
}

export interface AuditWriteReport {
  /** Entries written to the table. */
  stored: number;
  /** Messages that are not audit lines (skipped). */
  ignored: number;
  /** Entries moved under a pseudonym because their user had been erased. */
  moved: number;
}

const PK = AUDIT_TABLE_KEYS.partition;
const SK = AUDIT_TABLE_KEYS.sort;
const GET_BATCH = 100;

export function createAuditWriter(deps: AuditWriterDeps) {
  const baseDelayMs = deps.baseDelayMs ?? 50;

  /** The users among `userIds` whose erasure marker exists, by pseudonym. */
  async function erased(userIds: string[]): Promise<Map<string, string>> {
    const key = await deps.pseudonymKey();
    const byPseudonym = new Map(userIds.map((u) => [auditPseudonym(key, u), u]));
    const found = new Map<string, string>();
    const keys = [...byPseudonym.keys()].map((p) => ({ [PK]: p, [SK]: ERASED_MARKER_SK }));
    for (let i = 0; i < keys.length; i += GET_BATCH) {
      let pending: Record<string, unknown>[] = keys.slice(i, i + GET_BATCH);
      for (let attempt = 0; pending.length > 0; attempt += 1) {
        if (attempt === 8) throw new Error(`${pending.length} erasure markers could not be read`);
        if (attempt > 0) await new Promise((r) => setTimeout(r, baseDelayMs * 2 ** (attempt - 1)));
        const out = await deps.client.send(
          new BatchGetCommand({
            RequestItems: { [deps.table]: { Keys: pending, ConsistentRead: true } },
          }),
        );
        for (const item of out.Responses?.[deps.table] ?? []) {
          const pseudonym = item[PK] as string;
          found.set(pseudonym, byPseudonym.get(pseudonym)!);
        }
        pending = (out.UnprocessedKeys?.[deps.table]?.Keys ?? []) as Record<string, unknown>[];
      }
    }
    return found;
  }

  return {
    /** Stores the audit lines among `messages`; throws if any could not be stored (the caller retries). */
    async write(messages: readonly string[]): Promise<AuditWriteReport> {
      const items = new Map<string, Record<string, unknown>>();
      let ignored = 0;
      for (const message of messages) {
        const line = parseAuditLine(message);
        if (!line) {
          ignored += 1;
          continue;
        }
        const item = auditItem(line);
        // One BatchWriteItem may not name a key twice; a line delivered twice is one item.
        items.set(`${item[PK]}\n${item[SK]}`, item);
      }
      const all = [...items.values()];
      if (!all.length) return { stored: 0, ignored, moved: 0 };
      await batchWriteAll(
        deps.client,
        deps.table,
        all.map((Item) => ({ PutRequest: { Item } })),
        { baseDelayMs },
      );
      // Entries without a user, or already under a pseudonym (DELETE /v1/me's own), have no erasure to race.
      const users = [...new Set(all.map((i) => i[PK] as string))].filter(
        (u) => u !== ANONYMOUS && !u.startsWith('erased:'),
      );
      let moved = 0;
      if (users.length) {
        for (const [pseudonym, userId] of await erased(users)) {
          const theirs = all.filter((i) => i[PK] === userId);
          await batchWriteAll(deps.client, deps.table, moveRequests(theirs, pseudonym), { baseDelayMs });
          moved += theirs.length;
        }
      }
      return { stored: all.length, ignored, moved };
    },
  };
}

export type AuditWriter = ReturnType<typeof createAuditWriter>;
