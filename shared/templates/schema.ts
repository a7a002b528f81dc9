import { prompt } from '../jobs/prompt.ts';
import { boundedJsonObject, isoDate, pageQuery, uuid } from '../schema/common.ts';
import { lazySchema } from '../schema/lazy.ts';
import { proseText, readableText } from '../schema/text.ts';
import * as z from '../schema/zod.ts';
import { TEMPLATE_CATEGORIES } from './categories.ts';

// Stored composed (NFC): a creator's names are unique regardless of case (an index on lower(name)), and
// "Café" typed with a combining accent is the same name.
const nameChecks = () => [
  z.trim(),
  z.normalize('NFC'),
  z.minLength(1, 'must not be empty'),
  z.maxLength(100, 'must be at most 100 characters'),
];
export const templateName = lazySchema(() =>
  z.string().check(...nameChecks(), z.superRefine(readableText('name'))),
);
const templateDescription = lazySchema(() =>
  z
    .string()
    .check(
      z.trim(),
      z.maxLength(1000, 'must be at most 1000 characters'),
      z.superRefine(proseText('description')),
    ),
);
export const templateCategory = lazySchema(() =>
  z.enum(TEMPLATE_CATEGORIES, {
    message: `must be one of ${TEMPLATE_CATEGORIES.join(', ')}`,
  }),
);

export const createTemplateBody = lazySchema(() =>
  z.strictObject({
    name: templateName,
    description: z._default(templateDescription, ''),
    category: templateCategory,
    prompt,
    parameters: z.optional(boundedJsonObject),
    isPublic: z.optional(z.boolean()),
  }),
);

export const updateTemplateBody = lazySchema(() =>
  z
    .strictObject({
      name: z.optional(templateName),
      description: z.optional(templateDescription),
      category: z.optional(templateCategory),
      prompt: z.optional(prompt),
      parameters: z.optional(boundedJsonObject),
      isPublic: z.optional(z.boolean()),
    })
    .check(z.refine((b) => Object.keys(b).length > 0, { message: 'give at least one field to change' })),
);

export const listTemplatesQuery = lazySchema(() =>
  z.strictObject(
    z.extend(pageQuery, {
      category: z.optional(templateCategory),
      // Searched as names are stored.
      q: z.optional(z.string().check(...nameChecks())),
    }).shape,
  ),
);
export const templateParams = lazySchema(() => z.object({ templateId: uuid }));

export const templateResponse = lazySchema(() =>
  z.object({
    id: uuid,
    name: z.string(),
    description: z.string(),
    category: z.string(),
    thumbnailUrl: z.nullable(z.string()),
    prompt: z.string(),
    parameters: z.record(z.string(), z.unknown()),
    isPublic: z.boolean(),
    createdBy: z.nullable(uuid),
    usageCount: z.number().check(z.int()),
    createdAt: isoDate,
    updatedAt: isoDate,
  }),
);

const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/g;

/** The names of a template prompt's `{{name}}` placeholders. */
export function placeholdersOf(template: string): Set<string> {
  return new Set(Array.from(template.matchAll(PLACEHOLDER), (m) => m[1]!));
}

/**
 * Fills `{{name}}` placeholders from the own string properties of `variables`; a placeholder without one
 * (including names such as `constructor` that only the object prototype has) is reported by name.
 */
export function renderPrompt(
  template: string,
  variables: Record<string, string> = {},
): {
  text: string;
  missing: string[];
} {
  const missing = new Set<string>();
  const own = variables && typeof variables === 'object' && !Array.isArray(variables) ? variables : {};
  const text = template.replace(PLACEHOLDER, (_m, name: string) => {
    const value = Object.hasOwn(own, name) ? own[name] : undefined;
    if (typeof value !== 'string') {
      missing.add(name);
      return '';
    }
    return value;
  });
  return { text, missing: [...missing] };
}
