/**
 * Each model's capacity: the registry's (shared/generation/models.ts), overridden per stage by
 * MODEL_CAPACITY (JSON `{"luma-ray2": 20}`, set by the CDK app from infra/config.ts) and, for the local
 * stand-in, by LOCAL_MODEL_CAPACITY and LOCAL_MODEL_LEASE_SECONDS.
 */
import { MODELS, VIDEO_MODELS, type VideoModelId } from '../generation/models.ts';

export interface ModelCapacity {
  units: number;
  leaseMs: number;
}

const positive = (value: string | undefined) => {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(n) && n > 0 ? n : undefined;
};

export function capacityFromEnv(env: NodeJS.ProcessEnv = process.env): Record<VideoModelId, ModelCapacity> {
  let overrides: Record<string, unknown> = {};
  if (env.MODEL_CAPACITY) {
    try {
      overrides = JSON.parse(env.MODEL_CAPACITY) as Record<string, unknown>;
    } catch {
      throw new Error('MODEL_CAPACITY must be a JSON object of model ids and unit counts.');
    }
  }
  const result = {} as Record<VideoModelId, ModelCapacity>;
  for (const id of VIDEO_MODELS) {
    const spec = MODELS[id].capacity;
    const override = positive(overrides[id] === undefined ? undefined : String(overrides[id]));
    const local = id === 'local';
    result[id] = {
      units: Math.floor((local ? positive(env.LOCAL_MODEL_CAPACITY) : undefined) ?? override ?? spec.units),
      leaseMs: ((local ? positive(env.LOCAL_MODEL_LEASE_SECONDS) : undefined) ?? spec.leaseSeconds) * 1000,
    };
  }
  return result;
}
