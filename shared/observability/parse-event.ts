/**
 * Validates an event a function receives from AWS before anything is done with it. An event of another
 * shape is logged (where it failed, never its values) and thrown: Lambda retries it and then hands it,
 * with the error, to the function's on-failure queue, whose alarm tells an operator.
 */

import type { $ZodType, output } from 'zod/v4/core';
import * as z from '../schema/zod.ts';

export class UnexpectedEvent extends Error {
  override name = 'UnexpectedEvent';
}

interface ErrorLogger {
  error(message: string, detail: Record<string, unknown>): void;
}

export function parseEvent<S extends $ZodType>(
  schema: S,
  event: unknown,
  kind: string,
  logger: ErrorLogger,
): output<S> {
  const result = z.safeParse(schema, event);
  if (result.success) return result.data;
  const issues = result.error.issues
    .slice(0, 10)
    .map((issue) => ({ path: issue.path.join('.'), code: issue.code, message: issue.message }));
  logger.error('unexpected event', { eventKind: kind, issues });
  throw new UnexpectedEvent(`The ${kind} event does not have the expected shape (see the logged issues).`);
}
