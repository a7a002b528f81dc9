/**
 * Runs state-machines/generation-job.asl.json locally with aws-local-stepfunctions: the same definition
 * CDK deploys, every Task overridden by the local implementation of the same task (Transcode by the ffmpeg
 * executor of the same MediaConvert Settings), and Wait/Retry intervals shortened.
 *
 * The runner has no task tokens, so the `.waitForTaskToken` states are played here: the task runs with a
 * fresh token, then the state waits until `tokens.succeed` is called with it (the model-output event, a
 * capacity unit handed over), or fails with States.Timeout as the state's TimeoutSeconds does on AWS,
 * scaled so that StartGeneration's 240 s last 32 × `pollMs`.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ExecutionAbortedError, ExecutionTimeoutError, StateMachine } from 'aws-local-stepfunctions';
import type { JobRepository } from '#shared/jobs/repository.ts';
import { CANCELLED_BY_USER } from '#shared/jobs/status.ts';
import { executeTranscode } from '#shared/media/local-executor.ts';
import type { TranscodeSettings } from '#shared/media/settings.ts';
import type { TaskTokens } from '#shared/pipeline/generation-wait.ts';
import { transcodeProgress } from '#shared/pipeline/progress.ts';
import { LOCAL_SERVER_STOPPED, type PipelineState, type PipelineTasks } from '#shared/pipeline/tasks.ts';
import type { ObjectStore } from '#shared/storage/port.ts';
import { EXECUTION_TIMEOUT_SECONDS } from '#shared/workflow/execution-timeout.ts';
import type { ExecutionLookup, JobExecutionInput, JobWorkflow } from '#shared/workflow/port.ts';

// aws-local-stepfunctions 3 calls Promise.withResolvers, which Node has from 22 on. `npm start` and `npm test`
// run on the Node 24 that `npm install` brings; run directly on Node 20.19 (the oldest the README accepts),
// every local execution would otherwise fail in its first state.
const promiseStatics = Promise as unknown as { withResolvers?: () => unknown };
promiseStatics.withResolvers ??= () => {
  let resolve: (value: unknown) => void = () => {};
  let reject: (reason?: unknown) => void = () => {};
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

const DEFINITION_FILE = new URL('../../state-machines/generation-job.asl.json', import.meta.url);

/** The definition with its ${Placeholders} filled, as CDK's definitionSubstitutions do. */
export function loadDefinition(substitutions: Record<string, string> = {}) {
  const text = readFileSync(DEFINITION_FILE, 'utf8').replace(/\$\{(\w+)\}/g, (_m, name: string) => {
    return (
      substitutions[name] ??
      (name.endsWith('RoleArn')
        ? `arn:aws:iam::000000000000:role/${name}`
        : `arn:aws:lambda:us-east-1:000000000000:function:${name}`)
    );
  });
  return JSON.parse(text) as Record<string, unknown>;
}

/**
 * The runner's own Task timeouts, for a copy of the definition. aws-local-stepfunctions stops a Task
 * state after 60 s when it names no TimeoutSeconds; Step Functions does not. A long local transcode (a
 * 2-minute 1080p clip, or any on a busy machine) must not fail where AWS would carry on, so such states
 * get the longest timeout a Node timer can hold (about 24 days). The `.waitForTaskToken` states time out
 * in `answer` below, after their TimeoutSeconds scaled by pollMs; the runner would also stop them after
 * the unscaled TimeoutSeconds in real seconds (AcquireCapacity's 90 s), which a long pollMs outlasts.
 * The execution's own hard timeout is the deployed one (the stack writes it into the definition too).
 */
function runnerDefinition(definition: Record<string, unknown>, executionTimeoutSeconds: number) {
  const copy = structuredClone(definition);
  copy.TimeoutSeconds = executionTimeoutSeconds;
  const states = copy.States as Record<string, Record<string, unknown>>;
  for (const state of Object.values(states)) {
    if (state.Type !== 'Task') continue;
    const waits = String(state.Resource).endsWith('.waitForTaskToken');
    if (waits || (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined)) {
      state.TimeoutSeconds = 2_000_000;
    }
  }
  return copy;
}

