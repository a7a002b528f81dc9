/**
 * state-machines/generation-job.asl.json, validated with asl-validator (v4) once its ${Placeholders} are
 * replaced by plausible ARNs, and checked for the failure handling the pipeline relies on.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as mediaConvert from '@aws-sdk/client-mediaconvert';
import { describe, expect, it } from 'vitest';
import { ModelThrottled } from '#shared/generation/bedrock-async.ts';
import { EXECUTION_TIMEOUT_SECONDS } from '#shared/workflow/execution-timeout.ts';

const require = createRequire(import.meta.url);
/** asl-validator v4 is CommonJS: `module.exports = function validator(definition, opts?)`. */
const aslValidator = require('asl-validator') as (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errors: { message: string }[]; errorsText: (separator?: string) => string };

const TEXT = readFileSync(
  new URL('../../../state-machines/generation-job.asl.json', import.meta.url),
  'utf8',
);

const PLACEHOLDERS = [
  'AcquireCapacityFunctionArn',
  'BuildTranscodeSettingsFunctionArn',
  'CheckGenerationFunctionArn',
  'MarkFailedFunctionArn',
  'MarkProcessingFunctionArn',
  'MediaConvertRoleArn',
  'RegisterClipFunctionArn',
  'StartGenerationFunctionArn',
];
const ROLE_ARN = 'arn:aws:iam::123456789012:role/mc';
const arnFor = (name: string) => {
  if (name === 'MediaConvertRoleArn') return ROLE_ARN;
  // MarkProcessingFunctionArn -> mark-processing
  const fn = name
    .replace(/FunctionArn$/, '')
    .replace(/[A-Z]/g, (c, i: number) => `${i ? '-' : ''}${c.toLowerCase()}`);
  return `arn:aws:lambda:us-east-1:123456789012:function:${fn}`;
};

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
}
interface State {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  Parameters?: Record<string, unknown>;
  Next?: string;
  End?: boolean;
  Retry?: Retrier[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string }[];
}
interface Definition {
  StartAt: string;
  States: Record<string, State>;
}

/** A fresh copy each time: the validator writes QueryLanguage into the states it checks. */
const substituted = () =>
  JSON.parse(TEXT.replace(/\$\{(\w+)\}/g, (_m, name: string) => arnFor(name))) as Definition;
const definition = substituted();
const states = Object.entries(definition.States);
const tasks = states.filter(([, s]) => s.Type === 'Task');
const WAIT_FOR_TOKEN = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
const lambdaTasks = tasks.filter(
  ([, s]) => s.Resource?.startsWith('arn:aws:lambda:') || s.Resource === WAIT_FOR_TOKEN,
);
const state = (name: string) => {
  const found = definition.States[name];
  if (!found) throw new Error(`no state ${name}`);
  return found;
};

const LAMBDA_TRANSIENT = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/**
 * Every error name a retrier or catcher may name, by where it can be raised; a name outside these is never
 * raised, so the retrier or catcher naming it never matches.
 */
// The Amazon States Language's own (Step Functions developer guide, "Handling errors in Step Functions
// workflows", Error names).
const STATES_ERRORS = [
  'States.ALL',
  'States.BranchFailed',
  'States.DataLimitExceeded',
  'States.ExceedToleratedFailureThreshold',
  'States.HeartbeatTimeout',
  'States.Http.Socket',
  'States.IntrinsicFailure',
  'States.ItemReaderFailed',
  'States.NoChoiceMatched',
  'States.ParameterPathFailure',
  'States.Permissions',
  'States.QueryEvaluationError',
  'States.ResultPathMatchFailure',
  'States.ResultWriterFailed',
  'States.Runtime',
  'States.TaskFailed',
  'States.Timeout',
];
// The Lambda service's own failures as Step Functions reports them (developer guide, best practices,
// "Handle Lambda service exceptions"): the transient 500s, the invocation limit, and Lambda.Unknown.
const LAMBDA_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
];
// A service's API errors reach a Task state as `ServiceName.ErrorName` (developer guide, "AWS SDK service
// integrations"): for MediaConvert, its API's exceptions, the classes its SDK client exports.
const MEDIACONVERT_ERRORS = Object.entries(mediaConvert)
  .filter(
    ([, value]) =>
      typeof value === 'function' && value.prototype instanceof mediaConvert.MediaConvertServiceException,
  )
  .map(([name]) => `MediaConvert.${name}`);
