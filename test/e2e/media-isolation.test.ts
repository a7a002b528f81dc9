/**
 * Media stays with its owner: what the pipeline recorded about a clip cannot be changed by a request, so a
 * forged playlist, poster or audio flag in a clip's metadata redirects nothing and breaks nothing; and a
 * project or clip deleted while a job runs leaves no object behind and no bytes charged.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BeforeTask } from '#infra/local/workflow.ts';
import type { GenerationRequest, VideoModel } from '#shared/generation/port.ts';
import { createPipelineTasks } from '#shared/pipeline/tasks.ts';
import { generateClip, strayObjects, submit, waitForJob } from '#test/support/jobs.ts';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

let api: LocalApi;
let fault: BeforeTask | undefined;
let started: GenerationRequest[] = [];

/** Stands in for Nova Reel: records what it is asked, then fails so the job ends quickly. */
const recordingModel: VideoModel = {
  id: 'nova-reel',
  start: async (request) => {
    started.push(request);
    return { handle: request.jobId };
  },
  check: async () => ({ state: 'failed', message: 'stopped by the test' }),
};

beforeAll(async () => {
  api = await startLocalApi({
    // The model's poll is bounded (160 tries): at 200 ms a slow machine still renders 12 s in time.
    pollMs: 200,
    models: { 'nova-reel': recordingModel },
    // Nova Reel took start images until its end of life (2026-09-30); the test runs on a day before it.
    now: () => new Date('2026-06-01T00:00:00Z'),
    beforeTask: (state, input) => fault?.(state, input),
  });
});
afterAll(async () => {
  await api?.stop();
});
beforeEach(() => {
  fault = undefined;
  started = [];
});

async function newProject(token: string, title = 'p') {
  return (await api.call('POST', '/v1/projects', { token, body: { title } })).body as { id: string };
}

/** Every object a user has anywhere in the bucket. */
async function objectsOf(userId: string) {
  return strayObjects(api, userId);
}

const me = async (token: string) => (await api.call('GET', '/v1/me', { token })).body;

