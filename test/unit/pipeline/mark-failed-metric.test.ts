import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PipelineState } from '#shared/pipeline/tasks.ts';

const markFailed = vi.fn<(state: PipelineState) => Promise<void>>();
vi.mock('#shared/runtime/pipeline-aws.ts', () => ({
  pipelineRuntime: () => ({ tasks: { markFailed }, logger: { appendKeys() {}, warn() {} } }),
}));

const state = (error: PipelineState['error']) => ({ jobId: 'j1', error }) as unknown as PipelineState;

describe('MarkFailed Lambda', () => {
  let lines: string[];
  beforeEach(() => {
    vi.stubEnv('STAGE', 'staging');
    lines = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    markFailed.mockReset();
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });
  const emf = () => lines.filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l));

  it('publishes one failure of its class once the job is closed', async () => {
    markFailed.mockResolvedValue(undefined);
    const { handler } = await import('#functions/pipeline/mark-failed.ts');
    await handler(
      state({
        Error: 'GenerationFailed',
        Cause: JSON.stringify({ errorMessage: "The prompt was blocked by nova-reel's content filters." }),
      }),
    );
    expect(markFailed).toHaveBeenCalledTimes(1);
    expect(emf()).toEqual([
      expect.objectContaining({
        failureClass: 'user',
        service: 'ai-video-pipeline',
        stage: 'staging',
        JobFailures: 1,
      }),
    ]);
  });

  it('publishes nothing when closing the job failed (the state machine retries and counts it then)', async () => {
    markFailed.mockRejectedValue(Object.assign(new Error('db down'), { name: 'DatabaseErrorException' }));
    const { handler } = await import('#functions/pipeline/mark-failed.ts');
    await expect(handler(state({ Error: 'States.TaskFailed', Cause: 'x' }))).rejects.toThrow('db down');
    expect(emf()).toEqual([]);
  });
});

describe('execution-ended Lambda', () => {
  let lines: string[];
  beforeEach(() => {
    vi.stubEnv('STAGE', 'prod');
    lines = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    markFailed.mockReset();
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });
  const emf = () => lines.filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l));
  const ended = (status: string, error?: string) => ({
    detail: {
      status,
      input: JSON.stringify({ jobId: 'j1', userId: 'u1', projectId: 'p1', jobType: 'GENERATE' }),
      error: error ?? null,
      cause: null,
    },
  });

  it('counts endings that never reached MarkFailed: a timeout as system, a stop as user', async () => {
    markFailed.mockResolvedValue(undefined);
    const { handler } = await import('#functions/events/execution-ended.ts');
    await handler(ended('TIMED_OUT'));
    await handler(ended('ABORTED'));
    expect(markFailed).toHaveBeenCalledTimes(2);
    expect(emf().map((m) => [m.failureClass, m.JobFailures, m.stage])).toEqual([
      ['system', 1, 'prod'],
      ['user', 1, 'prod'],
    ]);
  });

  it('counts nothing for an execution that ended in its own JobFailed state (MarkFailed counted it)', async () => {
    const { handler } = await import('#functions/events/execution-ended.ts');
    await handler(ended('FAILED', 'JobFailed'));
    expect(markFailed).not.toHaveBeenCalled();
    expect(emf()).toEqual([]);
  });
});
