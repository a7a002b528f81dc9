import { recordedFields } from './line.ts';
import type { AuditLine } from './line-parse.ts';

export const AUDIT_RETENTION_DAYS = 365;

/** The audit table's key and TTL attributes; the CDK stack and the local table are built from these. */
export const AUDIT_TABLE_KEYS = { partition: 'userId', sort: 'sk', ttl: 'expiresAt' } as const;
/** Powertools idempotency's default attribute names. */
export const IDEMPOTENCY_TABLE_KEYS = { partition: 'id', ttl: 'expiration' } as const;
/** Partition key of entries with no user (a failed sign-in). */
export const ANONYMOUS = 'anonymous';

/**
 * The sort key of the marker an erasure leaves in the pseudonym's partition before it moves the entries
 * (ISO dates sort before it). The audit writer looks for it after each write, so an entry still on its way
 * when the account was erased is moved too (see writer.ts).
 */
export const ERASED_MARKER_SK = 'erased';

export const expiresAtFor = (at: string) => Math.floor(Date.parse(at) / 1000) + AUDIT_RETENTION_DAYS * 86_400;

/**
 * The table item of an audit line, keyed by user and time. The sort key ends with the line's id, so a
 * line delivered twice overwrites its own item.
 */
export function auditItem(line: AuditLine): Record<string, unknown> {
  const { userId, ...fields } = recordedFields(line.entry);
  return {
    [AUDIT_TABLE_KEYS.partition]: userId ?? ANONYMOUS,
    [AUDIT_TABLE_KEYS.sort]: `${fields.at}#${line.id}`,
    ...fields,
    [AUDIT_TABLE_KEYS.ttl]: expiresAtFor(fields.at),
  };
}

/**
 * The writes that move items under `pseudonym`: a copy under the new partition key (the user's id replaced
 * among its resource ids too: `user.*` and `auth.*` entries name the user), then the original gone.
 */
export function moveRequests(items: readonly Record<string, unknown>[], pseudonym: string) {
  const renamed = (item: Record<string, unknown>) => {
    const userId = item[AUDIT_TABLE_KEYS.partition];
    const ids = Array.isArray(item.resourceIds) ? (item.resourceIds as unknown[]) : undefined;
    return {
      ...item,
      [AUDIT_TABLE_KEYS.partition]: pseudonym,
      ...(ids ? { resourceIds: ids.map((id) => (id === userId ? pseudonym : id)) } : {}),
    };
  };
  return [
    ...items.map((item) => ({ PutRequest: { Item: renamed(item) } })),
    ...items.map((item) => ({
      DeleteRequest: {
        Key: {
          [AUDIT_TABLE_KEYS.partition]: item[AUDIT_TABLE_KEYS.partition],
          [AUDIT_TABLE_KEYS.sort]: item[AUDIT_TABLE_KEYS.sort],
        },
      },
    })),
  ];
}

/** The marker an erasure writes under the pseudonym before it moves the entries. */
export function erasedMarker(pseudonym: string, now = new Date()): Record<string, unknown> {
  return {
    [AUDIT_TABLE_KEYS.partition]: pseudonym,
    [AUDIT_TABLE_KEYS.sort]: ERASED_MARKER_SK,
    erasedAt: now.toISOString(),
    [AUDIT_TABLE_KEYS.ttl]: expiresAtFor(now.toISOString()),
  };
}
