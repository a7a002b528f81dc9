import { describe, expect, it } from 'vitest';
import { safeParse } from 'zod/mini';
import type { $ZodType } from 'zod/v4/core';
import { updateClipBody } from '#shared/clips/schema.ts';
import { createJobBody } from '#shared/jobs/schema.ts';
import { createProjectBody, updateProjectBody } from '#shared/projects/schema.ts';
import { createTemplateBody } from '#shared/templates/schema.ts';
import { updateMeBody, username } from '#shared/users/schema.ts';

const template = { category: 'general', prompt: 'a calm sea', isPublic: false };
const fields: [string, $ZodType, (v: string) => unknown, string][] = [
  ['project title (create)', createProjectBody, (v) => ({ title: v }), 'title'],
  ['project title (update)', updateProjectBody, (v) => ({ title: v }), 'title'],
  ['clip title', updateClipBody, (v) => ({ title: v }), 'title'],
  ['template name', createTemplateBody, (v) => ({ ...template, name: v }), 'name'],
];

const HIDDEN = [
  '\u202E',
  '\u202D',
  '\u200B',
  '\u200E',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\uFEFF',
  '\u00AD',
  '\u0000',
  '\u0007',
];
const BLANK = ['\u200B', '\u200B\u200C', '\u3164', '\u2800', ' \u3000 ', '\u0301'];

describe.each(fields)('%s', (_name, schema, body, field) => {
  it('keeps ordinary text of any script', () => {
    for (const v of ['Holiday', 'Café 2026', '東京の夜', 'مرحبا', '🎬 trailer', "Ann's cut #2"]) {
      expect(safeParse(schema, body(v)).success, v).toBe(true);
    }
  });

  it.each(HIDDEN.map((c) => [`U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`, c]))(
    'refuses the invisible control %s, naming the field',
    (_code, c) => {
      const result = safeParse(schema, body(`my${c}title`));
      expect(result.success).toBe(false);
      const issue = result.error!.issues.find((i) => i.path.join('.') === field);
      expect(issue?.message).toMatch(new RegExp(`^${field} must not contain invisible control characters`));
    },
  );

  it('refuses text without a visible character, naming the field', () => {
    for (const v of BLANK) {
      const result = safeParse(schema, body(v));
      expect(result.success, JSON.stringify(v)).toBe(false);
      expect(result.error!.issues.map((i) => i.path.join('.'))).toContain(field);
      expect(result.error!.issues.map((i) => i.message).join(' ')).toMatch(
        new RegExp(`^${field} |must not be empty`),
      );
    }
  });
});

describe('an empty value', () => {
  const empty: [string, $ZodType, unknown, string][] = [
    ...fields.map(([name, schema, body, field]): [string, $ZodType, unknown, string] => [
      name,
      schema,
      body(''),
      field,
    ]),
    ['username', updateMeBody, { username: '' }, 'username'],
    ['job prompt', createJobBody, { jobType: 'GENERATE', prompt: '' }, 'prompt'],
  ];
  it.each(empty)('%s gets one message: the length check', (_name, schema, body, field) => {
    const result = safeParse(schema, body);
    expect(result.success).toBe(false);
    const messages = result.error!.issues.filter((i) => i.path.join('.') === field).map((i) => i.message);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^must (not be empty|be at least \d+ characters)$/);
  });

  it('is a description, which may be empty', () => {
    expect(safeParse(createProjectBody, { title: 'A', description: '' }).success).toBe(true);
    expect(safeParse(createTemplateBody, { ...template, name: 'A', description: '' }).success).toBe(true);
  });
});

describe('username', () => {
  it('uses the same refinement', () => {
    expect(username.safeParse('ann_1').success).toBe(true);
    const result = updateMeBody.safeParse({ username: 'ann\u202Eevil' });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.message)).toContain(
      'username must not contain invisible control characters (bidi overrides, zero-width or other format characters)',
    );
  });
});
