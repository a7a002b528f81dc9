import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { sql } from 'drizzle-orm';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tablesWithUserId } from '#shared/account/owned-rows.ts';
import { auditPseudonym } from '#shared/account/pseudonym.ts';
import { rawRows } from '#shared/db/sql.ts';
import { hlsLadder } from '#shared/media/settings.ts';
import { normalizedMultiplier, PRICE_TABLE } from '#shared/usage/prices.ts';
import { generateClip, submit, waitForJob } from '#test/support/jobs.ts';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi({ pollMs: 50 });
});
afterAll(async () => {
  await api?.stop();
});

const documents = () => DynamoDBDocumentClient.from(api.env.dynamo.client);

it('reports the month’s usage and estimated cost from the jobs it ran', async () => {
  const user = await api.newUser();
  const project = (await api.call('POST', '/v1/projects', { token: user.token, body: { title: 'u' } })).body;
  const clip = await generateClip(api, user.token, project.id, { durationSeconds: 1, resolution: '640x360' });
  const cancelled = await submit(api, user.token, project.id, {
    jobType: 'GENERATE',
    prompt: 'to cancel',
    parameters: { model: 'local', durationSeconds: 1 },
  });
  expect((await api.call('POST', `/v1/jobs/${cancelled.body.id}/cancel`, { token: user.token })).status).toBe(
    200,
  );
  await waitForJob(api, user.token, cancelled.body.id);

  const month = new Date().toISOString().slice(0, 7);
  const res = await api.call('GET', `/v1/me/usage?month=${month}`, { token: user.token });
  expect(res.status, res.text).toBe(200);
  const me = (await api.call('GET', '/v1/me', { token: user.token })).body;
  const u = res.body;
  expect(u.month).toBe(month);
  expect(u.jobs).toEqual({ completed: 1, failed: 0, cancelled: 1 });
  expect(u.generatedSeconds.byModel.local).toBeCloseTo(clip.duration, 3);
  expect(u.transcodedMinutes).toBeCloseTo(clip.duration / 60, 4);
  expect(u.storageBytes).toBe(me.storageUsed);
  // Held for the moments since the clip was registered: S3's GB (2^30 bytes) over the whole month's hours.
  const [year, index] = month.split('-').map(Number) as [number, number];
  const monthHours = new Date(Date.UTC(year, index, 0)).getUTCDate() * 24;
  expect(u.storageByteHours).toBeGreaterThan(0);
  expect(u.storageGbMonths).toBeCloseTo(u.storageByteHours / 1024 ** 3 / monthHours, 9);
  // The same price table, applied by hand to what the test ran.
  const [w, h] = (clip.resolution as string).split('x').map(Number) as [number, number];
  const outputs =
    normalizedMultiplier(w, h) +
    (clip.system.hasHls
      ? hlsLadder(w, h).reduce((s, r) => s + normalizedMultiplier(r.width, r.height), 0)
      : 0);
  const expected = {
    bedrock: 0, // the local stand-in has no price
    mediaConvert: (clip.duration / 60) * outputs * PRICE_TABLE.mediaConvertPerNormalizedMinuteUsd,
    stepFunctions: 2 * PRICE_TABLE.transitionsPerJob.GENERATE * PRICE_TABLE.stepFunctionsPerTransitionUsd,
    lambda:
      2 *
      PRICE_TABLE.lambdaInvocationsPerJob.GENERATE *
      (PRICE_TABLE.lambdaPerRequestUsd +
        PRICE_TABLE.lambdaGbSecondsPerInvocation * PRICE_TABLE.lambdaPerGbSecondUsd),
    s3Storage: u.storageGbMonths * PRICE_TABLE.s3PerGbMonthUsd,
  };
  for (const [name, value] of Object.entries(expected)) {
    expect(u.estimatedCostUsd[name], name).toBeCloseTo(value, 6);
  }
  expect(u.estimatedCostUsd.total).toBeCloseTo(
    Object.values(expected).reduce((a, b) => a + b, 0),
    5,
  );
  expect(u.priceTable).toMatchObject({ asOf: PRICE_TABLE.asOf, region: 'us-west-2' });

  const empty = await api.call('GET', '/v1/me/usage?month=2001-02', { token: user.token });
  expect(empty.body.jobs).toEqual({ completed: 0, failed: 0, cancelled: 0 });
  // The account did not exist then, so it stored nothing.
  expect(empty.body).toMatchObject({ storageBytes: 0, storageByteHours: 0, storageGbMonths: 0 });
  const bad = await api.call('GET', '/v1/me/usage?month=2026-13', { token: user.token });
  expect(bad.status).toBe(400);
  expect(bad.body.errors[0].path).toBe('query.month');
});

