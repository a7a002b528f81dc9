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
