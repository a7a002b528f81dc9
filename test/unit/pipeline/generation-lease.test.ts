/**
 * A healthy GENERATE job's capacity lease must never lapse between renewals: the longest gap between them,
 * worked out from state-machines/generation-job.asl.json, stays under every Bedrock model's lease.
 * Renewals happen at the grant and at the start of every StartGeneration and CheckGeneration attempt.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MODELS } from '#shared/generation/models.ts';

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  BackoffRate?: number;
  MaxAttempts?: number;
  MaxDelaySeconds?: number;
}
interface TaskState {
  TimeoutSeconds?: number;
  Retry?: Retrier[];
  Next?: string;
}

const asl = JSON.parse(
  readFileSync(new URL('../../../state-machines/generation-job.asl.json', import.meta.url), 'utf8'),
) as { States: Record<string, TaskState> };
const stack = readFileSync(new URL('../../../infra/stacks/stateless.ts', import.meta.url), 'utf8');

/** The pipeline tasks' Lambda timeout, as infra/stacks/stateless.ts sets it. */
const FUNCTION_S = Number(/make\(`Pipeline-\$\{t\.file\}`[^)]*pipelineEnv, (\d+)\)/.exec(stack)?.[1]);
/**
 * An invoke reaching the renewal (its first call), or failing with a retried Lambda error: the 10 s init
 * allowance plus a DynamoDB query and update. A function that runs out of time is not among the retried
 * errors (the job goes to MarkFailed), so a failed invoke is not counted at the full timeout.
 */
const INVOKE_S = 15;

const state = (name: string) => {
  const s = asl.States[name];
  if (!s) throw new Error(`No ${name} state`);
  return s;
};
const retrier = (name: string, error: string) => {
  const r = state(name).Retry?.find((x) => x.ErrorEquals.includes(error));
  if (!r) throw new Error(`${name} does not retry ${error}`);
  return r;
};
const delay = (r: Retrier, attempt: number) =>
  Math.min(
    (r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** attempt,
    r.MaxDelaySeconds ?? Number.POSITIVE_INFINITY,
  );
/** The longest single wait before a retry (FULL jitter only shortens it). */
const longestDelay = (r: Retrier) =>
  Math.max(...Array.from({ length: r.MaxAttempts ?? 3 }, (_, k) => delay(r, k)));
/** Every retry of the state's Lambda errors, one after the other: their delays and the failed invokes. */
const lambdaFailures = (name: string) => {
  const r = retrier(name, 'Lambda.ServiceException');
  const attempts = r.MaxAttempts ?? 3;
  return (
    Array.from({ length: attempts }, (_, k) => delay(r, k)).reduce((a, b) => a + b, 0) + attempts * INVOKE_S
  );
};

function gaps() {
  // Admission: the AcquireCapacity invoke finishes, MarkGenerating runs (through its Lambda retries), then
  // StartGeneration's first attempt renews.
  expect(state('AcquireCapacity').Next).toBe('MarkGenerating');
  expect(state('MarkGenerating').Next).toBe('StartGeneration');
  const admission =
    FUNCTION_S + lambdaFailures('MarkGenerating') + FUNCTION_S + lambdaFailures('StartGeneration') + INVOKE_S;
  // A throttled start: the attempt renewed, ran to its end and threw; the next one renews.
  const throttled =
    FUNCTION_S +
    longestDelay(retrier('StartGeneration', 'ModelThrottled')) +
    lambdaFailures('StartGeneration') +
    INVOKE_S;
  // A throttled check or an unreachable database in CheckGeneration, likewise.
  const failedCheck =
    FUNCTION_S +
    Math.max(
      longestDelay(retrier('CheckGeneration', 'ModelThrottled')),
      longestDelay(retrier('CheckGeneration', 'DatabaseUnavailable')),
    ) +
    lambdaFailures('CheckGeneration') +
    INVOKE_S;
  // Waiting for the output: the waiting state (StartGeneration or a CheckGeneration attempt) renewed after
  // it was entered and times out TimeoutSeconds after that; CheckGeneration then starts (its timeout
  // retry waits IntervalSeconds first).
  const waitTimeout = Math.max(
    state('StartGeneration').TimeoutSeconds!,
    state('CheckGeneration').TimeoutSeconds!,
  );
  const waiting =
    waitTimeout +
    longestDelay(retrier('CheckGeneration', 'States.Timeout')) +
    lambdaFailures('CheckGeneration') +
    INVOKE_S;
  return { admission, throttled, failedCheck, waiting };
}

describe('capacity lease renewals in generation-job.asl.json', () => {
  it('finds the Lambda timeout of the pipeline tasks', () => {
    expect(FUNCTION_S).toBeGreaterThan(0);
  });

  it('leaves no gap between renewals as long as a Bedrock lease', () => {
    const g = gaps();
    expect(g).toEqual({ admission: 347, throttled: 332, failedCheck: 332, waiting: 393 });
    const worst = Math.max(...Object.values(g));
    for (const spec of Object.values(MODELS)) {
      if (spec.id === 'local') continue;
      expect(spec.capacity.leaseSeconds, spec.id).toBeGreaterThan(worst);
      // Still short: a crashed execution frees its unit within minutes, not the old 50.
      expect(spec.capacity.leaseSeconds, spec.id).toBeLessThanOrEqual(15 * 60);
    }
  });

  it('has a waiting-state timeout that two renewals fit under the lease', () => {
    for (const spec of Object.values(MODELS)) {
      if (spec.id === 'local') continue;
      expect(spec.capacity.leaseSeconds).toBeGreaterThan(2 * state('CheckGeneration').TimeoutSeconds!);
    }
  });
});
