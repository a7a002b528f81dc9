export type AuditOutcome = 'success' | 'denied' | 'not-found' | 'invalid' | 'error';

/** One data access. Typed fields only: a request body, token or password has nowhere to go. */
export interface AuditEntry {
  userId: string | null;
  /** The API key that acted, when a key (not a user token) authenticated the request. */
  apiKeyId?: string;
  action: string;
  resourceType: string;
  resourceIds: string[];
  outcome: AuditOutcome;
  status: number;
  correlationId: string;
  at: string;
}

/**
 * Records an entry before the response leaves. Synchronous: the entry is handed to a durable carrier (the
 * function's log, see line.ts) and stored in the audit table later by the audit writer (writer.ts).
 */
export interface AuditLog {
  record(entry: AuditEntry): void;
}
