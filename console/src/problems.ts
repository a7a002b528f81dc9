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

/**
 * The problem an answer carries; an answer that is not problem+json (the deployed gateway's own throttle and
 * errors answer `{message}`) becomes one that says what to do, with the wait its Retry-After asks for.
 */
export function problemOf(
  body: unknown,
  answer: { status: number; statusText: string; retryAfter: string | null },
): Problem {
  if (body && typeof body === 'object' && 'status' in body && 'detail' in body) return body as Problem;
  const message = body && typeof body === 'object' && 'message' in body ? String(body.message) : '';
  const { status } = answer;
  const seconds = Number(answer.retryAfter);
  const wait =
    answer.retryAfter && Number.isFinite(seconds) ? `in ${Math.max(1, Math.ceil(seconds))} s` : 'in a moment';
  let detail = message || `The request failed (${status}).`;
  if (status === 429) detail = `Too many requests at once; try again ${wait}.`;
  else if (status >= 500) detail = `The service could not answer (${message || status}); try again ${wait}.`;
  return { type: 'about:blank', title: answer.statusText || 'Error', status, detail };
}
