/**
 * The carrier of audit entries off the request path: one JSON line per entry on the function's stdout,
 * which CloudWatch Logs stores and a subscription filter (AUDIT_FILTER_PATTERN) hands to the audit writer.
 * The line is written with process.stdout directly, not through the Powertools logger, so no log level can
 * drop it; its `auditRecord` key is one no ordinary log line has, and the writer accepts only lines that
 * parse as exactly this shape.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { writeStdoutLine } from '../observability/stdout-lines.ts';
import type { AuditEntry, AuditLog } from './port.ts';

export const AUDIT_LINE_VERSION = 1;
/** CloudWatch Logs JSON filter pattern matching audit lines and nothing else. */
export const AUDIT_FILTER_PATTERN = `{ $.auditRecord = ${AUDIT_LINE_VERSION} }`;

const outcome = z.enum(['success', 'denied', 'not-found', 'invalid', 'error']);
const auditLineSchema = z.strictObject({
  auditRecord: z.literal(AUDIT_LINE_VERSION),
  /** Chosen when the line is written: redeliveries of the line store the same item. */
  id: z.uuid(),
  entry: z.strictObject({
    userId: z.string().min(1).max(200).nullable(),
    apiKeyId: z.string().min(1).max(200).optional(),
    action: z.string().min(1).max(100),
    resourceType: z.string().min(1).max(100),
    resourceIds: z.array(z.string().max(500)).max(50),
    outcome,
    status: z.int().min(100).max(599),
    correlationId: z.string().min(1).max(200),
    at: z.iso.datetime(),
  }),
});

export type AuditLine = z.infer<typeof auditLineSchema>;

/**
 * With the JSON log format, Lambda may give an application line that lacks them its own `timestamp` and
 * `level` (Lambda's log-level filtering page), and a request id. Only those keys are tolerated beside the
 * record: a Powertools log line (`message`, `service`, …) whose attributes happened to spell an audit record
 * is still refused.
 */
const lambdaAdded = z.object({
  timestamp: z.string().optional(),
  level: z.string().optional(),
  requestId: z.string().optional(),
});

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

/** The audit record a log message carries, or undefined for any other line. */
export function parseAuditLine(message: string): AuditLine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { timestamp, level, requestId, ...record } = value as Record<string, unknown>;
  if (!lambdaAdded.safeParse({ timestamp, level, requestId }).success) return undefined;
  const parsed = auditLineSchema.safeParse(record);
  return parsed.success ? parsed.data : undefined;
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
