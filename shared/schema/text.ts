import type { $RefinementCtx } from 'zod/v4/core';

/**
 * Characters that change how text around them is shown without being seen themselves: format controls
 * (Unicode category Cf: bidi overrides and isolates such as U+202E and U+2066–U+2069, zero-width spaces and
 * joiners, the BOM), other control characters (Cc, NUL included) and lone surrogates.
 */
const HIDDEN_CONTROL = String.raw`[\p{Cf}\p{Cc}\p{Cs}]`;

/** Letters, digits, punctuation and symbols, less the few that render as blank (Hangul fillers, Braille blank). */
const VISIBLE = String.raw`[\p{L}\p{N}\p{P}\p{S}]`;
const BLANK_LOOKING = /[\u115F\u1160\u3164\uFFA0\u2800]/gu;
/** HIDDEN_CONTROL less the line breaks and tabs that paragraphs of text (prompts, descriptions) may hold. */
const HIDDEN_CONTROL_IN_PROSE = String.raw`(?![\t\n\r])${HIDDEN_CONTROL}`;

/**
 * The expressions above, built by the first check: a Unicode property class costs V8 a parse when the
 * expression is created (and, written as a literal, another when the module is compiled), about 0.3 ms
 * each, which a function's cold start should not pay for requests that check no text.
 */
let expressions: { hidden: RegExp; visible: RegExp; hiddenInProse: RegExp } | undefined;
const built = () =>
  (expressions ??= {
    hidden: new RegExp(HIDDEN_CONTROL, 'u'),
    visible: new RegExp(VISIBLE, 'u'),
    hiddenInProse: new RegExp(HIDDEN_CONTROL_IN_PROSE, 'u'),
  });

export function hasVisibleCharacter(value: string): boolean {
  return built().visible.test(value.replace(BLANK_LOOKING, ''));
}

export function hasHiddenControl(value: string): boolean {
  return built().hidden.test(value);
}

/**
 * A refinement for names people read (titles, template names, usernames): at least one visible character
 * and no invisible controls, which could hide or reorder what others see. Messages name the field. An
 * empty value is left to the field's length check, so that it gets one message.
 */
export function readableText(field: string) {
  return (value: string, ctx: $RefinementCtx<string>) => {
    if (hasHiddenControl(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `${field} must not contain invisible control characters (bidi overrides, zero-width or other format characters)`,
      });
    } else if (value !== '' && !hasVisibleCharacter(value)) {
      ctx.addIssue({ code: 'custom', message: `${field} must contain a visible character` });
    }
  };
}

/**
 * readableText for longer text (prompts, descriptions): line breaks and tabs are allowed; other invisible
 * controls are not. An empty value is left to the length check (a description may be empty, a prompt not).
 */
export function proseText(field: string) {
  return (value: string, ctx: $RefinementCtx<string>) => {
    if (built().hiddenInProse.test(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `${field} must not contain invisible control characters (bidi overrides, zero-width or other format characters); line breaks and tabs are fine`,
      });
    } else if (value !== '' && !hasVisibleCharacter(value)) {
      ctx.addIssue({ code: 'custom', message: `${field} must contain a visible character` });
    }
  };
}
