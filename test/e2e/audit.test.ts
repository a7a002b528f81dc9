/**
 * Audit entries as `npm start` stores them: a log line per request, handed off the request path to the
 * audit writer, so the entry reaches the table shortly after the answer; entries still on their way when
 * the account is erased end under the pseudonym; a stop stores what is still queued.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { auditPseudonym } from '#shared/account/pseudonym.ts';
import { auditItems, waitForAudit } from '#test/support/audit.ts';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(async () => {
  await api?.stop();
});

it('stores a request’s audit entry shortly after the answer, with typed fields only', async () => {
  const user = await api.newUser();
  const created = await api.call('POST', '/v1/projects', {
    token: user.token,
    body: { title: 'audited', description: 'a body field that has no place in the audit entry' },
  });
  expect(created.status, created.text).toBe(201);
  const correlationId = created.headers.get('x-correlation-id');
  const [item] = (
    await waitForAudit(api, user.userId, (items) => items.some((i) => i.correlationId === correlationId))
  ).filter((i) => i.correlationId === correlationId);
  expect(item).toEqual({
    userId: user.userId,
    sk: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z#[0-9a-f-]{36}$/),
    action: 'project.create',
    resourceType: 'project',
    resourceIds: [created.body.id],
    outcome: 'success',
    status: 201,
    correlationId,
    at: expect.any(String),
    expiresAt: expect.any(Number),
  });
});

it('audits reading the event streams: who opened which stream, and who was refused', async () => {
  const owner = await api.newUser();
  const intruder = await api.newUser();
  const project = (
    await api.call('POST', '/v1/projects', { token: owner.token, body: { title: 'streamed' } })
  ).body as { id: string };
  const job = await api.env.ctx.jobs.create({
    userId: owner.userId,
    projectId: project.id,
    jobType: 'GENERATE',
    prompt: 'a fox',
    parameters: { model: 'local' },
    concurrentLimit: 10,
  });
  const controller = new AbortController();
  const res = await fetch(`${api.url}/v1/jobs/${job.id}/events`, {
    headers: { authorization: `Bearer ${owner.token}` },
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  const correlationId = res.headers.get('x-correlation-id');
  controller.abort();
  const account = new AbortController();
  const all = await fetch(`${api.url}/v1/events?projectId=${project.id}`, {
    headers: { authorization: `Bearer ${owner.token}` },
    signal: account.signal,
  });
  expect(all.status).toBe(200);
  account.abort();
  const refused = await api.call('GET', `/v1/jobs/${job.id}/events`, { token: intruder.token });
  expect(refused.status).toBe(404);

  const mine = await waitForAudit(api, owner.userId, (items) =>
    ['job.events', 'event.stream'].every((a) => items.some((i) => i.action === a)),
  );
  expect(mine.find((i) => i.action === 'job.events')).toMatchObject({
    resourceType: 'job',
    resourceIds: [job.id],
    outcome: 'success',
    status: 200,
    correlationId,
  });
  expect(mine.find((i) => i.action === 'event.stream')).toMatchObject({
    resourceType: 'event',
    resourceIds: [project.id],
    outcome: 'success',
  });
  const theirs = await waitForAudit(api, intruder.userId, (items) =>
    items.some((i) => i.action === 'job.events'),
  );
  expect(theirs.find((i) => i.action === 'job.events')).toMatchObject({
    resourceIds: [job.id],
    outcome: 'not-found',
    status: 404,
  });
});

it('moves entries still on their way when the account was erased under the pseudonym', async () => {
  // Lines wait until flushed, so every entry below is in flight while the erasure runs.
  const held = await startLocalApi({ auditBatchWindowMs: 3_600_000 });
  try {
    const user = await held.newUser();
    await held.call('POST', '/v1/projects', { token: user.token, body: { title: 'in flight' } });
    await held.call('GET', '/v1/me', { token: user.token });
    const erased = await held.call('DELETE', '/v1/me', {
      token: user.token,
      body: { password: user.password },
    });
    expect(erased.status, erased.text).toBe(202);
    await held.env.idle();
    expect(await auditItems(held, user.userId)).toEqual([]);

    await held.env.flushAudit();
    expect(await auditItems(held, user.userId)).toEqual([]);
    const kept = await auditItems(held, auditPseudonym(await held.env.ctx.pseudonymKey(), user.userId));
    expect(kept.map((i) => i.action)).toEqual(
      expect.arrayContaining(['auth.signup', 'project.create', 'user.read', 'user.erase']),
    );
    expect(JSON.stringify(kept)).not.toContain(user.userId);
    // Nor does any entry without a user name it.
    expect(JSON.stringify(await auditItems(held, 'anonymous'))).not.toContain(user.userId);
  } finally {
    await held.stop();
  }
});

it('stores the queued entries when the server stops', async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'audit-stop-'));
  try {
    const first = await startLocalApi({ dataDir, auditBatchWindowMs: 3_600_000 });
    const user = await first.newUser();
    await first.call('GET', '/v1/me', { token: user.token });
    expect(await auditItems(first, user.userId)).toEqual([]);
    await first.stop();

    const second = await startLocalApi({ dataDir });
    try {
      const actions = (await auditItems(second, user.userId)).map((i) => i.action);
      expect(actions).toEqual(expect.arrayContaining(['user.read']));
    } finally {
      await second.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
