import { readFileSync } from 'node:fs';
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

describe('a pipeline task whose database stays unavailable', () => {
  it('fails as DatabaseUnavailable, which the state machine retries where a step can run twice', async () => {
    const { ServiceUnavailableError } = await import('#shared/errors.ts');
    const wrapped = new Error('Failed query: select 1\nparams: ', {
      cause: new ServiceUnavailableError('The database is resuming.', 5),
    });
    failing.mockRejectedValueOnce(wrapped);
    const { pipelineTask } = await import('#functions/pipeline/task.ts');
    await expect(pipelineTask('registerClip')({ jobId: 'j' } as never)).rejects.toMatchObject({
      name: 'DatabaseUnavailable',
    });
    const asl = JSON.parse(
      readFileSync(new URL('../../../state-machines/generation-job.asl.json', import.meta.url), 'utf8'),
    ) as { States: Record<string, { Retry?: { ErrorEquals: string[] }[] }> };
    const retried = Object.entries(asl.States)
      .filter(([, s]) => s.Retry?.some((r) => r.ErrorEquals.includes('DatabaseUnavailable')))
      .map(([name]) => name);
    // Not MarkProcessing or StartGeneration: a second run after a partial first would conflict or pay twice.
    // AcquireCapacity may: a second run re-enters the line or takes up the unit the first was handed.
    expect(retried.sort()).toEqual([
      'AcquireCapacity',
      'BuildTranscodeSettings',
      'CheckGeneration',
      'RegisterClip',
    ]);
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
