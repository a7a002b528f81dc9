/** The most UTF-16 units a clip title holds (as `clipTitle` counts them). */
const MAX_TITLE = 100;

/**
 * A clip's title from its job's prompt: its first 100 units, cut before a character rather than through
 * one (half an emoji is an unpaired surrogate, which no database column can store as written).
 */
export function titleFromPrompt(prompt: string, fallback: string): string {
  let title = prompt.slice(0, MAX_TITLE);
  if (/[\uD800-\uDBFF]$/.test(title)) title = title.slice(0, -1);
  return title.trim() || fallback;
}
