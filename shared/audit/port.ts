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

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
}