export interface EventCounter {
  transitions: number;
  lambdaInvocations: number;
}

/** Called before a Task state runs; what it throws becomes that task's error. */
export type BeforeTask = (state: string, input: PipelineState) => void | Promise<void>;

export interface LocalWorkflowOptions {
  tasks: PipelineTasks;
  store: ObjectStore;
  /** Signed links the Transcode's ffmpeg reads its inputs at (it downloads them first when absent). */
  readUrl?: (key: string) => Promise<string>;
  jobs: JobRepository;
  /**
   * A task-token state waits 32 × pollMs for the model's output (240 s on AWS) before CheckGeneration
   * asks the model; the safety net gives up after as many looks as there.
   */
  pollMs?: number;
  onEvent?: (jobId: string, event: { type: string; state?: string }) => void;
  onError?: (jobId: string, error: unknown) => void;
  beforeTask?: BeforeTask;
  /** Runs after each execution ends, however it ended (starts the owner's waiting uploads). */
  onEnded?: (input: JobExecutionInput) => Promise<unknown>;
  /** How long an execution may run before it times out (tests shorten the deployed 2 h). */
  executionTimeoutSeconds?: number;
}

const LAMBDA_STATES = [
  'AcquireCapacity',
  'MarkGenerating',
  'MarkProcessing',
  'StartGeneration',
  'CheckGeneration',
  'BuildTranscodeSettings',
  'RegisterClip',
  'MarkFailed',
];

/** A States.Timeout, as a task-token state fails when no answer comes within its TimeoutSeconds. */
function statesTimeout(): Error {
  const error = new Error('No task response arrived in time.');
  error.name = 'States.Timeout';
  return error;
}

