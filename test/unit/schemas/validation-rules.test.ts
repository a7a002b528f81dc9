import { describe, expect, it } from 'vitest';
import { safeParse } from 'zod/mini';
import type { $ZodType } from 'zod/v4/core';
import { newClip, uploadBody } from '#shared/clips/schema.ts';
import { createJobBody, editParameters, generateParameters, progress } from '#shared/jobs/schema.ts';
import { createProjectBody, listProjectsQuery, updateProjectBody } from '#shared/projects/schema.ts';
import { createTemplateBody, renderPrompt } from '#shared/templates/schema.ts';
import { email, password, signUpBody, username } from '#shared/users/schema.ts';

const ok = (schema: $ZodType, value: unknown) =>
  expect(safeParse(schema, value).success, JSON.stringify(value)).toBe(true);
const bad = (schema: $ZodType, value: unknown) =>
  expect(safeParse(schema, value).success, JSON.stringify(value)).toBe(false);
const text = (n: number) => 'a'.repeat(n);

describe('user rules', () => {
  it('accepts valid emails (normalised) and rejects malformed ones', () => {
    expect(email.parse('  Ann@Example.COM ')).toBe('ann@example.com');
    for (const e of ['', 'ann', 'ann@', '@example.com', 'a b@example.com']) bad(email, e);
  });

  it('says in words that an email is too long (254 characters at most)', () => {
    const long = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
    expect(long).toHaveLength(254);
    ok(email, long);
    const parsed = safeParse(email, `a${long}`);
    expect(parsed.success ? [] : parsed.error.issues.map((i) => i.message)).toEqual([
      'must be at most 254 characters',
    ]);
  });

  it('takes usernames of 3–30 letters, digits and underscores', () => {
    ok(username, 'abc');
    ok(username, text(30));
    ok(username, 'A_1');
    bad(username, 'ab');
    bad(username, text(31));
    for (const u of ['ab-c', 'a b c', 'émile', 'abc!']) bad(username, u);
  });

  it('needs passwords of at least 8 with upper, lower and a digit', () => {
    ok(password, 'Abcdefg1');
    bad(password, 'Abcdef1');
    bad(password, 'abcdefg1');
    bad(password, 'ABCDEFG1');
    bad(password, 'Abcdefgh');
    bad(signUpBody, { email: 'a@b.co', username: 'abc' });
  });

  it('refuses passwords Cognito rejects as parameters: a leading or trailing space, a line break', () => {
    ok(password, 'Abc def 1');
    for (const p of [' Abcdefg1', 'Abcdefg1 ', 'Abcdefg1\t', 'Abcd\nefg1']) bad(password, p);
  });
});

describe('project rules', () => {
  it('takes titles of 1–100 characters and descriptions up to 1000', () => {
    ok(createProjectBody, { title: 'a' });
    ok(createProjectBody, { title: text(100), description: text(1000) });
    bad(createProjectBody, { title: '' });
    bad(createProjectBody, { title: '   ' });
    bad(createProjectBody, { title: text(101) });
    bad(createProjectBody, { title: 'a', description: text(1001) });
    bad(createProjectBody, { title: 'a', unknown: 1 });
  });

  it('validates statuses and refuses an empty patch', () => {
    ok(updateProjectBody, { status: 'COMPLETED' });
    bad(updateProjectBody, { status: 'DONE' });
    bad(updateProjectBody, {});
    expect(listProjectsQuery.parse({}).limit).toBe(20);
    ok(listProjectsQuery, { limit: '1' });
    ok(listProjectsQuery, { limit: '100' });
    bad(listProjectsQuery, { limit: '0' });
    bad(listProjectsQuery, { limit: '101' });
    bad(listProjectsQuery, { limit: 'ten' });
  });
});

describe('clip rules', () => {
  const clip = { title: 'c', duration: 1, fileSize: 10, resolution: '1280x720', format: 'mp4' };
  it('needs a positive duration and a supported resolution', () => {
    ok(newClip, clip);
    ok(newClip, { ...clip, duration: 0.001 });
    bad(newClip, { ...clip, duration: 0 });
    bad(newClip, { ...clip, duration: -1 });
    bad(newClip, { ...clip, resolution: '1281x720' });
    ok(newClip, { ...clip, resolution: '1080x1920' });
    bad(newClip, { ...clip, title: text(101) });
    bad(newClip, { ...clip, format: 'gif' });
  });

  it('checks upload requests', () => {
    ok(uploadBody, { fileName: 'a.mp4', contentType: 'video/mp4', fileSize: 1 });
    bad(uploadBody, { fileName: '../a.mp4', contentType: 'video/mp4', fileSize: 1 });
    bad(uploadBody, { fileName: 'a.mp4', contentType: 'image/png', fileSize: 1 });
    bad(uploadBody, { fileName: 'a.mp4', contentType: 'video/mp4', fileSize: 0 });
  });
});

describe('job rules', () => {
  it('takes prompts of 1–2000 characters, or a template instead', () => {
    ok(createJobBody, { jobType: 'GENERATE', prompt: 'a' });
    ok(createJobBody, { jobType: 'GENERATE', prompt: text(2000) });
    bad(createJobBody, { jobType: 'GENERATE', prompt: text(2001) });
    bad(createJobBody, { jobType: 'GENERATE', prompt: '' });
    bad(createJobBody, { jobType: 'GENERATE' });
    ok(createJobBody, { jobType: 'GENERATE', templateId: '7d0c7b5e-1c8e-4a53-9d1e-0d0c7b5e1c8e' });
    bad(createJobBody, { jobType: 'RENDER', prompt: 'a' });
  });

  it('keeps progress within 0–100', () => {
    ok(progress, 0);
    ok(progress, 100);
    bad(progress, -1);
    bad(progress, 101);
    bad(progress, 50.5);
  });

  it('checks per-type parameters', () => {
    ok(generateParameters, { model: 'nova-reel', durationSeconds: 6, resolution: '1280x720' });
    bad(generateParameters, { model: 'sora' });
    ok(editParameters, { clips: [{ clipId: '7d0c7b5e-1c8e-4a53-9d1e-0d0c7b5e1c8e', start: 1, end: 2 }] });
    bad(editParameters, { clips: [{ clipId: '7d0c7b5e-1c8e-4a53-9d1e-0d0c7b5e1c8e', start: 2, end: 1 }] });
    bad(editParameters, { clips: [] });
  });
});

describe('template rules', () => {
  const tpl = { name: 'n', category: 'general', prompt: 'p' };
  it('takes names of 1–100 and categories from the list', () => {
    ok(createTemplateBody, tpl);
    ok(createTemplateBody, { ...tpl, name: text(100), description: text(1000) });
    bad(createTemplateBody, { ...tpl, name: '' });
    bad(createTemplateBody, { ...tpl, name: text(101) });
    bad(createTemplateBody, { ...tpl, description: text(1001) });
    bad(createTemplateBody, { ...tpl, category: 'horror' });
  });

  it('fills placeholders and names the missing ones', () => {
    expect(renderPrompt('a {{animal}} in {{ place }}', { animal: 'cat', place: 'Rome' })).toEqual({
      text: 'a cat in Rome',
      missing: [],
    });
    expect(renderPrompt('a {{animal}} in {{place}}', { animal: 'cat' }).missing).toEqual(['place']);
  });
});
