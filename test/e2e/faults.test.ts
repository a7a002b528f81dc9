/**
 * Fault injection at every task of the state machine, cancel in the middle of a run, and 20 concurrent
 * jobs. Each failed job must end FAILED with a readable message, leave no object behind and charge nothing.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BeforeTask } from '#infra/local/workflow.ts';
import { createLocalVideoModel } from '#shared/generation/local.ts';
import type { GenerationRequest, GenerationStatus, VideoModel } from '#shared/generation/port.ts';
import { createPipelineTasks } from '#shared/pipeline/tasks.ts';
import { generateClip, strayObjects, submit, waitForJob } from '#test/support/jobs.ts';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

let api: LocalApi;
let fault: BeforeTask | undefined;
let modelBehaviour: {
  start?: (request: GenerationRequest) => Promise<{ handle: string }>;
  check?: () => Promise<GenerationStatus>;
} = {};

/** Stands in for Nova Reel: its failures are what a test makes them. */
const scriptedModel: VideoModel = {
  id: 'nova-reel',
  start: (request) => modelBehaviour.start?.(request) ?? Promise.resolve({ handle: 'h' }),
  check: () => modelBehaviour.check?.() ?? Promise.resolve({ state: 'running' }),
};

function named(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** The local system with the scripted model; `pollMs` scales the state machine's waits. */
const startScripted = (pollMs: number) =>
  startLocalApi({
    pollMs,
    models: { 'nova-reel': scriptedModel },
    // Nova Reel is Legacy until its end of life on 2026-09-30; these tests run on a day it still works.
    now: () => new Date('2026-06-01T00:00:00Z'),
    beforeTask: (state, input) => fault?.(state, input),
  });

beforeAll(async () => {
  api = await startScripted(50);
});
afterAll(async () => {
  await api?.stop();
});
beforeEach(() => {
  fault = undefined;
  modelBehaviour = {};
});

async function runFailing(parameters: object) {
  const user = await api.newUser();
  const project = (await api.call('POST', '/v1/projects', { token: user.token, body: { title: 'f' } })).body;
  const submitted = await submit(api, user.token, project.id, {
    jobType: 'GENERATE',
    prompt: 'a lighthouse at dusk',
    parameters,
  });
  expect(submitted.status).toBe(202);
  const { job } = await waitForJob(api, user.token, submitted.body.id, 50);
  const me = (await api.call('GET', '/v1/me', { token: user.token })).body;
  const clips = (await api.call('GET', `/v1/projects/${project.id}/clips`, { token: user.token })).body;
  return {
    job,
    storageUsed: me.storageUsed,
    clips: clips.items,
    stray: await strayObjects(api, user.userId),
  };
}

// At 5 fps: these tests are about how jobs end, not about their pictures (20 of them run at once).
const local = { model: 'local', durationSeconds: 1, resolution: '640x360', fps: 5 };

describe('fault injection', () => {
  const cases: { name: string; parameters: object; arrange: () => void; message: RegExp }[] = [
    {
      name: 'the model refuses to start',
      parameters: { model: 'nova-reel' },
      arrange: () => {
        modelBehaviour.start = () =>
          Promise.reject(named('GenerationFailed', 'The video model is not enabled in this account.'));
      },
      message: /not enabled/,
    },
    {
      name: 'the model rejects the prompt on content policy',
      parameters: { model: 'nova-reel' },
      arrange: () => {
        modelBehaviour.check = async () => ({
          state: 'failed',
          message: "The prompt was blocked by the model's content filters; rephrase it and try again.",
        });
      },
      message: /content filters/,
    },
    {
      name: 'the transcode fails',
      parameters: local,
      arrange: () => {
        fault = (state) => {
          if (state === 'Transcode')
            throw named('MediaConvert.JobFailed', 'the input has no decodable video');
        };
      },
      // MediaConvert's own words stay in the log.
      message: /^The video could not be transcoded; nothing was charged/,
    },
    {
      name: 'the database fails while registering the clip',
      parameters: local,
      arrange: () => {
        fault = (state) => {
          if (state === 'RegisterClip') throw named('DatabaseErrorException', 'connection reset');
        };
      },
      message: /^A temporary service problem stopped the job; nothing was charged/,
    },
    {
      name: 'S3 fails while preparing the transcode',
      parameters: local,
      arrange: () => {
        fault = (state) => {
          if (state === 'BuildTranscodeSettings')
            throw named('InternalError', 'We encountered an internal error.');
        };
      },
      message: /^A temporary service problem stopped the job/,
    },
    {
      name: 'marking the job as processing fails',
      parameters: local,
      arrange: () => {
        fault = (state) => {
          // A GENERATE job is marked running by MarkGenerating, once it has its model's capacity.
          if (state === 'MarkProcessing' || state === 'MarkGenerating')
            throw named('DatabaseErrorException', 'too many connections');
        };
      },
      message: /temporary service problem/,
    },
    {
      // A model whose output never lands: only the safety-net check (CheckGeneration) looks at it.
      name: 'checking the generation fails',
      parameters: { model: 'nova-reel' },
      arrange: () => {
        fault = (state) => {
          if (state === 'CheckGeneration') throw named('GenerationFailed', 'The model stopped responding.');
        };
      },
      message: /stopped responding/,
    },
  ];

  it.each(cases)('$name: FAILED with a clear message, nothing stored, nothing charged', async (c) => {
    c.arrange();
    const result = await runFailing(c.parameters);
    expect(result.job.status).toBe('FAILED');
    expect(result.job.errorMessage).toMatch(c.message);
    expect(result.storageUsed).toBe(0);
    expect(result.clips).toEqual([]);
    expect(result.stray).toEqual([]);
  });

  it('ends a model that never finishes with a timeout message', async () => {
    // StartGeneration's wait and CheckGeneration's 9 looks each last 32 × pollMs: 16 s at the 50 ms of the
    // other tests. Nothing here renders or competes for the CPU, so a shorter poll only shortens the waits.
    // One environment runs in a process at a time: the shared one stops meanwhile.
    await api.stop();
    api = await startScripted(10);
    try {
      const result = await runFailing({ model: 'nova-reel' });
      expect(result.job.status).toBe('FAILED');
      expect(result.job.errorMessage).toMatch(/did not finish/);
      expect(result.stray).toEqual([]);
    } finally {
      await api.stop();
      api = await startScripted(50);
    }
  }, 60_000);
});

describe('a local render still running when the job fails', () => {
  it('is stopped before the cleanup, so it cannot put its output back afterwards', async () => {
    const user = await api.newUser();
    const project = (await api.call('POST', '/v1/projects', { token: user.token, body: { title: 'r' } }))
      .body;
    const store = api.env.ctx.store;
    const model = createLocalVideoModel(store);
    const tasks = createPipelineTasks({
      users: api.env.ctx.users,
      jobs: api.env.ctx.jobs,
      clips: api.env.ctx.clips,
      store,
      models: { local: model },
      prober: { probe: () => Promise.reject(new Error('not used')) },
    });
    const jobId = randomUUID();
    const { handle } = await model.start({
      jobId,
      prompt: 'a render that outlives its job',
      params: { model: 'local', durationSeconds: 4, resolution: '640x360' },
      outputPrefix: `work/${user.userId}/${jobId}/generation/`,
    });
    await tasks.markFailed({
      jobId,
      userId: user.userId,
      projectId: project.id,
      jobType: 'GENERATE',
      error: { Error: 'GenerationFailed', Cause: 'The model stopped responding.' },
    });
    // However long the render would have taken, it has nothing left to write.
    let status = await model.check(handle);
    while (status.state === 'running') {
      await new Promise((r) => setTimeout(r, 100));
      status = await model.check(handle);
    }
    expect(status.state).toBe('failed');
    expect(await strayObjects(api, user.userId)).toEqual([]);
  });
});

describe('start image', () => {
  it('hands Nova Reel the full-size poster frame of a 1280x720 clip', async () => {
    const user = await api.newUser();
    const project = (await api.call('POST', '/v1/projects', { token: user.token, body: { title: 'i' } }))
      .body;
    const source = await generateClip(api, user.token, project.id, {
      durationSeconds: 1,
      resolution: '1280x720',
    });
    let seen: GenerationRequest | undefined;
    modelBehaviour.start = async (request) => {
      seen = request;
      return { handle: 'h' };
    };
    modelBehaviour.check = async () => ({ state: 'failed', message: 'stop here' });
    const submitted = await submit(api, user.token, project.id, {
      jobType: 'GENERATE',
      prompt: 'the same scene at night',
      parameters: { model: 'nova-reel', imageClipId: source.id },
    });
    expect(submitted.status).toBe(202);
    await waitForJob(api, user.token, submitted.body.id, 50);
    const poster = `users/${user.userId}/projects/${project.id}/clips/${source.id}/poster.0000000.jpg`;
    expect(seen?.image).toEqual({ key: poster, format: 'jpeg' });
    expect(await api.env.ctx.store.head(poster)).toMatchObject({ size: expect.any(Number) });
  });
});

describe('cancel', () => {
  it('stops a running job, removes its artifacts and charges nothing', async () => {
    const user = await api.newUser();
    const project = (await api.call('POST', '/v1/projects', { token: user.token, body: { title: 'c' } }))
      .body;
    const submitted = await submit(api, user.token, project.id, {
      jobType: 'GENERATE',
      prompt: 'a long test pattern',
      parameters: { model: 'local', durationSeconds: 25, resolution: '1280x720' },
    });
    let status = submitted.body.status;
    for (let i = 0; i < 200 && status !== 'PROCESSING'; i += 1) {
      await new Promise((r) => setTimeout(r, 25));
      status = (await api.call('GET', `/v1/jobs/${submitted.body.id}`, { token: user.token })).body.status;
    }
    expect(status).toBe('PROCESSING');
    const cancelled = await api.call('POST', `/v1/jobs/${submitted.body.id}/cancel`, { token: user.token });
    expect(cancelled.status).toBe(200);
    await api.env.idle();
    const job = (await api.call('GET', `/v1/jobs/${submitted.body.id}`, { token: user.token })).body;
    expect(job).toMatchObject({ status: 'FAILED', errorMessage: 'Cancelled by user.', clipId: null });
    expect((await api.call('GET', '/v1/me', { token: user.token })).body.storageUsed).toBe(0);
    expect(await strayObjects(api, user.userId)).toEqual([]);
  });

  it('answers while the task it stopped is still running; that task ends on its own and nothing is left', async () => {
    const user = await api.newUser();
    const project = (await api.call('POST', '/v1/projects', { token: user.token, body: { title: 'c' } }))
      .body;
    let reached!: () => void;
    let release!: () => void;
    const inTask = new Promise<void>((r) => {
      reached = r;
    });
    const released = new Promise<void>((r) => {
      release = r;
    });
    fault = async (state) => {
      if (state !== 'StartGeneration') return;
      reached();
      await released;
    };
    const submitted = await submit(api, user.token, project.id, {
      jobType: 'GENERATE',
      prompt: 'a held test pattern',
      parameters: { model: 'local', durationSeconds: 2, resolution: '640x360' },
    });
    expect(submitted.status).toBe(202);
    await inTask;
    // The task is held until the answer has arrived: a cancel that waited for it would never answer.
    const cancelled = await api.call('POST', `/v1/jobs/${submitted.body.id}/cancel`, { token: user.token });
    release();
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'FAILED', errorMessage: 'Cancelled by user.' });
    await api.env.idle();
    const job = (await api.call('GET', `/v1/jobs/${submitted.body.id}`, { token: user.token })).body;
    expect(job).toMatchObject({ status: 'FAILED', clipId: null });
    expect((await api.call('GET', '/v1/me', { token: user.token })).body.storageUsed).toBe(0);
    expect(await strayObjects(api, user.userId)).toEqual([]);
  });
});

describe('concurrency', () => {
  it('brings 20 concurrent jobs to a terminal state', async () => {
    const user = await api.newUser();
    await api.env.ctx.users.changeTier(user.userId, 'ENTERPRISE');
    const project = (await api.call('POST', '/v1/projects', { token: user.token, body: { title: 'many' } }))
      .body;
    const submitted = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        submit(api, user.token, project.id, {
          jobType: 'GENERATE',
          prompt: `pattern ${i}`,
          parameters: { ...local, seed: i },
        }),
      ),
    );
    expect(submitted.map((s) => s.status)).toEqual(Array(20).fill(202));
    const ended = await Promise.all(submitted.map((s) => waitForJob(api, user.token, s.body.id, 200)));
    expect(ended.filter((e) => e.job.status !== 'COMPLETED').map((e) => e.job.errorMessage)).toEqual([]);
    const me = (await api.call('GET', '/v1/me', { token: user.token })).body;
    const clips = await Promise.all(
      ended.map(
        async (e) => (await api.call('GET', `/v1/clips/${e.job.clipId}`, { token: user.token })).body,
      ),
    );
    expect(me.storageUsed).toBe(clips.reduce((sum, c) => sum + c.storageBytes, 0));
  }, 240_000);
});
