import type { $ZodError } from 'zod/v4/core';
import type { FieldIssue } from '../errors.ts';

/** A zod error as field issues, each path prefixed with where the value came from (body, query, …). */
export function zodIssues(error: $ZodError, prefix = ''): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: issue.message,
  }));
}
