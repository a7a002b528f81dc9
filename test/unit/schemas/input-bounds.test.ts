/**
 * Bad input is refused when it is submitted, naming the field: never a job that fails later or an odd
 * result (a one-frame clip, next year's usage).
 */
import { describe, expect, it } from 'vitest';
import type { $ZodType } from 'zod/v4/core';
import { createApiKeyBody } from '#shared/api-keys/schema.ts';
import { listClipsQuery, uploadBody } from '#shared/clips/schema.ts';
import { editParameters, generateParameters, listJobsQuery, prompt } from '#shared/jobs/schema.ts';
import { createProjectBody, listProjectsQuery, updateProjectBody } from '#shared/projects/schema.ts';
import * as z from '#shared/schema/zod.ts';
import { createTemplateBody, listTemplatesQuery, updateTemplateBody } from '#shared/templates/schema.ts';
import { usageQuery } from '#shared/usage/schema.ts';
import { createWebhookBody, listDeliveriesQuery, listWebhooksQuery } from '#shared/webhooks/schema.ts';

const clipId = '7d0c7b5e-1c8e-4a53-9d1e-0d0c7b5e1c8e';
const issues = (schema: $ZodType, value: unknown) => {
  const parsed = z.safeParse(schema, value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};
const edit = (trim: { start?: number; end?: number }) =>
  issues(editParameters, { clips: [{ clipId, ...trim }] });

describe('EDIT trims', () => {
  it('refuses a trim that keeps less than 0.1 s, naming end and the minimum', () => {
    for (const trim of [
      { start: 0, end: 1e-10 },
      { start: 0, end: 1e-300 },
      { start: 1, end: 1.05 },
      { start: 2, end: 2 },
    ]) {
      expect(edit(trim), JSON.stringify(trim)).toEqual([
        'clips.0.end: end must be at least 0.1 s after start',
      ]);
    }
    expect(edit({ end: 0.05 })).toEqual(['clips.0.end: end must be at least 0.1 s after start']);
  });

  it('takes a trim of exactly 0.1 s, an open start or end, and -0 as 0', () => {
    expect(edit({ start: 1, end: 1.1 })).toEqual([]);
    expect(edit({ start: 3 })).toEqual([]);
    expect(edit({ end: 0.1 })).toEqual([]);
    expect(edit({ start: -0, end: 1 })).toEqual([]);
  });

  it('refuses trim points past the longest clip there is (Number.MAX_VALUE, 1e308)', () => {
    for (const end of [Number.MAX_VALUE, 1e308, 7200.5]) {
      expect(edit({ start: 0, end })).toEqual([
        'clips.0.end: must be at most 7200 seconds (the longest a clip can be)',
      ]);
    }
    expect(edit({ start: 1e308 })).toContain(
      'clips.0.start: must be at most 7200 seconds (the longest a clip can be)',
    );
    expect(edit({ start: -1, end: 1 })).toEqual(['clips.0.start: must be 0 or more seconds']);
  });

  it('refuses numeric strings', () => {
    expect(issues(editParameters, { clips: [{ clipId, start: '1' }] })).toHaveLength(1);
  });
});

describe('GENERATE numbers', () => {
  it('refuses floats for whole-number fields and strings for numbers', () => {
    for (const parameters of [
      { fps: 2.5 },
      { seed: 2.5 },
      { seed: '5' },
      { durationSeconds: '6' },
      { seed: 1e308 },
    ]) {
      expect(issues(generateParameters, parameters).length, JSON.stringify(parameters)).toBeGreaterThan(0);
    }
    expect(issues(generateParameters, { durationSeconds: -0 }).length).toBeGreaterThan(0);
  });

  it('says once, in words, what a whole-number field takes', () => {
    expect(issues(generateParameters, { seed: 1e308 })).toEqual([
      'seed: must be a whole number from 0 to 2147483646',
    ]);
    expect(issues(generateParameters, { fps: 2.5 })).toEqual(['fps: must be a whole number from 1 to 60']);
    expect(issues(generateParameters, { fps: 0 })).toEqual(['fps: must be a whole number from 1 to 60']);
    expect(issues(generateParameters, { durationSeconds: Number.MAX_VALUE })).toEqual([
      'durationSeconds: must be at most 120 seconds',
    ]);
    expect(issues(generateParameters, { durationSeconds: -0 })).toEqual([
      'durationSeconds: must be more than 0 seconds',
    ]);
    expect(issues(generateParameters, { variables: { 'a-b': 'x' } })).toEqual([
      'variables.a-b: names must be 1–50 letters, digits or underscores',
    ]);
  });
});

describe('prompts', () => {
  it('refuses prompts with nothing visible or with invisible controls, naming the field', () => {
    expect(issues(prompt, '\u200b\u2066')).toEqual([
      ': prompt must not contain invisible control characters (bidi overrides, zero-width or other format characters); line breaks and tabs are fine',
    ]);
    expect(issues(prompt, 'a fox\u202e reversed')).toHaveLength(1);
    expect(issues(prompt, 'a fox\u0007')).toHaveLength(1);
    expect(issues(prompt, '\u3164\u3164')).toEqual([': prompt must contain a visible character']);
  });

  it('keeps line breaks, tabs and ordinary non-Latin text', () => {
    for (const text of ['a fox\nin snow', 'a fox\r\n\tin snow', 'ثعلب أحمر', '赤い狐', 'a fox 🦊']) {
      expect(issues(prompt, text), text).toEqual([]);
    }
  });

  it('applies to template prompts', () => {
    expect(issues(createTemplateBody, { name: 'n', category: 'general', prompt: 'a\u202eb' })).toHaveLength(
      1,
    );
  });
});

describe('descriptions', () => {
  const hidden = 'a\u202eb';
  it('refuses invisible controls and blank-looking text, keeps line breaks, trims whitespace to empty', () => {
    expect(issues(createProjectBody, { title: 't', description: hidden })).toHaveLength(1);
    expect(issues(updateProjectBody, { description: '\u3164' })).toEqual([
      'description: description must contain a visible character',
    ]);
    expect(
      issues(createTemplateBody, { name: 'n', category: 'general', prompt: 'p', description: hidden }),
    ).toHaveLength(1);
    expect(issues(updateTemplateBody, { description: 'x\u0000' })).toHaveLength(1);
    expect(issues(createWebhookBody, { url: 'https://example.com/h', description: hidden })).toHaveLength(1);
    expect(createProjectBody.parse({ title: 't', description: '  two\nlines  ' }).description).toBe(
      'two\nlines',
    );
    expect(createWebhookBody.parse({ url: 'https://example.com/h', description: '   ' }).description).toBe(
      '',
    );
  });
});

describe('names and URLs', () => {
  it('says what to fix in words', () => {
    expect(issues(createApiKeyBody, { name: ' ', scopes: ['read'] })).toContain('name: must not be empty');
    expect(issues(createApiKeyBody, { name: 'a'.repeat(101), scopes: ['read'] })).toEqual([
      'name: must be at most 100 characters',
    ]);
    expect(issues(createWebhookBody, { url: `https://example.com/${'a'.repeat(2000)}` })).toEqual([
      'url: must be at most 2000 characters',
    ]);
  });
});

describe('uploads', () => {
  const upload = { fileName: 'a.mp4', contentType: 'video/mp4', fileSize: 10 };
  it('refuse a file name with invisible controls (it becomes the prompt and the clip title) and say what a size takes', () => {
    expect(issues(uploadBody, { ...upload, fileName: 'a\u202e4pm.exe' })).toHaveLength(1);
    expect(issues(uploadBody, { ...upload, fileSize: 2.5 })).toEqual([
      'fileSize: must be a whole number of bytes',
    ]);
    expect(issues(uploadBody, { ...upload, fileSize: 1e308 })).toEqual([
      'fileSize: must be a whole number of bytes',
    ]);
    expect(issues(uploadBody, upload)).toEqual([]);
  });
});

describe('list queries', () => {
  const lists = {
    projects: listProjectsQuery,
    clips: listClipsQuery,
    jobs: listJobsQuery,
    templates: listTemplatesQuery,
    webhooks: listWebhooksQuery,
    deliveries: listDeliveriesQuery,
  };
  it('refuse a parameter they do not take (a typo would otherwise list everything unfiltered)', () => {
    for (const [name, schema] of Object.entries(lists)) {
      expect(issues(schema, { limit: '5', stauts: 'DRAFT' }), name).toEqual([': Unrecognized key: "stauts"']);
      expect(issues(schema, { limit: '5' }), name).toEqual([]);
    }
  });

  it('answer an empty or overlong cursor as any other cursor they did not issue', () => {
    for (const [name, schema] of Object.entries(lists)) {
      for (const cursor of ['', 'x'.repeat(501)]) {
        expect(issues(schema, { cursor }), name).toEqual(['cursor: invalid cursor']);
      }
    }
  });

  it('say what a search takes', () => {
    expect(issues(listProjectsQuery, { q: '  ' })).toEqual(['q: must not be empty']);
    expect(issues(listTemplatesQuery, { q: 'a'.repeat(101) })).toEqual(['q: must be at most 100 characters']);
  });
});

describe('usage month', () => {
  it('refuses a month after the current one (UTC), which has no usage yet', () => {
    const now = new Date();
    const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 7);
    expect(issues(usageQuery, { month: next })).toEqual(['month: must not be after the current month (UTC)']);
    expect(issues(usageQuery, { month: '9999-12' })).toHaveLength(1);
    expect(issues(usageQuery, { month: now.toISOString().slice(0, 7) })).toEqual([]);
    expect(issues(usageQuery, { month: '2000-01' })).toEqual([]);
  });

  it('names only the form of a month that is not YYYY-MM, not a range it was never in', () => {
    for (const month of ['2026-13', '26-11', '', '2026-11Z', '１９９９-01']) {
      expect(issues(usageQuery, { month }), month).toEqual(['month: must be a month as YYYY-MM']);
    }
  });
});
