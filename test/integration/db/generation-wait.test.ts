/**
 * A GENERATE job waiting on a task token for its model's output: the event hands the run over once, a
 * duplicate or late event changes nothing, the safety-net check hands over, waits again or fails, and a
 * failed or cancelled job leaves no token behind.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import type { GenerationStatus, VideoModel } from '#shared/generation/port.ts';
import { type GenerationRun, parseOutputKey, type TaskTokens } from '#shared/pipeline/generation-wait.ts';
import { createPipelineTasks } from '#shared/pipeline/tasks.ts';
import type { ObjectStore } from '#shared/storage/port.ts';
import { describeEachDriver, type TestDatabase } from '#test/support/db-drivers.ts';
import { type Repositories, repositoriesFor } from '#test/support/repositories.ts';

const store: ObjectStore = {
  bucket: 'media',
  putFile: () => Promise.reject(new Error('unused')),
  putBytes: () => Promise.reject(new Error('unused')),
  downloadToFile: () => Promise.reject(new Error('unused')),
  head: async () => null,
  readBytes: async () => null,
  list: async () => [],
  deleteKeys: async () => {},
  deletePrefix: async () => 0,
};

describeEachDriver('waiting for the model output on', (driver) => {
  let t: TestDatabase;
  let repos: Repositories;
  let tasks: ReturnType<typeof createPipelineTasks>;
  let status: GenerationStatus;
  /** Tokens Step Functions still waits on; succeed answers each at most once. */
  const open = new Set<string>();
  const resumed: { token: string; output: GenerationRun }[] = [];
  const tokens: TaskTokens = {
    async succeed(token, output) {
      if (!open.delete(token)) return false;
      resumed.push({ token, output: output as GenerationRun });
      return true;
    },
  };
  const collectOutput = vi.fn(async (_bucket: string, _key: string) => {});
  const model: VideoModel = {
    id: 'local',
    start: async ({ jobId }) => ({ handle: `run-${jobId}` }),
    check: async () => status,
    stop: vi.fn(async () => {}),
  };

  beforeAll(async () => {
    t = await driver.open();
    repos = repositoriesFor(t.db);
    tasks = createPipelineTasks({
      users: repos.users,
      jobs: repos.jobs,
      clips: repos.clips,
      store,
      models: { local: model },
      prober: { probe: () => Promise.reject(new Error('unused')) },
      waits: repos.generationWaits,
      tokens,
      collectOutput,
    });
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(() => {
    open.clear();
    resumed.length = 0;
    collectOutput.mockClear();
    status = { state: 'running' };
  });

  /** A PROCESSING GENERATE job, started with a token as the StartGeneration state does. */
  async function started() {
    const tag = randomUUID().slice(0, 8);
    const user = await repos.users.create({
      email: `w${tag}@example.com`,
      username: `w_${tag}`,
    });
    const project = await repos.projects.create(user.id, { title: 'wait' });
    const job = await repos.jobs.create({
      userId: user.id,
      projectId: project.id,
      jobType: 'GENERATE',
      prompt: 'a heron at dawn',
      parameters: { model: 'local', durationSeconds: 2, resolution: '640x360' },
      concurrentLimit: 5,
    });
    await repos.jobs.markProcessing(job.id);
    const state = { jobId: job.id, userId: user.id, projectId: project.id, jobType: 'GENERATE' as const };
    const token = `token-${randomUUID()}`;
    open.add(token);
    const run = await tasks.startGeneration(state, token);
    const key = `work/${user.id}/${job.id}/generation/inv123/output.mp4`;
    return { state, token, run, key };
  }

  it('hands the run over once when the output lands; a repeated event changes nothing', async () => {
    const { state, token, run, key } = await started();
    expect(await repos.generationWaits.find(state.jobId)).toMatchObject({
      taskToken: token,
      userId: state.userId,
    });
    expect(await tasks.generationOutputCreated('media', key)).toBe(true);
    expect(resumed).toEqual([{ token, output: { ...run, videoKey: key } }]);
    expect(collectOutput).not.toHaveBeenCalled();
    expect(await repos.generationWaits.find(state.jobId)).toBeUndefined();
    expect((await repos.jobs.getForPipeline(state.jobId)).progress).toBe(70);
    expect(await tasks.generationOutputCreated('media', key)).toBe(false);
    expect(resumed).toHaveLength(1);
  });

  it('copies an output from a model Region’s bucket into the media bucket first', async () => {
    const { token, key } = await started();
    expect(await tasks.generationOutputCreated('ai-video-model-out-dev-1-us-west-2', key)).toBe(true);
    expect(collectOutput).toHaveBeenCalledWith('ai-video-model-out-dev-1-us-west-2', key);
    expect(resumed.map((r) => r.token)).toEqual([token]);
  });

  it('ignores other objects, and a key naming another user', async () => {
    const { state, key } = await started();
    expect(await tasks.generationOutputCreated('media', key.replace('output.mp4', 'manifest.json'))).toBe(
      false,
    );
    const stranger = key.replace(state.userId, randomUUID());
    expect(await tasks.generationOutputCreated('media', stranger)).toBe(false);
    expect(resumed).toEqual([]);
    expect(await repos.generationWaits.find(state.jobId)).toBeDefined();
  });

  it('after a timeout, a late event for the old token resumes nothing; the new wait gets the output', async () => {
    const { state, token, key } = await started();
    open.delete(token); // StartGeneration timed out
    const second = `token-${randomUUID()}`;
    open.add(second);
    const run = await tasks.checkGeneration(state, second);
    expect(run.videoKey).toBeUndefined();
    expect((await repos.generationWaits.find(state.jobId))?.taskToken).toBe(second);
    expect(await tasks.generationOutputCreated('media', key)).toBe(true);
    expect(resumed.map((r) => r.token)).toEqual([second]);
  });

  it('an output that lands between two waits is handed to the next one without asking the model', async () => {
    const { state, token, run, key } = await started();
    open.delete(token); // StartGeneration timed out; CheckGeneration has not begun
    expect(await tasks.generationOutputCreated('media', key)).toBe(false);
    expect(await repos.generationWaits.find(state.jobId)).toMatchObject({ generation: { videoKey: key } });
    const second = `token-${randomUUID()}`;
    open.add(second);
    status = { state: 'running' }; // the model's own answer lags behind its output
    expect(await tasks.checkGeneration(state, second)).toEqual({ ...run, videoKey: key });
    expect(resumed).toEqual([{ token: second, output: { ...run, videoKey: key } }]);
    expect(await repos.generationWaits.find(state.jobId)).toBeUndefined();
  });

  it('the safety-net check hands a finished run over itself, and fails a failed one', async () => {
    const { state, key } = await started();
    const second = `token-${randomUUID()}`;
    open.add(second);
    status = { state: 'done', videoKey: key };
    expect(await tasks.checkGeneration(state, second)).toMatchObject({ videoKey: key });
    expect(resumed.map((r) => r.token)).toEqual([second]);
    expect(await repos.generationWaits.find(state.jobId)).toBeUndefined();

    const other = await started();
    status = { state: 'failed', message: 'The generated video was blocked by the content filters.' };
    await expect(tasks.checkGeneration(other.state, `token-${randomUUID()}`)).rejects.toMatchObject({
      name: 'GenerationFailed',
      message: 'The generated video was blocked by the content filters.',
    });
    expect(await repos.generationWaits.find(other.state.jobId)).toBeUndefined();
  });

  it('a cancelled job leaves no token, so a later output resumes nothing', async () => {
    const { state, key } = await started();
    await repos.jobs.cancel(state.userId, state.jobId);
    await tasks.markFailed({ ...state, error: { Error: 'JobCancelled', Cause: 'Cancelled by user.' } });
    expect(await repos.generationWaits.find(state.jobId)).toBeUndefined();
    expect(await tasks.generationOutputCreated('media', key)).toBe(false);
    expect(resumed).toEqual([]);
  });
});

it('parses the owner and job from a model output key, and nothing else', () => {
  const u = randomUUID();
  const j = randomUUID();
  expect(parseOutputKey(`work/${u}/${j}/generation/output.mp4`)).toEqual({ userId: u, jobId: j });
  expect(parseOutputKey(`work/${u}/${j}/generation/abc123/output.mp4`)).toEqual({ userId: u, jobId: j });
  expect(parseOutputKey(`work/${u}/${j}/generation/abc123/shot_1.mp4`)).toBeNull();
  expect(parseOutputKey(`uploads/${u}/${j}/generation/output.mp4`)).toBeNull();
  expect(parseOutputKey(`work/${u}/${j}/other/output.mp4`)).toBeNull();
});
