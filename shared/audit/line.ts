/**
 * The carrier of audit entries off the request path: one JSON line per entry on the function's stdout,
 * which CloudWatch Logs stores and a subscription filter (AUDIT_FILTER_PATTERN) hands to the audit writer.
 * The line is written with process.stdout directly, not through the Powertools logger, so no log level can
 * drop it; its `auditRecord` key is one no ordinary log line has, and the writer accepts only lines that
 * parse as exactly this shape (line-parse.ts: only the writer builds those schemas, not every function
 * that writes lines).
 */
import { randomUUID } from 'node:crypto';
import { writeStdoutLine } from '../observability/stdout-lines.ts';
import type { AuditLine } from './line-parse.ts';
import type { AuditEntry, AuditLog } from './port.ts';

export const AUDIT_LINE_VERSION = 1;
/** CloudWatch Logs JSON filter pattern matching audit lines and nothing else. */
export const AUDIT_FILTER_PATTERN = `{ $.auditRecord = ${AUDIT_LINE_VERSION} }`;

/** The fields an audit record keeps, and nothing else the entry object may carry. */
export function recordedFields(entry: AuditEntry): AuditEntry {
  return {
    userId: entry.userId,
    ...(entry.apiKeyId ? { apiKeyId: entry.apiKeyId } : {}),
    action: entry.action,
    resourceType: entry.resourceType,
    resourceIds: entry.resourceIds,
    outcome: entry.outcome,
    status: entry.status,
    correlationId: entry.correlationId,
    at: entry.at,
  };
}

export function auditLine(entry: AuditEntry, id: string = randomUUID()): string {
  const line: AuditLine = { auditRecord: AUDIT_LINE_VERSION, id, entry: recordedFields(entry) };
  return JSON.stringify(line);
}

/** An audit log that writes each entry as one line to `write` (the function's stdout when deployed). */
export function lineAuditLog(write: (line: string) => void): AuditLog {
  return { record: (entry) => write(auditLine(entry)) };
}

/**
 * Deployed: the line goes to stdout, which the Lambda runtime sends to the function's log group. On Linux
 * a write to a pipe is synchronous, so the line has left the process before the response is returned (an
 * API request's lines leave together in one write, see observability/stdout-lines.ts).
 */
export const stdoutAuditLog = (): AuditLog => lineAuditLog(writeStdoutLine);