describe('system facts of a clip are read-only', () => {
  let victim: Awaited<ReturnType<LocalApi['newUser']>>;
  let attacker: Awaited<ReturnType<LocalApi['newUser']>>;
  let victimClip: { id: string; fileUrl: string; projectId: string };
  let attackerClip: { id: string; fileUrl: string; projectId: string; system: object };
  let attackerProject: { id: string };

  beforeAll(async () => {
    [victim, attacker] = await Promise.all([api.newUser(), api.newUser()]);
    const [vp, ap] = await Promise.all([newProject(victim.token), newProject(attacker.token)]);
    attackerProject = ap;
    [victimClip, attackerClip] = await Promise.all([
      generateClip(api, victim.token, vp.id, { durationSeconds: 1, resolution: '1280x720' }),
      generateClip(api, attacker.token, ap.id, { durationSeconds: 1, resolution: '1280x720' }),
    ]);
  }, 120_000);

  const victimFolder = () =>
    `users/${victim.userId}/projects/${victimClip.projectId}/clips/${victimClip.id}/`;

  it('refuses system fields in a PATCH and ignores look-alike keys in metadata', async () => {
    const refused = await api.call('PATCH', `/v1/clips/${attackerClip.id}`, {
      token: attacker.token,
      body: { system: { hasAudio: true } },
    });
    expect(refused.status).toBe(400);
    const patched = await api.call('PATCH', `/v1/clips/${attackerClip.id}`, {
      token: attacker.token,
      body: {
        metadata: {
          hlsPlaylist: `${victimFolder()}hls/index.m3u8`,
          poster: `${victimFolder()}poster.0000000.jpg`,
          hasAudio: true,
          hasHls: true,
        },
      },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.system).toEqual(attackerClip.system);
    expect(patched.body.metadata.hlsPlaylist).toBe(`${victimFolder()}hls/index.m3u8`);
  });

  it("serves the clip's own HLS rendition whatever its metadata says", async () => {
    for (const forged of [`${victimFolder()}hls/index.m3u8`, '/etc/passwd', '../../../index.m3u8']) {
      await api.call('PATCH', `/v1/clips/${attackerClip.id}`, {
        token: attacker.token,
        body: { metadata: { hlsPlaylist: forged } },
      });
      const clip = (await api.call('GET', `/v1/clips/${attackerClip.id}`, { token: attacker.token })).body;
      const master = await fetch(clip.media.hlsUrl);
      expect(master.status).toBe(200);
      const variants = (await master.text()).split('\n').filter((l) => l && !l.startsWith('#'));
      expect(variants.length).toBeGreaterThan(0);
      const variant = await fetch(new URL(variants[0]!, clip.media.hlsUrl));
      expect(variant.status).toBe(200);
      const text = await variant.text();
      expect(text).not.toContain(victim.userId);
      expect(text).toContain(`/clips/${attackerClip.id}/hls/`);
    }
  });

  it('hands Nova Reel the clip’s own poster frame, never the key in its metadata', async () => {
    await api.call('PATCH', `/v1/clips/${attackerClip.id}`, {
      token: attacker.token,
      body: { metadata: { poster: `${victimFolder()}poster.0000000.jpg` } },
    });
    const submitted = await submit(api, attacker.token, attackerProject.id, {
      jobType: 'GENERATE',
      prompt: 'the same place at night',
      parameters: { model: 'nova-reel', imageClipId: attackerClip.id },
    });
    expect(submitted.status).toBe(202);
    const { job } = await waitForJob(api, attacker.token, submitted.body.id, 50);
    expect(job.status).toBe('FAILED');
    expect(started.map((r) => r.image?.key)).toEqual([
      attackerClip.fileUrl.replace('video.mp4', 'poster.0000000.jpg'),
    ]);
  });

  it('a forged audio flag changes nothing: EDIT, TRANSCODE and ENHANCE of a silent clip complete', async () => {
    await api.call('PATCH', `/v1/clips/${attackerClip.id}`, {
      token: attacker.token,
      body: { metadata: { hasAudio: true, hlsPlaylist: '/etc/passwd', poster: '/etc/shadow' } },
    });
    const bodies = [
      { jobType: 'EDIT', prompt: 'cut', parameters: { clips: [{ clipId: attackerClip.id }] } },
      { jobType: 'TRANSCODE', prompt: 'copy', sourceClipIds: [attackerClip.id], parameters: {} },
      {
        jobType: 'ENHANCE',
        prompt: 'denoise',
        sourceClipIds: [attackerClip.id],
        parameters: { denoise: true },
      },
    ];
    for (const body of bodies) {
      const submitted = await submit(api, attacker.token, attackerProject.id, body);
      expect(submitted.status).toBe(202);
      const { job } = await waitForJob(api, attacker.token, submitted.body.id);
      expect({ type: body.jobType, status: job.status, errorMessage: job.errorMessage }).toEqual({
        type: body.jobType,
        status: 'COMPLETED',
        errorMessage: null,
      });
    }
  }, 120_000);
});

/** Polls the job until its progress reaches `atLeast` while it still runs. */
async function runningAt(token: string, jobId: string, atLeast: number) {
  for (let i = 0; i < 2000; i += 1) {
    const job = (await api.call('GET', `/v1/jobs/${jobId}`, { token })).body;
    if (job.status === 'COMPLETED' || job.status === 'FAILED')
      throw new Error(`the job ended (${job.status}: ${job.errorMessage}) before reaching ${atLeast}%`);
    if (job.progress >= atLeast) return job;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`the job never reached ${atLeast}%`);
}

describe('deleting while a job runs', () => {
  const long = { model: 'local', durationSeconds: 12, resolution: '640x360' };

  async function userWithClip() {
    const user = await api.newUser();
    const project = await newProject(user.token);
    // A finished clip too, so the deletion has bytes to give back.
    const clip = await generateClip(api, user.token, project.id, {
      durationSeconds: 2,
      resolution: '640x360',
    });
    expect((await me(user.token)).storageUsed).toBeGreaterThan(0);
    return { user, project, clip };
  }

  async function expectNothingLeft(user: { userId: string; token: string }, jobId: string) {
    await api.env.idle();
    expect(await objectsOf(user.userId)).toEqual([]);
    expect((await me(user.token)).storageUsed).toBe(0);
    expect((await api.call('GET', `/v1/jobs/${jobId}`, { token: user.token })).status).toBe(404);
  }

  it('deleting the project at ≥ 60% of a GENERATE leaves no object of the user and charges nothing', async () => {
    const { user, project } = await userWithClip();
    const submitted = await submit(api, user.token, project.id, {
      jobType: 'GENERATE',
      prompt: 'a long pattern',
      parameters: long,
    });
    expect(submitted.status).toBe(202);
    await runningAt(user.token, submitted.body.id, 60);
    const deleted = await api.call('DELETE', `/v1/projects/${project.id}`, { token: user.token });
    expect(deleted.status).toBe(204);
    // The execution was stopped before the answer; the task it was in ends on its own, and the execution's
    // cleanup then removes whatever that task wrote.
    await expectNothingLeft(user, submitted.body.id);
  }, 180_000);

  it('deleting the project when every rendition is written but not registered (97%) leaves nothing', async () => {
    const { user, project, clip } = await userWithClip();
    let reached!: () => void;
    let release!: () => void;
    const atRegister = new Promise<void>((r) => {
      reached = r;
    });
    const released = new Promise<void>((r) => {
      release = r;
    });
    fault = async (state) => {
      if (state !== 'RegisterClip') return;
      fault = undefined;
      reached();
      await released;
    };
    const submitted = await submit(api, user.token, project.id, {
      jobType: 'TRANSCODE',
      prompt: 'web copy',
      sourceClipIds: [clip.id],
      parameters: {},
    });
    expect(submitted.status).toBe(202);
    await atRegister;
    const job = (await api.call('GET', `/v1/jobs/${submitted.body.id}`, { token: user.token })).body;
    expect(job).toMatchObject({ status: 'PROCESSING', progress: expect.any(Number) });
    expect(job.progress).toBeGreaterThanOrEqual(60);
    expect((await objectsOf(user.userId)).some((k) => k.includes(`/clips/${submitted.body.id}/`))).toBe(true);
    // Let the task go once the deletion has begun (the job is no longer PROCESSING): it registers nothing,
    // and what it wrote is removed when the stopped execution ends.
    const deleting = api.call('DELETE', `/v1/projects/${project.id}`, { token: user.token });
    for (let i = 0; i < 400; i += 1) {
      const now = await api.call('GET', `/v1/jobs/${submitted.body.id}`, { token: user.token });
      if (now.body?.status !== 'PROCESSING') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    release();
    expect((await deleting).status).toBe(204);
    await expectNothingLeft(user, submitted.body.id);
  }, 180_000);

  it('cleans the folders of an execution whose job row is gone (the ended-execution path)', async () => {
    const user = await api.newUser();
    const project = await newProject(user.token);
    const jobId = crypto.randomUUID();
    const store = api.env.ctx.store;
    const leftovers = [
      `work/${user.userId}/${jobId}/generation/output.mp4`,
      `users/${user.userId}/projects/${project.id}/clips/${jobId}/video.mp4`,
    ];
    for (const key of leftovers) await store.putBytes(key, new Uint8Array([1, 2, 3]), 'video/mp4');
    // What the ended-execution handler runs, with the pipeline's own dependencies.
    const tasks = createPipelineTasks({
      users: api.env.ctx.users,
      jobs: api.env.ctx.jobs,
      clips: api.env.ctx.clips,
      store,
      models: {},
      prober: { probe: () => Promise.reject(new Error('not used')) },
    });
    await tasks.markFailed({
      jobId,
      userId: user.userId,
      projectId: project.id,
      jobType: 'GENERATE',
      error: { Error: 'JobCancelled', Cause: 'Cancelled by user.' },
    });
    expect(await objectsOf(user.userId)).toEqual([]);
  });

  it('deleting a source clip while an EDIT runs leaves nothing behind, whichever way the job ends', async () => {
    const user = await api.newUser();
    const project = await newProject(user.token);
    const deletions: string[] = [];
    for (const stage of ['BuildTranscodeSettings', 'Transcode', 'RegisterClip']) {
      const [a, b] = await Promise.all([
        generateClip(api, user.token, project.id, { durationSeconds: 2, resolution: '640x360' }),
        generateClip(api, user.token, project.id, { durationSeconds: 2, resolution: '640x360', seed: 3 }),
      ]);
      fault = async (state) => {
        // Armed once both sources exist, so the only job running is the EDIT.
        if (state === stage) {
          fault = undefined;
          const deleted = await api.call('DELETE', `/v1/clips/${a.id}`, { token: user.token });
          deletions.push(`${stage}: ${deleted.status} ${deleted.text}`);
        }
      };
      const submitted = await submit(api, user.token, project.id, {
        jobType: 'EDIT',
        prompt: `cut ${stage}`,
        parameters: { clips: [{ clipId: a.id }, { clipId: b.id }] },
      });
      expect(submitted.status).toBe(202);
      const { job } = await waitForJob(api, user.token, submitted.body.id);
      expect(deletions).toEqual([`${stage}: 204 `]);
      deletions.length = 0;
      if (stage === 'BuildTranscodeSettings') {
        expect(job).toMatchObject({
          status: 'FAILED',
          errorMessage: 'A source clip was deleted before the job ran.',
        });
      } else {
        // Transcode fetched its inputs already, or fetches a missing one and fails cleanly.
        expect(['COMPLETED', 'FAILED']).toContain(job.status);
        if (job.status === 'FAILED') expect(job.errorMessage).not.toMatch(/ffmpeg|\/tmp|users\/|NoSuchKey/);
      }
      const clips = (await api.call('GET', `/v1/projects/${project.id}/clips`, { token: user.token })).body
        .items as { id: string; storageBytes: number }[];
      expect(clips.map((c) => c.id)).not.toContain(a.id);
      const folders = clips.map((c) => `users/${user.userId}/projects/${project.id}/clips/${c.id}/`);
      expect(await strayObjects(api, user.userId, folders)).toEqual([]);
      expect((await me(user.token)).storageUsed).toBe(clips.reduce((sum, c) => sum + c.storageBytes, 0));
    }
  }, 180_000);
});
