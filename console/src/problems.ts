import type { components } from './api-types.ts';

export type Problem = components['schemas']['Problem'];

/**
 * A problem's field errors keyed by the form field they belong to: `body.title` → `title`,
 * `body.parameters.durationSeconds` → `parameters.durationSeconds`, `query.limit` → `limit`. The first
 * message for a field wins.
 */
export function fieldErrors(problem: Problem): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of problem.errors ?? []) {
    const field = issue.path.replace(/^(body|query|path)\./, '');
    fields[field] ??= issue.message;
  }
  return fields;
}
