/**
 * If-Match on the writes of one resource (RFC 9110, 13.1.1): a change or deletion sent with an ETag that is
 * no longer the resource's is refused with 412 and changes nothing, so two editors cannot overwrite each
 * other unseen; the current ETag or `*` goes through, and of two writes sent with the same ETag one wins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, type LocalApi, startLocalApi } from '#test/support/local-api.ts';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(async () => {
  await api?.stop();
});

interface Resource {
  token: string;
  /** The resource's own path (GET, PATCH and DELETE). */
  path: string;
  /** A PATCH body that changes it, different for each `n`. */
  patch(n: number): Record<string, unknown>;
}

async function newProject(): Promise<Resource> {
  const { token } = await api.newUser();
  const created = await api.call('POST', '/v1/projects', { token, body: { title: 'Trip' } });
  return { token, path: `/v1/projects/${created.body.id}`, patch: (n) => ({ title: `Trip ${n}` }) };
}

async function newClip(): Promise<Resource> {
  const { token, userId } = await api.newUser();
  const project = await api.call('POST', '/v1/projects', { token, body: { title: 'Trip' } });
  const clip = await api.env.ctx.clips.register({
    userId,
    projectId: project.body.id,
    title: 'shot',
    duration: 6,
    fileUrl: `users/${userId}/projects/${project.body.id}/clips/c/video.mp4`,
    fileSize: 1234,
    resolution: '1280x720',
    format: 'mp4',
  });
  return { token, path: `/v1/clips/${clip.id}`, patch: (n) => ({ title: `shot ${n}` }) };
}

async function newTemplate(): Promise<Resource> {
  const { token } = await api.newUser();
  const created = await api.call('POST', '/v1/templates', {
    token,
    body: { name: 'Dusk', category: 'nature', prompt: 'a fox at dusk' },
  });
  return { token, path: `/v1/templates/${created.body.id}`, patch: (n) => ({ name: `Dusk ${n}` }) };
}

async function me(): Promise<Resource> {
  const { token } = await api.newUser();
  const suffix = Math.random().toString(36).slice(2, 8);
  return { token, path: '/v1/me', patch: (n) => ({ username: `ed_${suffix}_${n}` }) };
}

const read = (r: Resource) => api.call('GET', r.path, { token: r.token });
const write = (r: Resource, method: 'PATCH' | 'DELETE', ifMatch: string, n = 0) =>
  api.call(method, r.path, {
    token: r.token,
    headers: { 'if-match': ifMatch },
    ...(method === 'PATCH' ? { body: r.patch(n) } : {}),
  });
/** What a GET answers, without the signed links a clip comes with (they change on every read). */
const state = (res: ApiResponse) => {
  const { media: _links, ...rest } = res.body;
  return rest;
};

function expectPreconditionFailed(res: ApiResponse) {
  expect(res.status).toBe(412);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.body).toMatchObject({
    type: 'https://ai-video.dev/problems/precondition-failed',
    title: 'Precondition Failed',
    status: 412,
  });
  expect(res.body.detail).toMatch(/GET it again and retry with its new ETag/);
}

describe.each([
  ['a project', newProject],
  ['a clip', newClip],
  ['a template', newTemplate],
])('If-Match on %s', (_name, make) => {
  it('refuses a change with a stale ETag and changes nothing; the current ETag and * go through', async () => {
    const r = await make();
    const first = await read(r);
    const stale = first.headers.get('etag')!;
    const changed = await write(r, 'PATCH', stale, 1);
    expect(changed.status).toBe(200);
    const after = await read(r);
    expect(after.headers.get('etag')).not.toBe(stale);

    expectPreconditionFailed(await write(r, 'PATCH', stale, 2));
    expectPreconditionFailed(await write(r, 'DELETE', stale));
    // A weak tag never matches strongly, and a list matches when one of its tags does.
    expectPreconditionFailed(await write(r, 'PATCH', `W/${after.headers.get('etag')}`, 2));
    const unchanged = await read(r);
    expect(unchanged.status).toBe(200);
    expect(state(unchanged)).toEqual(state(after));
    expect(unchanged.headers.get('etag')).toBe(after.headers.get('etag'));

    const current = await write(r, 'PATCH', `"other", ${after.headers.get('etag')}`, 3);
    expect(current.status).toBe(200);
    expect(state(await read(r))).toMatchObject(r.patch(3));
    expect((await write(r, 'PATCH', '*', 4)).status).toBe(200);
    expect(state(await read(r))).toMatchObject(r.patch(4));

    expect((await write(r, 'DELETE', (await read(r)).headers.get('etag')!)).status).toBe(204);
    expect((await read(r)).status).toBe(404);
    // Gone: the precondition is not looked at, the answer is what it would be without it.
    expect((await write(r, 'PATCH', '*', 5)).status).toBe(404);
    expect((await write(r, 'DELETE', stale)).status).toBe(404);
  });

  it('of two changes sent at once with the same ETag, exactly one is made', async () => {
    const r = await make();
    const etag = (await read(r)).headers.get('etag')!;
    const answers = await Promise.all([write(r, 'PATCH', etag, 1), write(r, 'PATCH', etag, 2)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 412]);
    const winner = answers.find((a) => a.status === 200)!;
    expect(state(await read(r))).toEqual(state(winner));
  });

  it('of a change and a deletion sent at once with the same ETag, exactly one is made', async () => {
    const r = await make();
    const etag = (await read(r)).headers.get('etag')!;
    const [patched, deleted] = await Promise.all([write(r, 'PATCH', etag, 1), write(r, 'DELETE', etag)]);
    if (patched.status === 200) {
      // The deletion read the old ETag and found the row changed, or read the new one: 412 either way.
      expectPreconditionFailed(deleted);
      expect(state(await read(r))).toEqual(state(patched));
    } else {
      expect(deleted.status).toBe(204);
      // The change read the row before it went (412) or after (404); it was not made.
      expect([404, 412]).toContain(patched.status);
      expect((await read(r)).status).toBe(404);
    }
  });
});

