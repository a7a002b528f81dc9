/**
 * Why a job failed, in three classes an operator treats differently: `user` (the user's input or action:
 * a blocked prompt, a cancel, a tier limit), `model` (the video model could not make the video) and
 * `system` (our infrastructure or configuration). Only system failures spend the success-rate objective;
 * the class is the `failureClass` dimension of the JobsFailed metric (shared/observability/metrics.ts).
 */

export type FailureClass = 'user' | 'model' | 'system';

/** Errors raised by a user's input or action (see shared/errors.ts and the pipeline's own names). */
const USER_ERRORS = new Set([
  'JobInputError',
  'JobCancelled',
  'ValidationError',
  'TierLimitError',
  'QuotaExceededError',
  'NotFoundError',
  'ConflictError',
  'UnreadableMedia',
]);

const MODEL_ERRORS = new Set(['GenerationFailed', 'GenerationTimedOut', 'ModelThrottled']);

const CONTENT_FILTER = /content filter/i;
/** A model that is not enabled in Bedrock is our configuration, not the model's failure. */
const MODEL_NOT_ENABLED = /is not enabled for this service's AWS account/i;

/** The message inside a Catch's Cause: a Lambda's is JSON with errorMessage, others plain text. */
function causeMessage(cause: string | undefined): string {
  if (!cause) return '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown; ErrorMessage?: unknown };
    const message = parsed.errorMessage ?? parsed.ErrorMessage;
    return typeof message === 'string' ? message : cause;
  } catch {
    return cause;
  }
}

/** The class of a Catch's error (`$.error` of the state machine: `{ Error, Cause }`). */
export function failureClass(error: { Error?: string; Cause?: string } | undefined): FailureClass {
  const name = error?.Error ?? '';
  const message = causeMessage(error?.Cause);
  if (USER_ERRORS.has(name)) return 'user';
  if (MODEL_ERRORS.has(name)) {
    if (CONTENT_FILTER.test(message)) return 'user';
    if (MODEL_NOT_ENABLED.test(message)) return 'system';
    return 'model';
  }
  // Messages written for users come as JobInputError and the names above; anything else (a plain Error,
  // a database or SDK failure, DatabaseUnavailable, a timeout) is ours.
  return 'system';
}
