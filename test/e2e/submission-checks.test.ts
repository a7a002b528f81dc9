/**
 * What only the service can check is refused at submission as the schemas' rules are, naming the field: a
 * trim that its clip's end cuts below 0.1 s, a template's prompt once its variables are filled in. What
 * only the probe can tell (the file is shorter than its record) fails the job with a message saying what
 * to change.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateClip, submit, waitForJob } from '#test/support/jobs.ts';
import { type ApiResponse, type LocalApi, startLocalApi } from '#test/support/local-api.ts';

let api: LocalApi;
let token: string;
let projectId: string;
let clip: { id: string; duration: number };

beforeAll(async () => {
  api = await startLocalApi({ pollMs: 100 });
  token = (await api.newUser()).token;
  projectId = (await api.call('POST', '/v1/projects', { token, body: { title: 'checks' } })).body.id;
  clip = await generateClip(api, token, projectId, { durationSeconds: 1, resolution: '640x360' });
});
afterAll(async () => {
  await api?.stop();
});

function expectProblem(res: ApiResponse, field: string, detail: RegExp) {
  expect(res.status, res.text).toBe(400);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(field);
  expect(res.body.detail).toMatch(detail);
}

const edit = (trim: { start?: number; end?: number }) =>
  submit(api, token, projectId, {
    jobType: 'EDIT',
    prompt: 'cut',
    parameters: { clips: [{ clipId: clip.id, ...trim }] },
  });

it('refuses a trim that the clip’s end leaves under 0.1 s, naming its start', async () => {
  expect(clip.duration).toBeCloseTo(1, 1);
  const res = await edit({ start: clip.duration - 0.05 });
  expectProblem(res, 'body.parameters.clips.0.start', /less than 0\.1 s/);
  expect(res.body.errors[0].message).toMatch(/start at most 0\.1 s before its end/);
  expectProblem(
    await edit({ start: clip.duration - 0.05, end: 1e6 }),
    'body.parameters.clips.0.end',
    /not valid/,
  );
});

it('refuses a one-frame trim and an end of 1e308 before any job is made', async () => {
  expectProblem(await edit({ start: 0, end: 1e-10 }), 'body.parameters.clips.0.end', /not valid/);
  expectProblem(await edit({ start: 0, end: 1e308 }), 'body.parameters.clips.0.end', /not valid/);
  const jobs = await api.call('GET', `/v1/projects/${projectId}/jobs`, { token });
  expect(jobs.body.items.filter((j: { jobType: string }) => j.jobType === 'EDIT')).toEqual([]);
});

it('fails the job, saying what to change, when the file is shorter than its record and the trim keeps under 0.1 s', async () => {
  await api.env.db.db.execute(sql`update video_clips set duration = 5 where id = ${clip.id}`);
  try {
    const submitted = await edit({ start: 0.95, end: 5 });
    expect(submitted.status, submitted.text).toBe(202);
    const { job } = await waitForJob(api, token, submitted.body.id);
    expect(job.status).toBe('FAILED');
    expect(job.errorMessage).toMatch(
      /keeps less than 0\.1 s; start it at least 0\.1 s before the clip's end/,
    );
  } finally {
    await api.env.db.db.execute(
      sql`update video_clips set duration = ${clip.duration} where id = ${clip.id}`,
    );
  }
});

it('refuses FRAMEFORMER for a clip under the 128x96 MediaConvert converts, before any job is made', async () => {
  const enhance = (interpolation: string) =>
    submit(api, token, projectId, {
      jobType: 'ENHANCE',
      prompt: 'smooth',
      sourceClipIds: [clip.id],
      parameters: { fps: 60, interpolation },
    });
  const { resolution } = (await api.call('GET', `/v1/clips/${clip.id}`, { token })).body;
  await api.env.db.db.execute(sql`update video_clips set resolution = '120x90' where id = ${clip.id}`);
  try {
    const res = await enhance('FRAMEFORMER');
    expectProblem(res, 'body.parameters.interpolation', /at least 128x96; this clip is 120x90/);
    const jobs = await api.call('GET', `/v1/projects/${projectId}/jobs`, { token });
    expect(jobs.body.items.filter((j: { jobType: string }) => j.jobType === 'ENHANCE')).toEqual([]);
  } finally {
    await api.env.db.db.execute(sql`update video_clips set resolution = ${resolution} where id = ${clip.id}`);
  }
});

it('checks a template’s prompt with its variables filled in, as a prompt given directly', async () => {
  const template = await api.call('POST', '/v1/templates', {
    token,
    body: { name: 'fill', category: 'general', prompt: '{{subject}}' },
  });
  expect(template.status, template.text).toBe(201);
  for (const subject of ['   ', 'a fox\u202e', '\u200b']) {
    expectProblem(
      await submit(api, token, projectId, {
        jobType: 'GENERATE',
        templateId: template.body.id,
        parameters: { model: 'local', variables: { subject } },
      }),
      'body.prompt',
      /filled in from the template/,
    );
  }
});

it('titles a clip with its prompt cut before a character, not through it', async () => {
  const submitted = await submit(api, token, projectId, {
    jobType: 'GENERATE',
    prompt: `${'a'.repeat(99)}\u{1F98A} in snow`,
    parameters: { model: 'local', durationSeconds: 1, resolution: '640x360' },
  });
  expect(submitted.status, submitted.text).toBe(202);
  const { job } = await waitForJob(api, token, submitted.body.id);
  expect(job.status, job.errorMessage).toBe('COMPLETED');
  const made = await api.call('GET', `/v1/clips/${job.clipId}`, { token });
  expect(made.body.title).toBe('a'.repeat(99));
});

it('refuses variables that fill nothing: without a template, or not among its placeholders', async () => {
  expectProblem(
    await submit(api, token, projectId, {
      jobType: 'GENERATE',
      prompt: 'a fox',
      parameters: { model: 'local', variables: { animal: 'owl' } },
    }),
    'body.parameters.variables',
    /give a templateId, or leave them out/,
  );
  const template = await api.call('POST', '/v1/templates', {
    token,
    body: { name: 'animal', category: 'general', prompt: 'a {{animal}} at dusk' },
  });
  const res = await submit(api, token, projectId, {
    jobType: 'GENERATE',
    templateId: template.body.id,
    parameters: { model: 'local', variables: { animal: 'owl', anmial: 'cat' } },
  });
  expectProblem(res, 'body.parameters.variables.anmial', /no placeholder for: anmial/);
  expect(res.body.errors[0].message).toBe('not a placeholder of the template (it has: animal)');
});

it('refuses usage for a month to come', async () => {
  const res = await api.call('GET', '/v1/me/usage?month=9999-12', { token });
  expect(res.status, res.text).toBe(400);
  expect(res.body.errors).toEqual([
    { path: 'query.month', message: 'must not be after the current month (UTC)' },
  ]);
});