it('exports every row the user owns and a manifest of their media as a zip behind a signed link', async () => {
  const user = await api.newUser();
  const other = await api.newUser();
  const project = (
    await api.call('POST', '/v1/projects', { token: user.token, body: { title: 'export me' } })
  ).body;
  const clip = await generateClip(api, user.token, project.id, { durationSeconds: 1 });
  await api.call('POST', '/v1/templates', {
    token: user.token,
    body: { name: 'mine', category: 'general', prompt: 'p', isPublic: true },
  });
  await api.call('POST', '/v1/api-keys', { token: user.token, body: { name: 'k', scopes: ['read'] } });

  const started = await api.call('POST', '/v1/me/export', { token: user.token });
  expect(started.status, started.text).toBe(202);
  expect(started.headers.get('location')).toBe(`/v1/me/exports/${started.body.exportId}`);
  await api.env.idle();
  const status = await api.call('GET', `/v1/me/exports/${started.body.exportId}`, { token: user.token });
  expect(status.body).toMatchObject({ status: 'COMPLETED' });
  expect(Date.parse(status.body.expiresAt) - Date.now()).toBeGreaterThan(23 * 3_600_000);
  // Someone else's export reads as not found.
  expect(
    (await api.call('GET', `/v1/me/exports/${started.body.exportId}`, { token: other.token })).status,
  ).toBe(404);

  const zip = new Uint8Array(await (await fetch(status.body.downloadUrl)).arrayBuffer());
  expect(zip.length).toBe(status.body.sizeBytes);
  const files = Object.fromEntries(
    Object.entries(unzipSync(zip)).map(([name, bytes]) => [name, JSON.parse(strFromU8(bytes))]),
  );
  expect(files['users.json']).toEqual([expect.objectContaining({ id: user.userId })]);
  expect(files['users.json'][0]).not.toHaveProperty('password_hash');
  expect(files['video_projects.json']).toEqual([expect.objectContaining({ id: project.id })]);
  expect(files['video_clips.json']).toEqual([expect.objectContaining({ id: clip.id })]);
  expect(files['generation_jobs.json']).toHaveLength(1);
  expect(files['templates.json']).toEqual([expect.objectContaining({ name: 'mine' })]);
  expect(files['api_keys.json']).toHaveLength(1);
  expect(files['api_keys.json'][0]).not.toHaveProperty('key_hash');
  // Every table with a user_id has its file.
  for (const table of await tablesWithUserId(api.env.db.db)) expect(files).toHaveProperty([`${table}.json`]);
  const objects = await api.env.ctx.store.list(`users/${user.userId}/`);
  expect(objects.length).toBeGreaterThan(3);
  expect(files['media-manifest.json'].objects).toEqual(
    expect.arrayContaining(objects.map((o) => ({ key: o.key, sizeBytes: o.size }))),
  );
  expect(JSON.stringify(files)).not.toContain(other.userId);
});

