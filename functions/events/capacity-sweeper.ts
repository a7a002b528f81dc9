/**
 * Runs every minute (EventBridge schedule): reclaims the capacity units whose lease ran out (an execution
 * that crashed or was stopped with its cleanup lost) and hands free units to jobs waiting in line, for
 * every model this stage enables. Releases and new arrivals serve the line themselves; this is the net.
 */
import { enabledModelsFromEnv } from '#shared/generation/models.ts';
import { tracedHandler } from '#shared/observability/tracing.ts';
import { pipelineRuntime } from '#shared/runtime/pipeline-aws.ts';

export const handler = tracedHandler('capacity-sweeper', async (): Promise<void> => {
  const { admission, logger } = pipelineRuntime();
  if (!admission) throw new Error('CAPACITY_TABLE is not set.');
  for (const model of enabledModelsFromEnv()) {
    const reclaimed = await admission.sweep(model);
    if (reclaimed.length) logger.warn('expired capacity leases reclaimed', { model, jobIds: reclaimed });
  }
});