export function createLocalWorkflow(options: LocalWorkflowOptions): JobWorkflow &
  ExecutionLookup & {
    idle(): Promise<void>;
    shutdown(): Promise<void>;
    crash(jobId: string): Promise<void>;
    tokens: TaskTokens & { waiting(token: string): Promise<boolean> };
  } {
  const running = new Map<string, { abort: () => void; controller: AbortController; done: Promise<void> }>();
  /** Executions ended as by a crash: nothing cleans up after them (tests of capacity leases). */
  const crashed = new Set<string>();
  /**
   * Jobs whose execution ended, however it ended. As on Step Functions, where a closed execution's name
   * stays taken (90 days), starting one of them again runs nothing.
   */
  const ended = new Set<string>();
  const definition = loadDefinition();
  const executionTimeout = options.executionTimeoutSeconds ?? EXECUTION_TIMEOUT_SECONDS;
  const machine = new StateMachine(runnerDefinition(definition, executionTimeout) as never, {
    validationOptions: { checkPaths: true },
  });
  const waiting = new Map<string, (output: object) => void>();
  const { tasks } = options;
  // A waiting state's TimeoutSeconds, scaled: 240 s on AWS last 32 × pollMs here.
  const waitMs = (state: string) => {
    const seconds = (definition.States as Record<string, { TimeoutSeconds?: number }>)[state]?.TimeoutSeconds;
    return (((seconds ?? 240) * 32) / 240) * (options.pollMs ?? 500);
  };
  let shuttingDown = false;

  /**
   * Waits for `tokens.succeed(token)`; a timeout or the execution's abort ends the wait with an error,
   * `cancel` ends it quietly (the task itself failed).
   */
  function answer(token: string, signal: AbortSignal, timeoutMs: number) {
    let cancel = () => {};
    const promise = new Promise<object>((resolve, reject) => {
      const end = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', aborted);
        waiting.delete(token);
      };
      const aborted = () => {
        end();
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        end();
        reject(statesTimeout());
      }, timeoutMs);
      signal.addEventListener('abort', aborted, { once: true });
      waiting.set(token, (output) => {
        end();
        resolve(output);
      });
      cancel = end;
    });
    return { promise, cancel };
  }

  /**
   * The task handlers of one execution. Each call is tracked in `inFlight`: aborting an execution does not
   * stop a handler already running, and cleanup must wait until it has written its last object.
   */
  function handlers(controller: AbortController, inFlight: Set<Promise<unknown>>) {
    const wrap = (name: string, fn: (s: PipelineState) => Promise<unknown>) => (input: unknown) => {
      const call = (async () => {
        await options.beforeTask?.(name, input as PipelineState);
        return (await fn(input as PipelineState)) ?? null;
      })();
      const tracked = call.catch(() => undefined).finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      return call;
    };
    /** A `lambda:invoke.waitForTaskToken` state: the task's own run is tracked, the wait is not. */
    const waitFor =
      (name: string, fn: (s: PipelineState, token: string) => Promise<unknown>) => async (input: unknown) => {
        const { Payload } = input as { Payload: { state: PipelineState } };
        const token = randomUUID();
        // Listening before the task runs: the output may land before the task returns.
        const output = answer(token, controller.signal, waitMs(name));
        output.promise.catch(() => undefined);
        try {
          await wrap(name, (s) => fn(s, token))(Payload.state);
        } catch (error) {
          output.cancel();
          throw error;
        }
        return output.promise;
      };
    return {
      AcquireCapacity: waitFor('AcquireCapacity', tasks.acquireCapacity),
      MarkGenerating: wrap('MarkGenerating', tasks.markProcessing),
      MarkProcessing: wrap('MarkProcessing', tasks.markProcessing),
      StartGeneration: waitFor('StartGeneration', tasks.startGeneration),
      CheckGeneration: waitFor('CheckGeneration', tasks.checkGeneration),
      BuildTranscodeSettings: wrap('BuildTranscodeSettings', tasks.buildTranscodeSettings),
      Transcode: wrap('Transcode', async (input: unknown) => {
        const { Settings, UserMetadata } = input as {
          Settings: TranscodeSettings;
          UserMetadata: { jobId: string };
        };
        const result = await executeTranscode(Settings, options.store, {
          signal: controller.signal,
          ...(options.readUrl ? { readUrl: options.readUrl } : {}),
          onProgress: (f) => void options.jobs.reportProgress(UserMetadata.jobId, transcodeProgress(f)),
        }).catch((error: unknown) => {
          // As a failed MediaConvert job fails a .sync task: States.TaskFailed, the detail in its Cause.
          const failed = new Error((error as Error).message);
          failed.name = 'States.TaskFailed';
          throw failed;
        });
        return {
          Job: {
            Id: `local-${UserMetadata.jobId}`,
            Status: 'COMPLETE',
            OutputGroupDetails: result.outputGroupDetails,
          },
        };
      }),
      RegisterClip: wrap('RegisterClip', tasks.registerClip),
      MarkFailed: wrap('MarkFailed', tasks.markFailed),
    };
  }

  async function idle() {
    // An ending execution may start another (a waiting upload); wait for those too.
    while (running.size) await Promise.all([...running.values()].map((r) => r.done));
  }

  return {
    tokens: {
      async succeed(token, output) {
        const resume = waiting.get(token);
        resume?.(output);
        return resume !== undefined;
      },
      async waiting(token) {
        return waiting.has(token);
      },
    },
    async start(input: JobExecutionInput) {
      // Stopping: the job stays QUEUED and the next start runs it (see resumeJobs).
      if (shuttingDown) return 'started';
      if (running.has(input.jobId) || ended.has(input.jobId)) return 'existing';
      const controller = new AbortController();
      const inFlight = new Set<Promise<unknown>>();
      const execution = machine.run(
        { ...input },
        {
          // What `$$.Task.Token` reads in Parameters; each waiting state makes its own token instead.
          context: { Task: { Token: 'local' } },
          overrides: {
            taskResourceLocalHandlers: handlers(controller, inFlight) as never,
            retryIntervalOverrides: {
              AcquireCapacity: 0,
              MarkGenerating: 50,
              CheckGeneration: 50,
              MarkProcessing: 50,
              StartGeneration: 50,
              BuildTranscodeSettings: 50,
              RegisterClip: 50,
              MarkFailed: 50,
              Transcode: 50,
            },
          },
        },
      );
      const done = (async () => {
        const events = (async () => {
          for await (const event of execution.eventLogs) {
            const e = event as { type: string; state?: { name?: string } };
            options.onEvent?.(input.jobId, {
              type: e.type,
              ...(e.state?.name ? { state: e.state.name } : {}),
            });
          }
        })();
        try {
          await execution.result;
        } catch (error) {
          if (error instanceof ExecutionAbortedError && crashed.delete(input.jobId)) {
            controller.abort();
          } else if (error instanceof ExecutionAbortedError) {
            // A cancelled job: stop ffmpeg and wait for the task that was running, then clean up as
            // MarkFailed would (the row is already FAILED, or gone with its project).
            controller.abort();
            while (inFlight.size) await Promise.all(inFlight);
            const error = shuttingDown
              ? { Error: 'Interrupted', Cause: INTERRUPTED_CAUSE }
              : { Error: 'JobCancelled', Cause: CANCELLED_BY_USER };
            await tasks
              .markFailed({ ...input, error })
              .catch((e: unknown) => options.onError?.(input.jobId, e));
          } else if (error instanceof ExecutionTimeoutError) {
            // As the execution-ended handler closes a TIMED_OUT execution on AWS. The task that was running
            // is not waited for (a Lambda runs on after its execution too); its ffmpeg is stopped.
            controller.abort();
            await tasks
              .markFailed({ ...input, error: { Error: 'States.Timeout', Cause: TIMED_OUT_CAUSE } })
              .catch((e: unknown) => options.onError?.(input.jobId, e));
          } else {
            options.onError?.(input.jobId, error);
            // As the ended-execution event does on AWS: an execution that failed outside its own Fail
            // state (MarkFailed itself gave up) is closed and cleaned up here.
            const cause = (error as { cause?: { name?: string; message?: string } }).cause;
            if (cause?.name !== 'JobFailed') {
              await tasks
                .markFailed({
                  ...input,
                  error: { Error: cause?.name ?? 'States.Runtime', Cause: cause?.message ?? '' },
                })
                .catch(() => undefined);
            }
          }
        } finally {
          await events.catch(() => undefined);
          ended.add(input.jobId);
          running.delete(input.jobId);
          await options.onEnded?.(input).catch((error: unknown) => options.onError?.(input.jobId, error));
        }
      })();
      running.set(input.jobId, { abort: execution.abort, controller, done });
      return 'started';
    },
    async executionState(jobId) {
      if (running.has(jobId)) return 'running';
      return ended.has(jobId) ? 'ended' : 'none';
    },
    /**
     * Stops the execution and returns, as StopExecution does: the task it was in ends on its own, and the
     * execution then cleans up as MarkFailed would (see `start`); `idle()` waits for that.
     */
    /**
     * For tests: ends the execution as if it and its ended-event were lost: no MarkFailed, so whatever it
     * held (a capacity unit) stays held until its lease runs out.
     */
    async crash(jobId) {
      const run = running.get(jobId);
      if (!run) return;
      crashed.add(jobId);
      run.abort();
      await run.done;
    },
    async stop(jobId) {
      const run = running.get(jobId);
      if (!run) return;
      run.abort();
      run.controller.abort();
    },
    /**
     * The local server is stopping: every running execution is aborted (its ffmpeg stopped through the
     * execution's signal) and its job ends FAILED as interrupted, rather than being left PROCESSING.
     */
    async shutdown() {
      shuttingDown = true;
      for (const run of running.values()) {
        run.abort();
        run.controller.abort();
      }
      await idle();
    },
    idle,
  };
}

export const INTERRUPTED_CAUSE = LOCAL_SERVER_STOPPED;
/** A timed-out execution's cause, as the execution-ended handler records it. */
export const TIMED_OUT_CAUSE = 'The job took too long and was stopped.';

export { LAMBDA_STATES };
