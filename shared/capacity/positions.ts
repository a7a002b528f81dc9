/**
 * Where waiting GENERATE jobs stand in their model's line (the API's `queuePosition`): 1-based, in the
 * order units will be handed out; null for any job that is not waiting.
 */
import { effectiveGenerate } from '../generation/capabilities.ts';
import type { GenerateParameters } from '../jobs/schema.ts';
import { queuePositions } from './fair-order.ts';
import type { CapacityStore } from './store.ts';

export type CapacityQueue = Pick<CapacityStore, 'queue'>;

interface JobLike {
  id: string;
  status: string;
  jobType: string;
  parameters: unknown;
}

export async function queuePositionsOf(
  queue: CapacityQueue | undefined,
  jobs: readonly JobLike[],
): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  if (!queue) return found;
  const models = new Set(
    jobs
      .filter((j) => j.status === 'QUEUED' && j.jobType === 'GENERATE')
      .map((j) => effectiveGenerate(j.parameters as GenerateParameters).model),
  );
  for (const model of models) {
    const { waiters, leases, servedAt } = await queue.queue(model);
    for (const [jobId, position] of queuePositions(waiters, leases, servedAt)) found.set(jobId, position);
  }
  return found;
}
