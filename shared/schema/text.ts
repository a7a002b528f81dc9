import type * as z from 'zod';

/**
 * Characters that change how text around them is shown without being seen themselves: format controls
 * (Unicode category Cf: bidi overrides and isolates such as U+202E and U+2066–U+2069, zero-width spaces and
 * joiners, the BOM), other control characters (Cc, NUL included) and lone surrogates.
 */
const HIDDEN_CONTROL = /[\p{Cf}\p{Cc}\p{Cs}]/u;

/** Letters, digits, punctuation and symbols, less the few that render as blank (Hangul fillers, Braille blank). */
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;
const BLANK_LOOKING = /[\u115F\u1160\u3164\uFFA0\u2800]/gu;

export function hasVisibleCharacter(value: string): boolean {
  return VISIBLE.test(value.replace(BLANK_LOOKING, ''));
}

export function hasHiddenControl(value: string): boolean {
  return HIDDEN_CONTROL.test(value);
}

/**
 * A refinement for names people read (titles, template names, usernames): at least one visible character
 * and no invisible controls, which could hide or reorder what others see. Messages name the field.
 */
export function readableText(field: string) {
  return (value: string, ctx: z.RefinementCtx) => {
    if (hasHiddenControl(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `${field} must not contain invisible control characters (bidi overrides, zero-width or other format characters)`,
      });
    } else if (!hasVisibleCharacter(value)) {
      ctx.addIssue({ code: 'custom', message: `${field} must contain a visible character` });
    }
  };
}

/** HIDDEN_CONTROL less the line breaks and tabs that paragraphs of text (prompts, descriptions) may hold. */
const HIDDEN_CONTROL_IN_PROSE = /(?![\t\n\r])[\p{Cf}\p{Cc}\p{Cs}]/u;

/**
 * readableText for longer text (prompts, descriptions): line breaks and tabs are allowed; other invisible
 * controls are not. With `emptyAllowed` the text may be empty (a description), but not blank-looking.
 */
export function proseText(field: string, { emptyAllowed = false } = {}) {
  return (value: string, ctx: z.RefinementCtx) => {
    if (HIDDEN_CONTROL_IN_PROSE.test(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `${field} must not contain invisible control characters (bidi overrides, zero-width or other format characters); line breaks and tabs are fine`,
      });
    } else if ((value !== '' || !emptyAllowed) && !hasVisibleCharacter(value)) {
      ctx.addIssue({ code: 'custom', message: `${field} must contain a visible character` });
    }
  };
}