// What the tasks throw by name: the Lambda runtime reports an error's `name` as its errorType, which is the
// error name Step Functions matches (DatabaseUnavailable: functions/pipeline/task.ts, task-errors.test.ts).
const TASK_ERRORS = [new ModelThrottled('').name, 'DatabaseUnavailable'];

/** The error names that can be raised in a Task state, by what it runs. */
function raisable(s: State): string[] {
  if (s.Resource === 'arn:aws:states:::mediaconvert:createJob.sync')
    return [...STATES_ERRORS, ...MEDIACONVERT_ERRORS];
  return [...STATES_ERRORS, ...LAMBDA_ERRORS, ...TASK_ERRORS];
}

describe('generation-job.asl.json', () => {
  it('names only errors that exist in its retriers and catchers, each where it can be raised', () => {
    // The SDK's list, as the MediaConvert API reference gives it.
    expect(MEDIACONVERT_ERRORS).toEqual(
      expect.arrayContaining([
        'MediaConvert.BadRequestException',
        'MediaConvert.ConflictException',
        'MediaConvert.ForbiddenException',
        'MediaConvert.InternalServerErrorException',
        'MediaConvert.NotFoundException',
        'MediaConvert.TooManyRequestsException',
      ]),
    );
    for (const [name, s] of tasks) {
      const named = [...(s.Retry ?? []), ...(s.Catch ?? [])].flatMap((r) => r.ErrorEquals);
      for (const error of named) expect(raisable(s), `${name}: ${error}`).toContain(error);
    }
  });

  it('retries the transient MediaConvert API errors of the transcode', () => {
    const retrier = state('Transcode').Retry?.find((r) =>
      r.ErrorEquals.some((e) => e.startsWith('MediaConvert.')),
    );
    expect(retrier?.ErrorEquals.sort()).toEqual([
      'MediaConvert.InternalServerErrorException',
      'MediaConvert.TooManyRequestsException',
    ]);
    expect(retrier?.BackoffRate).toBeGreaterThan(1);
  });

  it('uses exactly the known placeholders, all in Resource, FunctionName or the MediaConvert Role', () => {
    const found = [...new Set([...TEXT.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]))].sort();
    expect(found).toEqual(PLACEHOLDERS);
    const raw = JSON.parse(TEXT) as Definition;
    const lambdaPlaceholders = Object.values(raw.States)
      .map((s) => (s.Resource === WAIT_FOR_TOKEN ? (s.Parameters?.FunctionName as string) : s.Resource))
      .filter((r) => r?.startsWith('${'))
      .sort();
    // MarkProcessing's function runs in two states (after admission for GENERATE, at once otherwise).
    expect([...new Set(lambdaPlaceholders)]).toEqual(
      PLACEHOLDERS.filter((p) => p.endsWith('FunctionArn')).map((p) => `\${${p}}`),
    );
    expect(raw.States.Transcode?.Parameters?.Role).toBe(`\${MediaConvertRoleArn}`);
  });

  it('is valid Amazon States Language once its placeholders are ARNs (paths and ARNs checked)', () => {
    const result = aslValidator(substituted(), { checkPaths: true, checkArn: true });
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
    expect(state('MarkProcessing').Resource).toBe(
      'arn:aws:lambda:us-east-1:123456789012:function:mark-processing',
    );
    expect(state('Transcode').Parameters?.Role).toBe(ROLE_ARN);
  });

  it('the validator rejects a broken copy (a missing target, a non-ARN resource)', () => {
    const brokenTarget = substituted();
    brokenTarget.States.RegisterClip!.Catch![0]!.Next = 'Nowhere';
    const a = aslValidator(brokenTarget, { checkPaths: true, checkArn: true });
    expect(a.isValid).toBe(false);
    expect(a.errorsText()).toContain('Nowhere');

    const badArn = substituted();
    badArn.States.MarkProcessing!.Resource = 'mark-processing';
    expect(aslValidator(badArn, { checkPaths: true, checkArn: true }).isValid).toBe(false);
  });

  it('has the Lambda tasks and the MediaConvert task it is meant to have', () => {
    expect(lambdaTasks.map(([name]) => name).sort()).toEqual([
      'AcquireCapacity',
      'BuildTranscodeSettings',
      'CheckGeneration',
      'MarkFailed',
      'MarkGenerating',
      'MarkProcessing',
      'RegisterClip',
      'StartGeneration',
    ]);
    expect(tasks.map(([name]) => name)).toContain('Transcode');
  });

  it('routes every failure of every task except MarkFailed to MarkFailed', () => {
    for (const [name, s] of tasks) {
      if (name === 'MarkFailed') continue;
      const catchers = s.Catch ?? [];
      const all = catchers.find((c) => c.ErrorEquals.includes('States.ALL'));
      expect(all?.Next, name).toBe('MarkFailed');
      // States.ALL must be alone and last, and keep the input (the error goes under $.error).
      expect(all?.ErrorEquals, name).toEqual(['States.ALL']);
      expect(catchers.at(-1), name).toBe(all);
      expect(all?.ResultPath, name).toBe('$.error');
    }
    expect(state('MarkFailed').Catch).toBeUndefined();
    expect(state('MarkFailed').Next).toBe('JobFailed');
    expect(state('JobFailed').Type).toBe('Fail');
  });

  it('transcodes through the MediaConvert .sync integration', () => {
    const transcode = state('Transcode');
    expect(transcode.Type).toBe('Task');
    expect(transcode.Resource).toBe('arn:aws:states:::mediaconvert:createJob.sync');
    expect(transcode.Parameters).toMatchObject({
      Role: ROLE_ARN,
      'Settings.$': '$.transcode.settings',
      'UserMetadata.$': '$.transcode.userMetadata',
      // A CreateJob retried after an error whose outcome is unknown (InternalServerErrorException) gets the
      // first job back instead of a second one when it reuses the token within a minute (MediaConvert API
      // reference, CreateJob clientRequestToken); one job id makes one transcode.
      'ClientRequestToken.$': '$.jobId',
    });
    expect(transcode.Next).toBe('RegisterClip');
  });

  it('retries transient Lambda errors with a growing backoff in every Lambda task', () => {
    for (const [name, s] of lambdaTasks) {
      const transient = (s.Retry ?? []).find(
        (r) =>
          LAMBDA_TRANSIENT.every((e) => r.ErrorEquals.includes(e)) || r.ErrorEquals.includes('States.ALL'),
      );
      expect(transient, name).toBeDefined();
      expect(transient!.BackoffRate, name).toBeGreaterThan(1);
      expect(transient!.MaxAttempts, name).toBeGreaterThan(1);
      expect(transient!.MaxAttempts, name).toBeLessThanOrEqual(10);
    }
  });

  it("waits for the model's output on a task token, with a bounded safety-net poll behind it", () => {
    const payload = { 'state.$': '$', 'taskToken.$': '$$.Task.Token' };
    const start = state('StartGeneration');
    const check = state('CheckGeneration');
    for (const s of [start, check]) {
      expect(s.Resource).toBe(WAIT_FOR_TOKEN);
      expect(s.Parameters?.Payload).toEqual(payload);
      expect(s.Next).toBe('BuildTranscodeSettings');
    }
    // No event within the timeout: CheckGeneration asks the model (the run stays where it was).
    expect(start.Catch!.map((c) => [c.ErrorEquals, c.Next, c.ResultPath])).toEqual([
      [['States.Timeout'], 'CheckGeneration', null],
      [['States.ALL'], 'MarkFailed', '$.error'],
    ]);
    // Each timeout of CheckGeneration is one more look; the last one ends in GenerationTimedOut.
    const poll = check.Retry!.find((r) => r.ErrorEquals.includes('States.Timeout'))!;
    expect(poll).toMatchObject({ ErrorEquals: ['States.Timeout'], BackoffRate: 1 });
    const looks = 1 + poll.MaxAttempts!;
    // The StartGeneration wait and every look: the 40 minutes GenerationTimedOut reports.
    expect(start.TimeoutSeconds! + looks * check.TimeoutSeconds!).toBe(40 * 60);
    expect(check.Catch!.map((c) => c.ErrorEquals)).toEqual([['States.Timeout'], ['States.ALL']]);
    expect(check.Catch![0]!.Next).toBe('GenerationTimedOut');
    expect(state('GenerationTimedOut')).toMatchObject({
      Type: 'Pass',
      Parameters: { Error: 'GenerationTimedOut', Cause: expect.stringContaining('40 minutes') },
      ResultPath: '$.error',
      Next: 'MarkFailed',
    });
  });

  it('makes a GENERATE job wait for model capacity before it is marked running, and only it', () => {
    expect(definition.StartAt).toBe('RouteByJobType');
    const route = state('RouteByJobType') as State & {
      Choices: { Variable: string; StringEquals: string; Next: string }[];
      Default: string;
    };
    expect(route.Choices).toEqual([
      { Variable: '$.jobType', StringEquals: 'GENERATE', Next: 'AcquireCapacity' },
    ]);
    expect(route.Default).toBe('MarkProcessing');
    const acquire = state('AcquireCapacity');
    expect(acquire.Resource).toBe(WAIT_FOR_TOKEN);
    expect(acquire.Parameters?.Payload).toEqual({ 'state.$': '$', 'taskToken.$': '$$.Task.Token' });
    expect(acquire.Next).toBe('MarkGenerating');
    expect(state('MarkGenerating').Resource).toBe(state('MarkProcessing').Resource);
    expect(state('MarkGenerating').Next).toBe('StartGeneration');
    expect(state('MarkProcessing').Next).toBe('BuildTranscodeSettings');
    // The safety net: every timeout is one more try with a new token, for longer than the execution may run.
    const retry = acquire.Retry!.find((r) => r.ErrorEquals.includes('States.Timeout'))!;
    expect(retry).toMatchObject({ BackoffRate: 1 });
    expect(acquire.TimeoutSeconds!).toBeLessThanOrEqual(120);
    expect(acquire.TimeoutSeconds! * (1 + retry.MaxAttempts!)).toBeGreaterThanOrEqual(
      EXECUTION_TIMEOUT_SECONDS,
    );
  });

  it('backs off a throttled model for as long as the execution may run, in both generation states', () => {
    for (const name of ['StartGeneration', 'CheckGeneration']) {
      const throttled = state(name).Retry!.filter((r) => r.ErrorEquals.includes('ModelThrottled'));
      expect(throttled, name).toHaveLength(1);
      const r = throttled[0]! as Retrier & { MaxDelaySeconds?: number };
      expect(r.ErrorEquals).toEqual(['ModelThrottled']);
      expect(r.MaxDelaySeconds).toBeGreaterThan(0);
      // With full jitter a wait averages half its cap: the attempts still span the 2-hour execution.
      expect((r.MaxAttempts! * r.MaxDelaySeconds!) / 2).toBeGreaterThanOrEqual(3600);
    }
  });
});
