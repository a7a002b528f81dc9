/**
 * Runs every minute (EventBridge schedule): reclaims the capacity units whose lease ran out (an execution
 * that crashed or was stopped with its cleanup lost) and hands free units to jobs waiting in line, for
 * every model this stage enables. Releases and new arrivals serve the line themselves; this is the net.
 * Then it starts again the admitted jobs whose execution was never started (stuck-starts.ts).
 */
import { enabledModelsFromEnv } from '#shared/generation/models.ts';
import { tracedHandler } from '#shared/observability/tracing.ts';
import { createStuckStartSweep } from '#shared/pipeline/stuck-starts.ts';
import { pipelineRuntime } from '#shared/runtime/pipeline-aws.ts';
import { stepFunctionsWorkflow } from '#shared/workflow/step-functions.ts';

let sweepStuckStarts: (() => Promise<string[]>) | undefined;

export const handler = tracedHandler('capacity-sweeper', async (): Promise<void> => {
  const { admission, capacityStore, jobs, logger } = pipelineRuntime();
  if (!admission) throw new Error('CAPACITY_TABLE is not set.');
  const stateMachineArn = process.env.STATE_MACHINE_ARN;
  if (!stateMachineArn) throw new Error('STATE_MACHINE_ARN is not set.');
  for (const model of enabledModelsFromEnv()) {
    const reclaimed = await admission.sweep(model);
    if (reclaimed.length) logger.warn('expired capacity leases reclaimed', { model, jobIds: reclaimed });
  }
  sweepStuckStarts ??= createStuckStartSweep({
    jobs,
    workflow: stepFunctionsWorkflow(
      async () => new (await import('@aws-sdk/client-sfn')).SFNClient({}),
      stateMachineArn,
    ),
    capacity: capacityStore,
  });
  const started = await sweepStuckStarts();
  if (started.length) logger.warn('admitted jobs left without an execution started', { jobIds: started });
});