it('erases the account: jobs stopped, no row, object or record of the user left, sign-in gone, audit kept under a pseudonym', async () => {
  const user = await api.newUser();
  const project = (await api.call('POST', '/v1/projects', { token: user.token, body: { title: 'gone' } }))
    .body;
  await generateClip(api, user.token, project.id, { durationSeconds: 1 });
  await api.call('POST', '/v1/templates', {
    token: user.token,
    body: { name: 'public one', category: 'general', prompt: 'p', isPublic: true },
  });
  const key = (
    await api.call('POST', '/v1/api-keys', { token: user.token, body: { name: 'k', scopes: ['read'] } })
  ).body;
  await api.call('POST', '/v1/me/export', { token: user.token });
  await api.env.idle();
  const upload = await api.call('POST', `/v1/projects/${project.id}/uploads`, {
    token: user.token,
    headers: { 'idempotency-key': 'erase-test-upload' },
    body: { fileName: 'a.mp4', contentType: 'video/mp4', fileSize: 1000 },
  });
  expect(upload.status, upload.text).toBe(201);
  // Submitted with an Idempotency-Key: its stored response (the job, prompt included) is the user's too.
  const running = await api.call('POST', `/v1/projects/${project.id}/jobs`, {
    token: user.token,
    headers: { 'idempotency-key': 'erase-test-job' },
    body: {
      jobType: 'GENERATE',
      prompt: 'still running, a private prompt',
      parameters: { model: 'local', durationSeconds: 6 },
    },
  });
  expect(running.status).toBe(202);

  // A key may not erase; a wrong password may not either.
  expect((await api.call('DELETE', '/v1/me', { token: key.key })).status).toBe(403);
  const wrong = await api.call('DELETE', '/v1/me', { token: user.token, body: { password: 'Wrong123x' } });
  expect(wrong.status).toBe(403);
  const erased = await api.call('DELETE', '/v1/me', { token: user.token, body: { password: user.password } });
  expect(erased.status, erased.text).toBe(202);
  await api.env.idle();
  // Lines still queued when the erasure ran are stored now: the writer must move them too.
  await api.env.flushAudit();

  const db = api.env.db.db;
  const tables = await tablesWithUserId(db);
  expect(tables).toEqual(
    expect.arrayContaining(['api_keys', 'video_projects', 'generation_jobs', 'job_usage', 'storage_months']),
  );
  for (const table of tables) {
    const [row] = await rawRows<{ n: number }>(
      db,
      sql`SELECT count(*)::int AS n FROM ${sql.identifier(table)} WHERE user_id = ${user.userId}::uuid`,
    );
    expect(row?.n, table).toBe(0);
  }
  const [left] = await rawRows<{ users: number; templates: number }>(
    db,
    sql`SELECT (SELECT count(*) FROM users WHERE id = ${user.userId}::uuid)::int AS users,
               (SELECT count(*) FROM templates WHERE created_by = ${user.userId}::uuid)::int AS templates`,
  );
  expect(left).toEqual({ users: 0, templates: 0 });
  const store = api.env.ctx.store;
  for (const prefix of ['users', 'uploads', 'work', 'exports']) {
    expect(await store.list(`${prefix}/${user.userId}/`), prefix).toEqual([]);
  }
  const audit = await documents().send(
    new QueryCommand({
      TableName: api.env.dynamo.tables.audit,
      KeyConditionExpression: 'userId = :u',
      ExpressionAttributeValues: { ':u': user.userId },
    }),
  );
  expect(audit.Items).toEqual([]);
  const pseudonym = auditPseudonym(await api.env.ctx.pseudonymKey(), user.userId);
  const kept = await documents().send(
    new QueryCommand({
      TableName: api.env.dynamo.tables.audit,
      KeyConditionExpression: 'userId = :u',
      ExpressionAttributeValues: { ':u': pseudonym },
    }),
  );
  expect(kept.Items?.map((e) => e.action)).toEqual(expect.arrayContaining(['project.create', 'user.erase']));
  const idempotency = await documents().send(
    new ScanCommand({ TableName: api.env.dynamo.tables.idempotency }),
  );
  expect(JSON.stringify(idempotency.Items ?? [])).not.toContain(user.userId);
  expect(JSON.stringify(idempotency.Items ?? [])).not.toContain(running.body.id);
  expect(JSON.stringify(idempotency.Items ?? [])).not.toContain('a private prompt');

  const login = await api.call('POST', '/v1/auth/login', {
    body: { email: user.email, password: user.password },
  });
  expect(login.status).toBe(401);
  expect((await api.call('GET', '/v1/me', { token: user.token })).status).toBe(401);
  expect((await api.call('GET', '/v1/projects', { token: user.token })).status).toBe(401);
  expect((await api.call('GET', '/v1/projects', { token: key.key })).status).toBe(401);
});
