/**
 * The reading side of audit lines (see line.ts): the schemas a line must match, built only by the functions
 * that read lines (the audit writer), not by every function that writes them.
 */
import * as z from '../schema/zod.ts';
import { AUDIT_LINE_VERSION } from './line.ts';

/** A non-empty string of at most `max` characters. */
const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
const outcome = z.enum(['success', 'denied', 'not-found', 'invalid', 'error']);
const auditLineSchema = z.strictObject({
  auditRecord: z.literal(AUDIT_LINE_VERSION),
  /** Chosen when the line is written: redeliveries of the line store the same item. */
  id: z.uuid(),
  entry: z.strictObject({
    userId: z.nullable(text(200)),
    apiKeyId: z.optional(text(200)),
    action: text(100),
    resourceType: text(100),
    resourceIds: z.array(z.string().check(z.maxLength(500))).check(z.maxLength(50)),
    outcome,
    status: z.int().check(z.minimum(100), z.maximum(599)),
    correlationId: text(200),
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
  timestamp: z.optional(z.string()),
  level: z.optional(z.string()),
  requestId: z.optional(z.string()),
});

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