describe('If-None-Match on a write', () => {
  it('refuses a change or deletion of a project that exists (*) or still has the named ETag', async () => {
    const r = await newProject();
    const etag = (await read(r)).headers.get('etag')!;
    const send = (method: 'PATCH' | 'DELETE', tag: string, n = 0) =>
      api.call(method, r.path, {
        token: r.token,
        headers: { 'if-none-match': tag },
        ...(method === 'PATCH' ? { body: r.patch(n) } : {}),
      });
    for (const [method, tag] of [
      ['PATCH', '*'],
      ['DELETE', '*'],
      ['PATCH', etag],
      ['DELETE', `W/${etag}`],
    ] as const) {
      const refused = await send(method, tag, 1);
      expect(refused.status, `${method} ${tag}`).toBe(412);
      expect(refused.body.detail).toMatch(/If-None-Match names it/);
    }
    expect((await read(r)).headers.get('etag')).toBe(etag);
    // Someone else's project is not there for them: 404, not a 412 that would tell it exists.
    const other = await api.newUser();
    for (const method of ['PATCH', 'DELETE'] as const) {
      const res = await api.call(method, r.path, {
        token: other.token,
        headers: { 'if-none-match': '*' },
        ...(method === 'PATCH' ? { body: r.patch(9) } : {}),
      });
      expect(res.status, method).toBe(404);
    }
    // Another ETag: the project is no longer that one, so the change is made.
    expect((await send('PATCH', '"seen-long-ago"', 2)).status).toBe(200);
    expect(state(await read(r))).toMatchObject(r.patch(2));
  });
});

describe('If-Match on /v1/me', () => {
  it('refuses a rename with a stale ETag; the current ETag goes through; of two at once one wins', async () => {
    const r = await me();
    const stale = (await read(r)).headers.get('etag')!;
    expect((await write(r, 'PATCH', stale, 1)).status).toBe(200);
    expectPreconditionFailed(await write(r, 'PATCH', stale, 2));
    expect((await read(r)).body).toMatchObject(r.patch(1));

    const etag = (await read(r)).headers.get('etag')!;
    const answers = await Promise.all([write(r, 'PATCH', etag, 3), write(r, 'PATCH', etag, 4)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 412]);
    expect((await read(r)).body).toEqual(answers.find((a) => a.status === 200)!.body);
  });
});

describe('If-Match on a project with a running job', () => {
  it('a deletion with a stale ETag leaves the project and its queued job as they were', async () => {
    const { token, userId } = await api.newUser();
    const project = await api.call('POST', '/v1/projects', { token, body: { title: 'Busy' } });
    const path = `/v1/projects/${project.body.id}`;
    const stale = (await api.call('GET', path, { token })).headers.get('etag')!;
    await api.call('PATCH', path, { token, body: { description: 'edited elsewhere' } });
    const job = await api.env.ctx.jobs.create({
      userId,
      projectId: project.body.id,
      jobType: 'GENERATE',
      prompt: 'a fox',
      parameters: { model: 'local', durationSeconds: 6 },
      concurrentLimit: 10,
    });
    expectPreconditionFailed(await api.call('DELETE', path, { token, headers: { 'if-match': stale } }));
    expect((await api.call('GET', path, { token })).body.description).toBe('edited elsewhere');
    expect((await api.call('GET', `/v1/jobs/${job.id}`, { token })).body.status).toBe('QUEUED');
  });
});

describe('If-Match against a writer in between', () => {
  it('refuses the second of two changes that both read the row before either wrote', async () => {
    const r = await newProject();
    const etag = (await read(r)).headers.get('etag')!;
    // Both requests compare their ETag with the same read before either writes: only the condition of the
    // write itself on the version compared can stop the second.
    const projects = api.env.ctx.projects;
    const getVersioned = projects.getVersioned;
    let arrived = 0;
    let release!: () => void;
    const bothRead = new Promise<void>((resolve) => {
      release = resolve;
    });
    projects.getVersioned = async (...args) => {
      const found = await getVersioned(...args);
      arrived += 1;
      if (arrived === 2) release();
      await bothRead;
      return found;
    };
    try {
      const answers = await Promise.all([write(r, 'PATCH', etag, 1), write(r, 'PATCH', etag, 2)]);
      expect(arrived).toBe(2);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 412]);
      expect(state(await read(r))).toEqual(state(answers.find((a) => a.status === 200)!));
    } finally {
      projects.getVersioned = getVersioned;
    }
  });
});
