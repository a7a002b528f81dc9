import { fieldProblem } from './api.ts';

/**
 * The metadata field's text as the object PATCH takes; what is not a JSON object is pointed out on the field
 * before anything is sent.
 */
export function metadataOf(text: string): Record<string, unknown> {
  const refuse = (message: string) => fieldProblem('metadata', message);
  if (!text.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw refuse('is not valid JSON; write an object such as {"scene": 3}, with double quotes around names');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw refuse('must be a JSON object such as {"scene": 3}, not a list or a single value');
  return value as Record<string, unknown>;
}
