import { describe, expect, it, vi } from 'vitest';
import { withoutQueryParams } from '#shared/db/errors.ts';

const failing = vi.fn();
const warnings: unknown[] = [];
vi.mock('#shared/runtime/pipeline-aws.ts', () => ({
  pipelineRuntime: () => ({
    tasks: { registerClip: failing },
    logger: { appendKeys: () => {}, warn: (_m: string, detail: unknown) => warnings.push(detail) },
  }),
}));

describe('a pipeline task that fails in a query', () => {
  it('rethrows under the same name without the parameters, which would reach the execution history', async () => {
    const drizzle = new Error(
      'Failed query: insert into "video_clips" values ($1, $2)\nparams: a fox in snow,ada@example.com',
    );
    drizzle.name = 'DrizzleQueryError';
    failing.mockRejectedValueOnce(drizzle);
    const { pipelineTask } = await import('#functions/pipeline/task.ts');
    const thrown = await pipelineTask('registerClip')({ jobId: 'j' } as never).catch((e: Error) => e);
    expect(thrown).toMatchObject({ name: 'DrizzleQueryError' });
    expect((thrown as Error).message).toContain('Failed query: insert into "video_clips"');
    expect((thrown as Error).message).not.toMatch(/fox|ada@example/);
    expect(JSON.stringify(warnings)).not.toMatch(/fox|ada@example/);
  });

  it('leaves other failures as they are', async () => {
    const other = Object.assign(new Error('still generating'), { name: 'GenerationPending' });
    failing.mockRejectedValueOnce(other);
    const { pipelineTask } = await import('#functions/pipeline/task.ts');
    await expect(pipelineTask('registerClip')({ jobId: 'j' } as never)).rejects.toBe(other);
  });
});

describe('withoutQueryParams', () => {
  it('keeps the statement and drops what follows "params:"', () => {
    expect(withoutQueryParams('Failed query: select $1\nparams: secret')).toBe(
      'Failed query: select $1\nparams: [redacted]',
    );
    expect(withoutQueryParams('plain text')).toBe('plain text');
  });
});
