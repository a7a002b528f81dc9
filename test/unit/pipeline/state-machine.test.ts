import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadDefinition } from '#infra/local/workflow.ts';

const require = createRequire(import.meta.url);
const validate = require('asl-validator') as (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };

interface State {
  Type: string;
  Resource?: string;
  Next?: string;
  End?: boolean;
  Retry?: { ErrorEquals: string[]; MaxAttempts?: number; BackoffRate?: number }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
}
const definition = loadDefinition() as { StartAt: string; States: Record<string, State> };
const states = Object.entries(definition.States);
const tasks = states.filter(([, s]) => s.Type === 'Task');

describe('generation-job.asl.json', () => {
  it('is valid Amazon States Language with its placeholders filled', () => {
    const result = validate(definition, { checkPaths: true, checkArn: true });
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('routes every failure of every task except MarkFailed to MarkFailed', () => {
    for (const [name, state] of tasks) {
      if (name === 'MarkFailed') continue;
      const catchAll = state.Catch?.find((c) => c.ErrorEquals.includes('States.ALL'));
      expect(catchAll?.Next, name).toBe('MarkFailed');
    }
  });

  it('retries transient Lambda errors with growing backoff in every Lambda task', () => {
    for (const [name, state] of tasks.filter(([, s]) => s.Resource?.includes(':function:'))) {
      const transient = state.Retry?.find(
        (r) =>
          r.ErrorEquals.includes('Lambda.TooManyRequestsException') || r.ErrorEquals.includes('States.ALL'),
      );
      expect(transient, name).toBeDefined();
      expect(transient!.BackoffRate!, name).toBeGreaterThan(1);
    }
  });

  it('transcodes through the MediaConvert .sync integration with the substituted role', () => {
    const transcode = definition.States.Transcode!;
    expect(transcode.Resource).toBe('arn:aws:states:::mediaconvert:createJob.sync');
    expect(JSON.stringify(transcode)).toContain('arn:aws:iam::000000000000:role/MediaConvertRoleArn');
  });

  it('polls the model in a bounded loop that ends in a timeout failure', () => {
    const check = definition.States.CheckGeneration!;
    const poll = check.Retry!.find((r) => r.ErrorEquals.includes('GenerationPending'))!;
    expect(poll.MaxAttempts).toBeGreaterThan(0);
    expect(poll.MaxAttempts).toBeLessThanOrEqual(200);
    const exhausted = check.Catch!.find((c) => c.ErrorEquals.includes('GenerationPending'))!;
    expect(definition.States[exhausted.Next]).toMatchObject({ Next: 'MarkFailed' });
  });

  it('uses exactly the placeholders CDK substitutes', async () => {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(
      new URL('../../../state-machines/generation-job.asl.json', import.meta.url),
      'utf8',
    );
    const found = [...new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]))].sort();
    const { PIPELINE_TASKS } = await import('#infra/functions.ts');
    expect(found).toEqual([...PIPELINE_TASKS.map((t) => t.placeholder), 'MediaConvertRoleArn'].sort());
  });
});
