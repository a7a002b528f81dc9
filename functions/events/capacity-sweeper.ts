/**
 * Runs every minute (EventBridge schedule): reclaims the capacity units whose lease ran out (an execution
 * that crashed or was stopped with its cleanup lost) and hands free units to jobs waiting in line, for
 * every model this stage enables. Releases and new arrivals serve the line themselves; this is the net.
 * It also starts again the admitted jobs whose execution was never started, and fails those still QUEUED
 * whose execution has ended and those PROCESSING past the execution timeout (stuck-starts.ts); that sweep
 * rests behind the idle marker while no job is QUEUED or PROCESSING, so an idle stage's tick asks Aurora
 * nothing.
 */
import { enabledModelsFromEnv } from '#shared/generation/models.ts';
import { tracedHandler } from '#shared/observability/tracing.ts';
import {
  createStuckStartSweep,
  restingStuckStartSweep,
  type StuckStartSweepResult,
} from '#shared/pipeline/stuck-starts.ts';
import { pipelineRuntime } from '#shared/runtime/pipeline-aws.ts';
import { sdkConfig } from '#shared/sdk/sha256.ts';
import { createUploadIngest } from '#shared/uploads/ingest.ts';
import { createReservationRepository } from '#shared/uploads/reservations.ts';
import { stepFunctionsExecutions, stepFunctionsWorkflow } from '#shared/workflow/step-functions.ts';

let sweepStuckStarts: (() => Promise<StuckStartSweepResult>) | undefined;

async function sweepCapacity(): Promise<void> {
  const { admission, logger } = pipelineRuntime();
  if (!admission) throw new Error('CAPACITY_TABLE is not set.');
  for (const model of enabledModelsFromEnv()) {
    const reclaimed = await admission.sweep(model);
    if (reclaimed.length) logger.warn('expired capacity leases reclaimed', { model, jobIds: reclaimed });
  }
}

async function startLostStarts(): Promise<void> {
  const runtime = pipelineRuntime();
  const { capacityStore, idleMarker, jobs, logger } = runtime;
  if (!idleMarker) throw new Error('RATE_LIMIT_TABLE is not set.');
  const stateMachineArn = process.env.STATE_MACHINE_ARN;
  if (!stateMachineArn) throw new Error('STATE_MACHINE_ARN is not set.');
  if (!sweepStuckStarts) {
    const sfn = async () => new (await import('@aws-sdk/client-sfn')).SFNClient(sdkConfig());
    const workflow = stepFunctionsWorkflow(sfn, stateMachineArn);
    // A job failed here frees a slot, as an ended execution does: the owner's waiting uploads start.
    const uploads = createUploadIngest({
      users: runtime.users,
      jobs,
      reservations: createReservationRepository(runtime.db),
      store: runtime.store,
      workflow,
    });
    sweepStuckStarts = restingStuckStartSweep(
      idleMarker,
      jobs,
      createStuckStartSweep({
        jobs,
        workflow: { ...workflow, ...stepFunctionsExecutions(sfn, stateMachineArn) },
        tasks: runtime.tasks,
        startWaiting: (userId) => uploads.startWaiting(userId),
        capacity: capacityStore,
      }),
    );
  }
  const { started, failed, overran } = await sweepStuckStarts();
  if (started.length)
    logger.warn('admitted jobs QUEUED with no execution seen were started', { jobIds: started });
  if (failed.length) logger.warn('jobs QUEUED whose execution had ended were failed', { jobIds: failed });
  if (overran.length)
    logger.warn('jobs PROCESSING past the execution timeout were failed', { jobIds: overran });
}

export const handler = tracedHandler('capacity-sweeper', async (): Promise<void> => {
  // Each sweep runs even when the other fails; the invocation fails (and alarms) if either did.
  const failed = (await Promise.allSettled([sweepCapacity(), startLostStarts()])).flatMap((r) =>
    r.status === 'rejected' ? [r.reason as unknown] : [],
  );
  if (failed.length === 1) throw failed[0];
  if (failed.length) throw new AggregateError(failed, 'Both capacity-sweeper sweeps failed.');
});
