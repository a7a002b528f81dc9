import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_OPEN_STREAMS } from '#shared/events/stream-slots.ts';
import { MAX_WEBHOOKS } from '#shared/webhooks/repository.ts';
import { MANUAL_SENDS_PER_MINUTE } from '#shared/webhooks/send-limiter.ts';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';
import { startReceiver } from '#test/support/webhook-receiver.ts';

// biome-ignore lint/suspicious/noExplicitAny: event data is inspected freely in tests
type Sse = { id: string; event: string; data: any };

/** Reads a Server-Sent Events response until `stop` says so (or the stream ends). */
async function readEvents(res: Response, stop: (events: Sse[]) => boolean, controller: AbortController) {
  const events: Sse[] = [];
  const comments: string[] = [];
  const reader = (res.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    while (!stop(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        const fields = Object.fromEntries(
          frame
            .split('\n')
            .filter((l) => !l.startsWith(':'))
            .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)] as const),
        );
        if (frame.startsWith(':')) comments.push(frame);
        if (fields.id)
          events.push({ id: fields.id, event: fields.event ?? '', data: JSON.parse(fields.data ?? '') });
      }
    }
  } finally {
    controller.abort();
  }
  return { events, comments };
}

describe('webhooks and the event stream through the local API', () => {
  let api: LocalApi;
  beforeAll(async () => {
    api = await startLocalApi(
      { webhooks: { retryDelaysMs: [50, 100, 200], timeoutMs: 2_000, pollMs: 20 } },
      { stream: { credentialCheckMs: 50 } },
    );
  });
  afterAll(async () => {
    await api?.stop();
  });

  const project = async (token: string) =>
    (await api.call('POST', '/v1/projects', { token, body: { title: 'events' } })).body as { id: string };
  const newJob = (userId: string, projectId: string) =>
    api.env.ctx.jobs.create({
      userId,
      projectId,
      jobType: 'GENERATE',
      prompt: 'a fox',
      parameters: { model: 'local' },
      concurrentLimit: 10,
    });

  it('manages an endpoint, signs what it sends, logs deliveries, rotates the secret and retries', async () => {
    const user = await api.newUser();
    const create = await api.call('POST', '/v1/webhooks', {
      token: user.token,
      body: { url: 'http://127.0.0.1:9/hook', events: ['job.completed', 'job.failed'], description: 'mine' },
    });
    expect(create.status).toBe(201);
    expect(create.body.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{32}$/);
    expect(create.body).toMatchObject({
      url: 'http://127.0.0.1:9/hook',
      events: ['job.completed', 'job.failed'],
      enabled: true,
    });
    const id = create.body.id as string;
    const got = await api.call('GET', `/v1/webhooks/${id}`, { token: user.token });
    expect(got.body).not.toHaveProperty('secret');
    expect(JSON.stringify((await api.call('GET', '/v1/webhooks', { token: user.token })).body)).not.toContain(
      create.body.secret,
    );

    // The receiver knows only the first secret: after the rotation it still verifies, as both sign for 24 h.
    const live = await startReceiver({ secrets: { '/hook': create.body.secret } });
    try {
      const patched = await api.call('PATCH', `/v1/webhooks/${id}`, {
        token: user.token,
        body: { url: `${live.url}/hook` },
      });
      expect(patched.status).toBe(200);
      const test = await api.call('POST', `/v1/webhooks/${id}/test`, { token: user.token });
      expect(test.status).toBe(202);
      await until(() => live.received.length >= 1);
      const first = live.received[0];
      expect(first?.answer).toBe(204);
      expect(JSON.parse(first?.body as string)).toMatchObject({
        type: 'webhook.test',
        data: { webhookId: id },
      });

      const rotated = await api.call('POST', `/v1/webhooks/${id}/rotate-secret`, { token: user.token });
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).not.toBe(create.body.secret);
      expect(rotated.body.secretRotatesUntil).toBeTruthy();
      const { body: job } = await api.call('POST', `/v1/projects/${(await project(user.token)).id}/jobs`, {
        token: user.token,
        body: { jobType: 'GENERATE', prompt: 'x', parameters: { model: 'local' } },
      });
      await api.call('POST', `/v1/jobs/${job.id}/cancel`, { token: user.token });
      await until(() => live.received.length >= 2);
      expect(live.received.filter((r) => r.answer === 400)).toEqual([]);
      const failed = JSON.parse(live.received[1]?.body as string);
      // Only the subscribed types arrive: no job.created.
      expect(failed).toMatchObject({ type: 'job.failed', data: { id: job.id, status: 'FAILED' } });

      const log = await api.call('GET', `/v1/webhooks/${id}/deliveries`, { token: user.token });
      expect(log.status).toBe(200);
      expect(log.body.items[0]).toMatchObject({
        eventType: 'job.failed',
        status: 'succeeded',
        attempts: 1,
        lastStatusCode: 204,
      });
      expect(log.body.items[0].lastLatencyMs).toBeGreaterThanOrEqual(0);
      const retry = await api.call('POST', `/v1/webhooks/${id}/deliveries/${log.body.items[0].id}/retry`, {
        token: user.token,
      });
      expect(retry.status).toBe(202);
      await until(() => live.received.length >= 3);
      expect(live.received[2]?.id).toBe(live.received[1]?.id);

      const disabled = await api.call('PATCH', `/v1/webhooks/${id}`, {
        token: user.token,
        body: { enabled: false },
      });
      expect(disabled.body.enabled).toBe(false);
      expect((await api.call('POST', `/v1/webhooks/${id}/test`, { token: user.token })).status).toBe(409);
      expect((await api.call('DELETE', `/v1/webhooks/${id}`, { token: user.token })).status).toBe(204);
      expect((await api.call('GET', `/v1/webhooks/${id}`, { token: user.token })).status).toBe(404);
    } finally {
      await live.close();
    }
  });

  it('refuses bad webhook input with a problem naming the field', async () => {
    const user = await api.newUser();
    for (const body of [
      { url: 'ftp://x.example/' },
      { url: 'https://h.example/', events: ['job.nope'] },
      {},
    ]) {
      const res = await api.call('POST', '/v1/webhooks', { token: user.token, body });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(JSON.stringify(res.body.errors)).toMatch(/body\.(url|events)/);
    }
  });

  it('keeps each user to MAX_WEBHOOKS endpoints (every event is sent to each), with a 409 past it', async () => {
    const user = await api.newUser();
    const ids: string[] = [];
    for (let i = 0; i < MAX_WEBHOOKS; i += 1) {
      const res = await api.call('POST', '/v1/webhooks', {
        token: user.token,
        // A loopback address each: at most 3 endpoints of an account may share one host.
        body: { url: `http://127.0.0.${i + 1}:9/hook` },
      });
      expect(res.status, res.text).toBe(201);
      ids.push(res.body.id);
    }
    const over = await api.call('POST', '/v1/webhooks', {
      token: user.token,
      body: { url: 'http://127.0.0.99:9/one-more' },
    });
    expect(over.status).toBe(409);
    expect(over.headers.get('content-type')).toBe('application/problem+json');
    const list = await api.call('GET', '/v1/webhooks?limit=100', { token: user.token });
    expect(list.body.items).toHaveLength(MAX_WEBHOOKS);
    await api.call('DELETE', `/v1/webhooks/${ids[0]}`, { token: user.token });
    const again = await api.call('POST', '/v1/webhooks', {
      token: user.token,
      body: { url: 'http://127.0.0.99:9/one-more' },
    });
    expect(again.status, again.text).toBe(201);
  });

  it('streams events, and a client that disconnects mid-job and resumes with Last-Event-ID misses none', async () => {
    const user = await api.newUser();
    const { id: projectId } = await project(user.token);
    const job = await newJob(user.userId, projectId);
    const open = (headers: Record<string, string> = {}) => {
      const controller = new AbortController();
      return fetch(`${api.url}/v1/jobs/${job.id}/events`, {
        headers: { authorization: `Bearer ${user.token}`, ...headers },
        signal: controller.signal,
      }).then((res) => ({ res, controller }));
    };
    const first = await open();
    expect(first.res.status).toBe(200);
    expect(first.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    // The headers every API answer carries, streamed ones too.
    expect(first.res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(first.res.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
    expect(first.res.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    await api.env.ctx.jobs.markProcessing(job.id);
    await api.env.ctx.jobs.reportProgress(job.id, 20);
    const before = await readEvents(first.res, (e) => e.length >= 3, first.controller);
    // While disconnected, the job moves on and ends.
    await api.env.ctx.jobs.reportProgress(job.id, 50);
    await api.env.ctx.jobs.reportProgress(job.id, 70);
    await api.env.ctx.jobs.markFailed(job.id, 'The model refused the prompt.');
    const last = before.events.at(-1)?.id as string;
    const second = await open({ 'last-event-id': last });
    const after = await readEvents(second.res, () => false, second.controller);
    const all = [...before.events, ...after.events];
    expect(all.map((e) => e.event)).toEqual([
      'job.created',
      'job.progress',
      'job.progress',
      'job.progress',
      'job.progress',
      'job.failed',
    ]);
    expect(all.map((e) => e.data.data.progress)).toEqual([0, 0, 20, 50, 70, 70]);
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    expect(all.every((e) => e.data.id === e.id && e.data.data.id === job.id)).toBe(true);
  });

  it('streams the account from now on, filtered by project, and refuses a bad Last-Event-ID', async () => {
    const user = await api.newUser();
    const a = await project(user.token);
    const b = await project(user.token);
    const controller = new AbortController();
    const res = await fetch(`${api.url}/v1/events?projectId=${a.id}`, {
      headers: { authorization: `Bearer ${user.token}` },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    await newJob(user.userId, b.id);
    const inA = await newJob(user.userId, a.id);
    const { events } = await readEvents(res, (e) => e.length >= 1, controller);
    expect(events.map((e) => [e.event, e.data.data.id])).toEqual([['job.created', inA.id]]);
    const bad = await api.call('GET', '/v1/events', {
      token: user.token,
      headers: { 'last-event-id': 'nope' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('header.last-event-id');
    expect((await api.call('GET', '/v1/events')).status).toBe(401);
  });

  it('answers 404 for a project or job filter naming someone else’s, as every route does', async () => {
    const owner = await api.newUser();
    const other = await api.newUser();
    const theirs = await project(owner.token);
    const job = await newJob(owner.userId, theirs.id);
    for (const query of [`projectId=${theirs.id}`, `jobId=${job.id}`]) {
      const res = await api.call('GET', `/v1/events?${query}`, { token: other.token });
      expect(res.status, query).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('streams to an API key as to its owner’s token (a read key suffices), and not another user’s job', async () => {
    const owner = await api.newUser();
    const intruder = await api.newUser();
    const keyOf = async (token: string) =>
      (await api.call('POST', '/v1/api-keys', { token, body: { name: 'sse', scopes: ['read'] } })).body
        .key as string;
    const [ownerKey, intruderKey] = await Promise.all([keyOf(owner.token), keyOf(intruder.token)]);
    const job = await newJob(owner.userId, (await project(owner.token)).id);
    const controller = new AbortController();
    const res = await fetch(`${api.url}/v1/jobs/${job.id}/events`, {
      headers: { authorization: `Bearer ${ownerKey}` },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    const { events } = await readEvents(res, (e) => e.length >= 1, controller);
    expect(events.map((e) => [e.event, e.data.data.id])).toEqual([['job.created', job.id]]);
    expect((await api.call('GET', `/v1/jobs/${job.id}/events`, { token: intruderKey })).status).toBe(404);
  });

  it('keeps each user to MANUAL_SENDS_PER_MINUTE test sends and retries, then 429 with Retry-After', async () => {
    const user = await api.newUser();
    const other = await api.newUser();
    const hook = async (token: string) =>
      (await api.call('POST', '/v1/webhooks', { token, body: { url: 'http://127.0.0.1:9/hook' } })).body
        .id as string;
    const [id, theirs] = await Promise.all([hook(user.token), hook(other.token)]);
    // A send that queues nothing (another user's endpoint, 404) is not counted.
    const missing = await api.call('POST', `/v1/webhooks/${theirs}/test`, { token: user.token });
    expect(missing.status).toBe(404);
    // The budget is a fixed one-minute window (shared/auth/window-counters.ts): start the burst early in
    // one, so the retry below is still inside it.
    const leftMs = 60_000 - (Date.now() % 60_000);
    if (leftMs < 20_000) await new Promise((resolve) => setTimeout(resolve, leftMs + 100));
    // Parallel requests cannot pass the limit together.
    const sent = await Promise.all(
      Array.from({ length: MANUAL_SENDS_PER_MINUTE + 5 }, () =>
        api.call('POST', `/v1/webhooks/${id}/test`, { token: user.token }),
      ),
    );
    expect(sent.filter((r) => r.status === 202)).toHaveLength(MANUAL_SENDS_PER_MINUTE);
    const refused = sent.filter((r) => r.status !== 202);
    expect(refused.map((r) => r.status)).toEqual(refused.map(() => 429));
    const over = refused[0] as (typeof sent)[number];
    expect(over.headers.get('content-type')).toBe('application/problem+json');
    const wait = Number(over.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    expect(over.body.detail).toMatch(/At most 10 webhook test sends and retries .* try again in \d+ s\./);
    // The retry route shares the budget.
    const log = await api.call('GET', `/v1/webhooks/${id}/deliveries`, { token: user.token });
    const retry = await api.call('POST', `/v1/webhooks/${id}/deliveries/${log.body.items[0].id}/retry`, {
      token: user.token,
    });
    expect(retry.status).toBe(429);
    // Another user's budget is their own.
    expect((await api.call('POST', `/v1/webhooks/${theirs}/test`, { token: other.token })).status).toBe(202);
  });

  it('bounds the streams one user holds open, whatever the path or credential, and frees a slot on close', async () => {
    const user = await api.newUser();
    const other = await api.newUser();
    const key = (
      await api.call('POST', '/v1/api-keys', { token: user.token, body: { name: 'sse', scopes: ['read'] } })
    ).body.key as string;
    const job = await newJob(user.userId, (await project(user.token)).id);
    const open = (bearer: string, path = '/v1/events') => {
      const controller = new AbortController();
      return fetch(`${api.url}${path}`, {
        headers: { authorization: `Bearer ${bearer}` },
        signal: controller.signal,
      }).then((res) => ({ res, controller }));
    };
    const held = await Promise.all(
      Array.from({ length: MAX_OPEN_STREAMS }, (_, i) =>
        i % 2 ? open(key, `/v1/jobs/${job.id}/events`) : open(user.token),
      ),
    );
    expect(held.map((s) => s.res.status)).toEqual(held.map(() => 200));
    try {
      for (const [bearer, path] of [
        [user.token, '/v1/events'],
        [key, `/v1/jobs/${job.id}/events`],
      ] as const) {
        const refused = await api.call('GET', path, { token: bearer });
        expect(refused.status, refused.text).toBe(429);
        expect(refused.headers.get('content-type')).toBe('application/problem+json');
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(refused.body.detail).toContain(`At most ${MAX_OPEN_STREAMS} event streams`);
      }
      // Another user's streams are their own.
      const theirs = await open(other.token);
      expect(theirs.res.status).toBe(200);
      theirs.controller.abort();
      // A stream that closes gives its slot back.
      held.pop()?.controller.abort();
      await expect
        .poll(
          async () => {
            const again = await open(user.token);
            again.controller.abort();
            return again.res.status;
          },
          { timeout: 5_000, interval: 100 },
        )
        .toBe(200);
    } finally {
      for (const s of held) s.controller.abort();
    }
  });

  it('ends a stream whose API key is revoked, or whose account is erased, before it sends another event', async () => {
    const owner = await api.newUser();
    const { id: projectId } = await project(owner.token);
    const created = (
      await api.call('POST', '/v1/api-keys', { token: owner.token, body: { name: 'sse', scopes: ['read'] } })
    ).body as { id: string; key: string };
    /** Opens a stream, runs `cut`, makes a job, and reads until the stream ends (null if it never did). */
    const eventsAfter = async (bearer: string, cut: () => Promise<void>) => {
      const controller = new AbortController();
      const res = await fetch(`${api.url}/v1/events`, {
        headers: { authorization: `Bearer ${bearer}` },
        signal: controller.signal,
      });
      expect(res.status).toBe(200);
      await cut();
      await newJob(owner.userId, projectId).catch(() => undefined);
      const gaveUp = setTimeout(() => controller.abort(), 10_000);
      const read = await readEvents(res, () => false, controller).catch(() => null);
      clearTimeout(gaveUp);
      return read?.events ?? null;
    };
    const revoked = await eventsAfter(created.key, async () => {
      expect((await api.call('DELETE', `/v1/api-keys/${created.id}`, { token: owner.token })).status).toBe(
        204,
      );
    });
    expect(revoked, 'the stream of a revoked key went on').toEqual([]);
    const erased = await eventsAfter(owner.token, async () => {
      const res = await api.call('DELETE', '/v1/me', {
        token: owner.token,
        body: { password: owner.password },
      });
      expect(res.status, res.text).toBe(202);
    });
    expect(erased, 'the stream of an erased account went on').toEqual([]);
  });

  it('ends a stream filtered by a project once the project is deleted, and reopening it is a 404', async () => {
    const owner = await api.newUser();
    const { id: projectId } = await project(owner.token);
    const controller = new AbortController();
    const res = await fetch(`${api.url}/v1/events?projectId=${projectId}`, {
      headers: { authorization: `Bearer ${owner.token}` },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect((await api.call('DELETE', `/v1/projects/${projectId}`, { token: owner.token })).status).toBe(204);
    const gaveUp = setTimeout(() => controller.abort(), 10_000);
    const read = await readEvents(res, () => false, controller).catch(() => null);
    clearTimeout(gaveUp);
    expect(read, 'the stream of a deleted project stayed open').not.toBeNull();
    const again = await api.call('GET', `/v1/events?projectId=${projectId}`, { token: owner.token });
    expect(again.status).toBe(404);
  });

  it("gives 404 for another user's job stream", async () => {
    const owner = await api.newUser();
    const intruder = await api.newUser();
    const job = await newJob(owner.userId, (await project(owner.token)).id);
    const res = await api.call('GET', `/v1/jobs/${job.id}/events`, { token: intruder.token });
    expect(res.status).toBe(404);
  });
});

describe('webhook targets in deployed mode', () => {
  let api: LocalApi;
  beforeAll(async () => {
    api = await startLocalApi({
      webhooks: {
        policy: 'deployed',
        resolveHost: async (host) => (host === 'loopback.example.com' ? ['127.0.0.1'] : ['93.184.215.14']),
      },
    });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it.each([
    'https://127.0.0.1/hook',
    'https://169.254.169.254/latest/meta-data/',
    'https://10.1.2.3/hook',
    'https://[::ffff:127.0.0.1]/hook',
    'https://loopback.example.com/hook',
    'http://hooks.example.com/hook',
  ])('refuses %s', async (url) => {
    const user = await api.newUser();
    const res = await api.call('POST', '/v1/webhooks', { token: user.token, body: { url } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'body.url' })]);
  });

  it('counts the 2000-character URL limit on the URL as stored, percent-encoded, on creation and on change', async () => {
    const user = await api.newUser();
    const base = 'https://hooks.example.com/';
    // 1900 characters as sent, 11426 once each 'é' is written as %C3%A9.
    const accented = `${base}${'é'.repeat(1900)}`;
    const refusals = [await api.call('POST', '/v1/webhooks', { token: user.token, body: { url: accented } })];
    const plain = await api.call('POST', '/v1/webhooks', {
      token: user.token,
      body: { url: `${base}${'e'.repeat(2000 - base.length)}` },
    });
    expect(plain.status, plain.text).toBe(201);
    expect(plain.body.url).toHaveLength(2000);
    refusals.push(
      await api.call('PATCH', `/v1/webhooks/${plain.body.id}`, {
        token: user.token,
        body: { url: accented },
      }),
    );
    for (const res of refusals) {
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.body.errors).toEqual([
        expect.objectContaining({ path: 'body.url', message: expect.stringContaining('11426 characters') }),
      ]);
    }
  });

  it('refuses a fourth webhook on one host, or a repeated URL, with a 409 problem saying which', async () => {
    const user = await api.newUser();
    const post = (url: string) => api.call('POST', '/v1/webhooks', { token: user.token, body: { url } });
    const ids: string[] = [];
    for (const url of [
      'https://victim.example.com/?1',
      'https://victim.example.com/?2',
      'https://Victim.example.com:8443/?3',
    ]) {
      const res = await post(url);
      expect(res.status, res.text).toBe(201);
      ids.push(res.body.id);
    }
    const fourth = await post('https://victim.example.com/?4');
    expect(fourth.status).toBe(409);
    expect(fourth.headers.get('content-type')).toBe('application/problem+json');
    expect(fourth.body).toMatchObject({
      status: 409,
      detail: expect.stringMatching(/^You already have 3 webhooks to victim\.example\.com; at most 3 /),
    });

    const elsewhere = await post('https://hooks.example.com/x');
    expect(elsewhere.status).toBe(201);
    const repeated = await post('https://hooks.example.com/x');
    expect(repeated.status).toBe(409);
    expect(repeated.headers.get('content-type')).toBe('application/problem+json');
    expect(repeated.body.detail).toContain(
      `Your webhook ${elsewhere.body.id} already points at https://hooks.example.com/x`,
    );

    const moved = await api.call('PATCH', `/v1/webhooks/${elsewhere.body.id}`, {
      token: user.token,
      body: { url: 'https://victim.example.com/?5' },
    });
    expect(moved.status).toBe(409);
    expect(moved.body.detail).toMatch(/^You already have 3 webhooks to victim\.example\.com/);
    expect((await api.call('GET', `/v1/webhooks/${elsewhere.body.id}`, { token: user.token })).body.url).toBe(
      'https://hooks.example.com/x',
    );
    await api.call('DELETE', `/v1/webhooks/${ids[0]}`, { token: user.token });
    expect((await post('https://victim.example.com/?4')).status).toBe(201);
  });

  it('accepts https to a public host', async () => {
    const user = await api.newUser();
    const res = await api.call('POST', '/v1/webhooks', {
      token: user.token,
      body: { url: 'https://hooks.example.com/x' },
    });
    expect(res.status).toBe(201);
  });
});

async function until(done: () => boolean, limitMs = 20_000) {
  const end = Date.now() + limitMs;
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}
