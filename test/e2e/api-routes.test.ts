import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(async () => {
  await api?.stop();
});

describe('every route through the local server', () => {
  it('accounts: sign up, confirm, log in, refresh, read and change me', async () => {
    const signUp = await api.call('POST', '/v1/auth/signup', {
      body: { email: 'Grace@Example.com', username: 'grace', password: 'Compiler1' },
    });
    expect(signUp.status).toBe(201);
    expect(signUp.body).toMatchObject({ email: 'grace@example.com', confirmed: true });
    expect(JSON.stringify(signUp.body)).not.toContain('Compiler1');
    const dup = await api.call('POST', '/v1/auth/signup', {
      body: { email: 'grace@example.com', username: 'grace2', password: 'Compiler1' },
    });
    // A taken email answers like a new account (no account enumeration); the row is not touched.
    expect(dup.status).toBe(201);
    expect(Object.keys(dup.body).sort()).toEqual(Object.keys(signUp.body).sort());
    expect(dup.body.userId).not.toBe(signUp.body.userId);

    expect(
      (await api.call('POST', '/v1/auth/confirm', { body: { email: 'grace@example.com', code: '123456' } }))
        .status,
    ).toBe(200);
    const wrong = await api.call('POST', '/v1/auth/login', {
      body: { email: 'grace@example.com', password: 'Nope12345' },
    });
    const unknown = await api.call('POST', '/v1/auth/login', {
      body: { email: 'nobody@example.com', password: 'Nope12345' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.detail).toBe(unknown.body.detail);

    const login = await api.call('POST', '/v1/auth/login', {
      body: { email: 'grace@example.com', password: 'Compiler1' },
    });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600 });
    const refreshed = await api.call('POST', '/v1/auth/refresh', {
      body: { refreshToken: login.body.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    expect(
      (await api.call('POST', '/v1/auth/refresh', { body: { refreshToken: login.body.accessToken } })).status,
    ).toBe(401);

    const token = refreshed.body.accessToken;
    const me = await api.call('GET', '/v1/me', { token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      email: 'grace@example.com',
      subscriptionTier: 'FREE',
      storageUsed: 0,
      storageLimit: 1024 ** 3,
    });
    expect(me.body).not.toHaveProperty('passwordHash');
    const etag = me.headers.get('etag');
    expect(etag).toBeTruthy();
    expect((await api.call('GET', '/v1/me', { token, headers: { 'if-none-match': etag! } })).status).toBe(
      304,
    );
    const renamed = await api.call('PATCH', '/v1/me', { token, body: { username: 'grace_h' } });
    expect(renamed.body.username).toBe('grace_h');
    expect((await api.call('GET', '/v1/me')).status).toBe(401);
    expect((await api.call('GET', '/v1/me', { token: 'not.a.token' })).status).toBe(401);
  });

  it('projects, clips, jobs and uploads', async () => {
    const { token, userId } = await api.newUser();
    const created = await api.call('POST', '/v1/projects', {
      token,
      body: { title: 'Trip', description: 'Alps' },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v1/projects/${created.body.id}`);
    const id = created.body.id as string;
    expect((await api.call('GET', `/v1/projects/${id}`, { token })).body.title).toBe('Trip');
    expect(
      (await api.call('PATCH', `/v1/projects/${id}`, { token, body: { title: 'Trip 2' } })).body.title,
    ).toBe('Trip 2');
    const list = await api.call('GET', '/v1/projects?limit=1&q=trip', { token });
    expect(list.body.items).toHaveLength(1);
    expect((await api.call('GET', '/v1/projects?limit=0', { token })).status).toBe(400);
    expect((await api.call('GET', '/v1/projects?cursor=zzz', { token })).status).toBe(400);

    // A clip as the pipeline registers it, then the clip routes.
    const clip = await api.env.ctx.clips.register({
      userId,
      projectId: id,
      title: 'shot',
      duration: 6,
      fileUrl: `users/${userId}/projects/${id}/clips/c/video.mp4`,
      fileSize: 1234,
      resolution: '1280x720',
      format: 'mp4',
    });
    const clips = await api.call('GET', `/v1/projects/${id}/clips`, { token });
    expect(clips.body.items.map((c: { id: string }) => c.id)).toEqual([clip.id]);
    const one = await api.call('GET', `/v1/clips/${clip.id}`, { token });
    expect(one.status).toBe(200);
    expect(one.body.media.videoUrl).toContain('X-Amz-Signature');
    expect(new Date(one.body.media.expiresAt).getTime()).toBeGreaterThan(Date.now());
    // Its links expire, so no cache may keep the body: a browser that kept it would revalidate with the
    // ETag, get 304 (the clip is unchanged) and hand the page links that expired meanwhile.
    expect(one.headers.get('cache-control')).toBe('no-store');
    const unchanged = await api.call('GET', `/v1/clips/${clip.id}`, {
      token,
      headers: { 'if-none-match': one.headers.get('etag')! },
    });
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get('cache-control')).toBe('no-store');
    expect(
      (await api.call('PATCH', `/v1/clips/${clip.id}`, { token, body: { title: 'better' } })).body.title,
    ).toBe('better');
    expect((await api.call('GET', '/v1/me', { token })).body.storageUsed).toBe(1234);

    const job = await api.call('POST', `/v1/projects/${id}/jobs`, {
      token,
      body: {
        jobType: 'GENERATE',
        prompt: 'a fox',
        parameters: { model: 'local', durationSeconds: 30, resolution: '1920x1080' },
      },
    });
    expect(job.status).toBe(202);
    expect(job.body).toMatchObject({ status: 'QUEUED', progress: 0 });
    expect(['QUEUED', 'PROCESSING']).toContain(
      (await api.call('GET', `/v1/jobs/${job.body.id}`, { token })).body.status,
    );
    expect(
      (await api.call('GET', `/v1/projects/${id}/jobs?jobType=GENERATE`, { token })).body.items,
    ).toHaveLength(1);
    const tooLong = await api.call('POST', `/v1/projects/${id}/jobs`, {
      token,
      body: { jobType: 'GENERATE', prompt: 'x', parameters: { model: 'local', durationSeconds: 60 } },
    });
    expect(tooLong.status).toBe(403);
    const badModel = await api.call('POST', `/v1/projects/${id}/jobs`, {
      token,
      body: { jobType: 'GENERATE', prompt: 'x', parameters: { model: 'local', durationSeconds: 0.5 } },
    });
    expect(badModel.status).toBe(400);
    expect(badModel.body.errors[0].path).toBe('body.parameters.durationSeconds');
    const cancelled = await api.call('POST', `/v1/jobs/${job.body.id}/cancel`, { token });
    expect(cancelled.body).toMatchObject({ status: 'FAILED', errorMessage: 'Cancelled by user.' });
    expect((await api.call('POST', `/v1/jobs/${job.body.id}/cancel`, { token })).status).toBe(409);

    const upload = await api.call('POST', `/v1/projects/${id}/uploads`, {
      token,
      body: { fileName: 'holiday clip.mp4', contentType: 'video/mp4', fileSize: 4096 },
    });
    expect(upload.status).toBe(201);
    expect(upload.body.key).toMatch(new RegExp(`^uploads/${userId}/${id}/[0-9a-f-]{36}/holiday_clip.mp4$`));
    const policy = JSON.parse(Buffer.from(upload.body.fields.Policy, 'base64').toString('utf8'));
    expect(policy.conditions).toContainEqual(['content-length-range', 1, 4096]);
    const form = new FormData();
    for (const [k, v] of Object.entries(upload.body.fields as Record<string, string>)) form.append(k, v);
    form.append('file', new Blob([new Uint8Array(4096)], { type: 'video/mp4' }), 'holiday.mp4');
    const posted = await fetch(upload.body.url, { method: 'POST', body: form });
    expect(posted.status).toBeLessThan(300);
    expect(await api.env.ctx.store.head(upload.body.key)).toMatchObject({ size: 4096 });
    const overQuota = await api.call('POST', `/v1/projects/${id}/uploads`, {
      token,
      body: { fileName: 'big.mp4', contentType: 'video/mp4', fileSize: 2 * 1024 ** 3 },
    });
    expect(overQuota.status).toBe(413);

    expect((await api.call('DELETE', `/v1/clips/${clip.id}`, { token })).status).toBe(204);
    expect((await api.call('GET', '/v1/me', { token })).body.storageUsed).toBe(0);
    expect((await api.call('DELETE', `/v1/projects/${id}`, { token })).status).toBe(204);
    expect((await api.call('GET', `/v1/projects/${id}`, { token })).status).toBe(404);
  });

  it('templates: public to all, private to the creator, used by jobs', async () => {
    const a = await api.newUser();
    const b = await api.newUser();
    const pub = await api.call('POST', '/v1/templates', {
      token: a.token,
      body: {
        name: 'Dusk',
        category: 'nature',
        prompt: 'a {{animal}} at dusk',
        isPublic: true,
        parameters: { model: 'local' },
      },
    });
    expect(pub.status).toBe(201);
    const priv = await api.call('POST', '/v1/templates', {
      token: a.token,
      body: { name: 'Mine', category: 'general', prompt: 'secret' },
    });
    expect(
      (
        await api.call('POST', '/v1/templates', {
          token: a.token,
          body: { name: 'Mine', category: 'general', prompt: 'x' },
        })
      ).status,
    ).toBe(409);
    expect((await api.call('GET', `/v1/templates/${pub.body.id}`, { token: b.token })).status).toBe(200);
    expect((await api.call('GET', `/v1/templates/${priv.body.id}`, { token: b.token })).status).toBe(404);
    const listed = await api.call('GET', '/v1/templates?category=nature', { token: b.token });
    expect(listed.body.items.map((t: { id: string }) => t.id)).toContain(pub.body.id);
    expect(
      (await api.call('PATCH', `/v1/templates/${pub.body.id}`, { token: b.token, body: { name: 'x' } }))
        .status,
    ).toBe(404);
    expect(
      (await api.call('PATCH', `/v1/templates/${priv.body.id}`, { token: a.token, body: { name: 'Mine 2' } }))
        .body.name,
    ).toBe('Mine 2');

    const project = await api.call('POST', '/v1/projects', { token: b.token, body: { title: 'p' } });
    const missing = await api.call('POST', `/v1/projects/${project.body.id}/jobs`, {
      token: b.token,
      body: { jobType: 'GENERATE', templateId: pub.body.id },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].path).toBe('body.parameters.variables.animal');
    const job = await api.call('POST', `/v1/projects/${project.body.id}/jobs`, {
      token: b.token,
      body: {
        jobType: 'GENERATE',
        templateId: pub.body.id,
        prompt: 'in the rain',
        parameters: { variables: { animal: 'owl' }, durationSeconds: 1, resolution: '640x360' },
      },
    });
    expect(job.status).toBe(202);
    expect(job.body).toMatchObject({ prompt: 'a owl at dusk in the rain', templateId: pub.body.id });
    expect(job.body.parameters.model).toBe('local');
    // A use counts when the job completes, not when it is submitted.
    expect((await api.call('GET', `/v1/templates/${pub.body.id}`, { token: a.token })).body.usageCount).toBe(
      0,
    );
    await api.env.idle();
    expect((await api.call('GET', `/v1/jobs/${job.body.id}`, { token: b.token })).body.status).toBe(
      'COMPLETED',
    );
    expect((await api.call('GET', `/v1/templates/${pub.body.id}`, { token: a.token })).body.usageCount).toBe(
      1,
    );
    expect((await api.call('DELETE', `/v1/templates/${priv.body.id}`, { token: a.token })).status).toBe(204);
  }, 180_000);

  it('health, OpenAPI and errors', async () => {
    expect((await api.call('GET', '/v1/health')).body).toMatchObject({
      status: 'ok',
      checks: { database: 'ok' },
    });
    const doc = await api.call('GET', '/v1/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    const { token } = await api.newUser();
    const notJson = await api.call('POST', '/v1/projects', {
      token,
      rawBody: 'title=x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(notJson.status).toBe(415);
    const broken = await api.call('POST', '/v1/projects', {
      token,
      rawBody: '{',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    expect(broken.headers.get('content-type')).toBe('application/problem+json');
  });
});
