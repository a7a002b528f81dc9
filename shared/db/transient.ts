/**
 * Which RDS Data API failures are transient, found anywhere in an error's cause chain (drizzle wraps driver
 * errors in `Error("Failed query: …")` with the Data API's exception in `cause`).
 *
 * Two kinds, because a retry must never apply a write twice:
 * - `not-executed`: AWS documents that the request was refused before any SQL ran, so repeating it is
 *   always safe: DatabaseResumingException ("A request was cancelled because the Aurora Serverless v2 DB
 *   instance was paused … Wait a few seconds and try again"), ThrottlingException/TooManyRequestsException
 *   (the request was denied), and connection errors raised before a request was sent (refused, DNS).
 * - `outcome-unknown`: the service or the writer was unavailable or failed mid-call
 *   (DatabaseUnavailableException, ServiceUnavailableError, InternalServerErrorException, a reset socket).
 *   The statement may or may not have run; only a call that changes nothing may be repeated.
 *
 * StatementTimeoutException is neither: the statement may have committed, and repeating a statement that ran
 * out of time mostly times out again.
 */
export type TransientKind = 'not-executed' | 'outcome-unknown';

const NOT_EXECUTED_NAMES = new Set([
  'DatabaseResumingException',
  'ThrottlingException',
  'TooManyRequestsException',
]);
const NOT_EXECUTED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);
const OUTCOME_UNKNOWN_NAMES = new Set([
  'DatabaseUnavailableException',
  'ServiceUnavailableError',
  'InternalServerErrorException',
]);
const OUTCOME_UNKNOWN_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

function kindOf(error: { name?: unknown; code?: unknown; $fault?: unknown }): TransientKind | undefined {
  // Names count only on AWS SDK service exceptions (they carry $fault): ServiceUnavailableError is also the
  // name of this project's own 503 error, which wraps the SDK's in `cause`.
  if (typeof error.name === 'string' && error.$fault !== undefined) {
    if (NOT_EXECUTED_NAMES.has(error.name)) return 'not-executed';
    if (OUTCOME_UNKNOWN_NAMES.has(error.name)) return 'outcome-unknown';
  }
  if (typeof error.code === 'string') {
    if (NOT_EXECUTED_CODES.has(error.code)) return 'not-executed';
    if (OUTCOME_UNKNOWN_CODES.has(error.code)) return 'outcome-unknown';
  }
  return undefined;
}

/** The transient kind of the first recognised error in the cause chain, or undefined. */
export function transientKind(error: unknown): TransientKind | undefined {
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 8; depth += 1) {
    const kind = kindOf(current as { name?: unknown; code?: unknown; $fault?: unknown });
    if (kind) return kind;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** True when the chain holds any transient Data API failure (the call may succeed if tried again). */
export function isTransientDataApiError(error: unknown): boolean {
  return transientKind(error) !== undefined;
}

/**
 * True when repeating the failed call cannot apply anything twice: always for `not-executed`, and for
 * `outcome-unknown` only when the call is repeatable (it changes nothing, or all of it is idempotent).
 */
export function isSafeToRetry(error: unknown, repeatable: boolean): boolean {
  const kind = transientKind(error);
  return kind === 'not-executed' || (kind === 'outcome-unknown' && repeatable);
}
