/**
 * Domain errors. Services throw these; the HTTP layer maps each to an RFC 9457 problem (status in brackets).
 */
export interface FieldIssue {
  path: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** [400] Input that breaks a rule; `issues` names each offending field. */
export class ValidationError extends DomainError {
  readonly status = 400;
  readonly code = 'validation-error';
  constructor(
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
  }
}

/** [400] A pagination cursor that was not issued by this API or was tampered with. */
export class InvalidCursorError extends ValidationError {
  constructor() {
    super('The cursor is not valid; start again without a cursor.', [
      { path: 'query.cursor', message: 'invalid cursor' },
    ]);
  }
}

/** [401] Missing or bad credentials; never says which part was wrong. */
export class UnauthorizedError extends DomainError {
  readonly status = 401;
  readonly code = 'unauthorized';
}

/** [403] A tier rule (longest clip, largest resolution) forbids the request. */
export class TierLimitError extends DomainError {
  readonly status = 403;
  readonly code = 'tier-limit';
}

/** [403] The credential is valid but may not do this (a read-only API key writing, a key on a user-only route). */
export class ForbiddenError extends DomainError {
  readonly status = 403;
  readonly code = 'forbidden';
}

/** [404] Absent, or owned by someone else: the two are indistinguishable on purpose. */
export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'not-found';
  constructor(readonly resource: string) {
    super(`${resource} not found`);
  }
}

/** [404] The user has no users row: the sign-up trigger missed the account, or it was erased. */
export class MissingUserRowError extends NotFoundError {
  constructor() {
    super('user');
  }
}

/** [409] Duplicate unique value or an illegal state change. */
export class ConflictError extends DomainError {
  readonly status = 409;
  readonly code = 'conflict';
}

/**
 * [412] An If-Match precondition does not hold: the resource changed since the client read the ETag it sent
 * (or changes while this request runs), so nothing was written.
 */
export class PreconditionFailedError extends DomainError {
  readonly status = 412;
  readonly code = 'precondition-failed';
  constructor(resource: string, header: 'If-Match' | 'If-None-Match' = 'If-Match') {
    super(
      header === 'If-Match'
        ? `The ${resource} changed since the ETag you sent in If-Match was read, so nothing was changed; GET it again and retry with its new ETag.`
        : `The ${resource} exists and If-None-Match names it (\`*\`, or its current ETag), so nothing was changed.`,
    );
  }
}

/** [413] The bytes would exceed the user's storage limit. */
export class QuotaExceededError extends DomainError {
  readonly status = 413;
  readonly code = 'quota-exceeded';
  constructor(
    readonly requested: number,
    readonly remaining: number,
  ) {
    super(`This needs ${requested} bytes but only ${Math.max(0, remaining)} bytes of storage remain.`);
  }
}

/** [429] Too many jobs running or too many attempts; `retryAfterSeconds` feeds Retry-After. */
export class TooManyRequestsError extends DomainError {
  readonly status = 429;
  readonly code = 'too-many-requests';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/**
 * [503] A dependency (the database resuming from a pause, a throttled or unavailable service) did not answer
 * within the caller's retry budget; `retryAfterSeconds` feeds Retry-After. The original error is the `cause`.
 */
export class ServiceUnavailableError extends DomainError {
  readonly status = 503;
  readonly code = 'service-unavailable';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The first error of `type` in a cause chain (drizzle wraps what a driver throws in `cause`). */
export function findInCauses<T>(error: unknown, type: abstract new (...args: never[]) => T): T | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 8; depth += 1) {
    if (current instanceof type) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
