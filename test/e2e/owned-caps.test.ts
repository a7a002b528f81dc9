/**
 * What one account may hold, through the local API: projects and templates up to a cap (409 past it, a
 * deletion frees a place), uploads in progress up to a cap (429 with Retry-After), job submissions and new
 * uploads once a minute's jobs are at the tier's rate (429 with Retry-After; an Idempotency-Key replay is
 * neither counted nor refused), and bad tokens on the event stream counted like bad API keys (429 once the
 * address's budget is spent).
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rawRows } from '#shared/db/sql.ts';
import { users } from '#shared/db/tables.ts';
import { MAX_PROJECTS } from '#shared/projects/repository.ts';
import { MAX_TEMPLATES } from '#shared/templates/repository.ts';
import { MAX_UPLOADS_IN_PROGRESS } from '#shared/uploads/reservations.ts';
import { tierLimits } from '#shared/users/tiers.ts';
import { type ApiResponse, type LocalApi, startLocalApi } from '#test/support/local-api.ts';

const KEY_FAILURES = 5;
let api: LocalApi;
beforeAll(async () => {
  // The key-failure budget counts in fixed windows; one of ~32 years (it ends in 2033) keeps the test inside one.
  api = await startLocalApi({
    rateLimits: { apiKeyFailuresPerAddress: KEY_FAILURES, loginWindowSeconds: 1_000_000_000 },
  });
});
afterAll(async () => {
  await api?.stop();
});

function expectProblem(res: ApiResponse, status: number, detail: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.body.detail).toContain(detail);
}

it('refuses a project past MAX_PROJECTS with 409 saying to delete one, and a deleted project frees its place', async () => {
  const user = await api.newUser();
  // All but one inserted directly (the trigger counts them as the API's creations are counted).
  await api.env.db.db.execute(sql`
    INSERT INTO video_projects (user_id, title)
    SELECT ${user.userId}::uuid, 'p' || n FROM generate_series(1, ${MAX_PROJECTS - 1}::int) n`);
  const create = () => api.call('POST', '/v1/projects', { token: user.token, body: { title: 'one more' } });
  const last = await create();
  expect(last.status, last.text).toBe(201);
  expectProblem(await create(), 409, `You already have ${MAX_PROJECTS} projects`);
  expect((await create()).body.detail).toContain('delete one you no longer need first');
  expect((await api.call('DELETE', `/v1/projects/${last.body.id}`, { token: user.token })).status).toBe(204);
  expect((await create()).status).toBe(201);
  // Another account's projects are its own.
  const other = await api.newUser();
  expect((await api.call('POST', '/v1/projects', { token: other.token, body: { title: 'x' } })).status).toBe(
    201,
  );
});

it('refuses a template past MAX_TEMPLATES with 409, and a deleted template frees its place', async () => {
  const user = await api.newUser();
  await api.env.db.db.execute(sql`
    INSERT INTO templates (created_by, name, category, prompt)
    SELECT ${user.userId}::uuid, 't' || n, 'general', 'a fox' FROM generate_series(1, ${MAX_TEMPLATES - 1}::int) n`);
  const create = (name: string) =>
    api.call('POST', '/v1/templates', {
      token: user.token,
      body: { name, category: 'general', prompt: 'a fox in {{place}}' },
    });
  const last = await create('last');
  expect(last.status, last.text).toBe(201);
  expectProblem(await create('over'), 409, `You already have ${MAX_TEMPLATES} templates`);
  expect((await api.call('DELETE', `/v1/templates/${last.body.id}`, { token: user.token })).status).toBe(204);
  expect((await create('again')).status).toBe(201);
});

it('refuses an upload past MAX_UPLOADS_IN_PROGRESS with 429 and Retry-After, until one ends', async () => {
  const user = await api.newUser();
  const project = await api.call('POST', '/v1/projects', { token: user.token, body: { title: 'uploads' } });
  const presign = () =>
    api.call('POST', `/v1/projects/${project.body.id}/uploads`, {
      token: user.token,
      body: { fileName: 'clip.mp4', contentType: 'video/mp4', fileSize: 1000 },
    });
  const granted: ApiResponse[] = [];
  for (let i = 0; i < MAX_UPLOADS_IN_PROGRESS; i += 10) {
    granted.push(...(await Promise.all(Array.from({ length: 10 }, presign))));
  }
  expect(granted.map((g) => g.status)).toEqual(granted.map(() => 201));
  const refused = await presign();
  expectProblem(refused, 429, `You already have ${MAX_UPLOADS_IN_PROGRESS} uploads in progress`);
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  // Nothing was reserved for the refused request.
  const [held] = await api.env.db.db
    .select({ reserved: users.storageReserved, uploads: users.uploadCount })
    .from(users)
    .where(eq(users.id, user.userId));
  expect(held).toEqual({ reserved: 1000 * MAX_UPLOADS_IN_PROGRESS, uploads: MAX_UPLOADS_IN_PROGRESS });
  // An upload that lapses (here: its expiry moved to now) frees its place for the next request.
  await api.env.db.db.execute(sql`
    UPDATE upload_reservations SET expires_at = now() WHERE id = ${granted[0]?.body.uploadId}::uuid`);
  expect((await presign()).status).toBe(201);
  expect((await presign()).status).toBe(429);
});

it('refuses a job past the tier’s jobsPerMinute with 429 and Retry-After, cancelled jobs counted; an Idempotency-Key replay is neither counted nor refused', async () => {
  const user = await api.newUser();
  const perMinute = tierLimits('FREE').jobsPerMinute;
  const project = await api.call('POST', '/v1/projects', { token: user.token, body: { title: 'jobs' } });
  const body = { jobType: 'GENERATE', prompt: 'a fox', parameters: { model: 'local' } };
  const submit = (headers: Record<string, string> = {}) =>
    api.call('POST', `/v1/projects/${project.body.id}/jobs`, { token: user.token, body, headers });
  const cancel = (id: string) => api.call('POST', `/v1/jobs/${id}/cancel`, { token: user.token });
  const keyed = { 'idempotency-key': 'rate-limit-replay-1' };
  const first = await submit(keyed);
  expect(first.status, first.text).toBe(202);
  expect((await cancel(first.body.id)).status).toBe(200);
  // All but the last of the minute's allowance made directly, as cancelled jobs (a submit-and-cancel loop).
  await api.env.db.db.execute(sql`
    INSERT INTO generation_jobs (project_id, user_id, job_type, prompt, status, error_message, completed_at)
    SELECT ${project.body.id}::uuid, ${user.userId}::uuid, 'GENERATE', 'a fox', 'FAILED', 'Cancelled by user.', now()
    FROM generate_series(1, ${perMinute - 2}::int)`);
  const last = await submit();
  expect(last.status, last.text).toBe(202);
  expect((await cancel(last.body.id)).status).toBe(200);

  const refused = await submit();
  expectProblem(
    refused,
    429,
    `You submitted ${perMinute} jobs in the last minute, the most your tier allows`,
  );
  const retryAfter = Number(refused.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(refused.body.detail).toContain(`submit the next one in ${retryAfter} s`);
  // An upload becomes a job: a new one is refused too, until a place frees.
  const upload = await api.call('POST', `/v1/projects/${project.body.id}/uploads`, {
    token: user.token,
    body: { fileName: 'clip.mp4', contentType: 'video/mp4', fileSize: 1000 },
  });
  expectProblem(upload, 429, 'request the next upload in');
  expect(Number(upload.headers.get('retry-after'))).toBeGreaterThan(0);
  // The first submission replayed: its stored answer, not a new job, and not refused.
  const replay = await submit(keyed);
  expect(replay.status, replay.text).toBe(202);
  expect(replay.body.id).toBe(first.body.id);
  const [jobs] = await rawRows<{ n: number }>(
    api.env.db.db,
    sql`SELECT count(*)::int AS n FROM generation_jobs WHERE user_id = ${user.userId}::uuid`,
  );
  expect(jobs?.n).toBe(perMinute);
  // Once a job of the window is older than a minute, a place is free.
  await api.env.db.db.execute(sql`
    UPDATE generation_jobs SET created_at = now() - interval '61 seconds'
    WHERE id = (SELECT id FROM generation_jobs WHERE user_id = ${user.userId}::uuid ORDER BY created_at LIMIT 1)`);
  const again = await submit();
  expect(again.status, again.text).toBe(202);
  expect((await cancel(again.body.id)).status).toBe(200);
});

it('documents the caps’ problems in the OpenAPI document', async () => {
  const doc = (await api.call('GET', '/v1/openapi.json')).body;
  expect(Object.keys(doc.paths['/v1/projects'].post.responses)).toContain('409');
  expect(Object.keys(doc.paths['/v1/templates'].post.responses)).toContain('409');
  expect(Object.keys(doc.paths['/v1/projects/{projectId}/uploads'].post.responses)).toContain('429');
  expect(Object.keys(doc.paths['/v1/projects/{projectId}/jobs'].post.responses)).toContain('429');
});

it('counts bad tokens on the event stream like bad API keys: 429 with Retry-After once the budget is spent', async () => {
  const user = await api.newUser();
  const stream = (authorization?: string) =>
    api.call('GET', '/v1/events', authorization ? { headers: { authorization } } : {});
  const statuses: number[] = [];
  const attempts = [
    'Bearer not-a-token',
    undefined,
    `Bearer ${user.token.slice(0, -4)}AAAA`,
    `Bearer avk_${'x'.repeat(43)}`,
    'Bearer eyJhbGciOiJub25lIn0.e30.',
    'Bearer still-not-a-token',
    'Bearer and-again',
  ];
  let last: ApiResponse | undefined;
  for (const authorization of attempts) {
    last = await stream(authorization);
    statuses.push(last.status);
  }
  // Tokens and keys share the address's budget of KEY_FAILURES; every attempt past it is refused.
  expect(statuses).toEqual([
    ...Array(KEY_FAILURES).fill(401),
    ...Array(attempts.length - KEY_FAILURES).fill(429),
  ]);
  expectProblem(last as ApiResponse, 429, 'wait before trying again');
  expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
  // A good token is not a failure: the stream still opens for it from the same address.
  const controller = new AbortController();
  const good = await fetch(`${api.url}/v1/events`, {
    headers: { authorization: `Bearer ${user.token}` },
    signal: controller.signal,
  });
  expect(good.status).toBe(200);
  controller.abort();
});
