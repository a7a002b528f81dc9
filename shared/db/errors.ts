/**
 * Reads the PostgreSQL error behind a driver error: node-postgres and PGlite carry `code` and `constraint`;
 * the Data API puts "SQLState: 23505" and the constraint name into the message. drizzle wraps both in
 * `cause`.
 */
export interface SqlErrorInfo {
  sqlState: string | undefined;
  constraint: string | undefined;
  message: string;
}

export function sqlErrorInfo(error: unknown): SqlErrorInfo {
  const messages: string[] = [];
  let sqlState: string | undefined;
  let constraint: string | undefined;
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth += 1) {
    const e = current as { message?: string; code?: unknown; constraint?: unknown; cause?: unknown };
    if (e.message) messages.push(e.message);
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) sqlState ??= e.code;
    if (typeof e.constraint === 'string') constraint ??= e.constraint;
    current = e.cause;
  }
  const message = messages.join(' | ');
  sqlState ??= /SQLState: ([0-9A-Z]{5})/.exec(message)?.[1];
  constraint ??= /constraint "([^"]+)"/.exec(message)?.[1];
  return { sqlState, constraint, message };
}

export const UNIQUE_VIOLATION = '23505';
export const CHECK_VIOLATION = '23514';
export const FOREIGN_KEY_VIOLATION = '23503';

/**
 * What may be logged of an error: a failed query's error (drizzle's DrizzleQueryError, also as the cause of
 * another) carries the statement's parameters, that is user content (prompts, emails, names), in its
 * message and stack, so it is replaced by its SQL state, constraint, the driver error's name, the
 * statement text (placeholders only) and the stack frames. Any other error is returned as it is.
 */
export function loggableError(error: unknown): unknown {
  let failed: { query: string; name: string; stack?: string; cause?: unknown } | undefined;
  let current: unknown = error;
  for (let depth = 0; current && depth < 5 && !failed; depth += 1) {
    if (isFailedQuery(current)) failed = current;
    current = (current as { cause?: unknown }).cause;
  }
  if (!failed) return error;
  const { sqlState, constraint } = sqlErrorInfo(failed);
  const top = error as { name?: string; stack?: string };
  return {
    name: top.name ?? 'Error',
    message: 'Failed query (parameters withheld)',
    query: failed.query.slice(0, 1000),
    sqlState,
    constraint,
    causeName: (failed.cause as { name?: string } | undefined)?.name,
    stack: frames(top.stack ?? failed.stack),
  };
}

function isFailedQuery(e: unknown): e is { query: string; name: string; stack?: string; cause?: unknown } {
  const candidate = e as { query?: unknown; params?: unknown; message?: unknown };
  return (
    typeof candidate.query === 'string' &&
    ('params' in (e as object) || String(candidate.message).startsWith('Failed query:'))
  );
}

/** Only the `at …` lines of a stack: its first lines repeat the message. */
function frames(stack: string | undefined): string | undefined {
  return stack
    ?.split('\n')
    .filter((line) => /^\s+at /.test(line))
    .join('\n');
}

/** A failure's text with a failed query's parameters (drizzle appends them after "params:") removed. */
export function withoutQueryParams(text: string): string {
  return text.replace(/\nparams: [\s\S]*$/, '\nparams: [redacted]');
}
