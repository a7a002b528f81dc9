import { sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { rawRows } from '../db/sql.ts';
import { MODELS, type VideoModelId } from '../generation/models.ts';
import { hlsLadder } from '../media/settings.ts';
import { normalizedMultiplier, PRICE_TABLE } from './prices.ts';

/** The message every user cancellation ends with (jobs/repository.ts, execution-ended). */
const CANCELLED = 'Cancelled by user.';

export interface Usage {
  month: string;
  generatedSeconds: { byModel: Record<string, number> };
  transcodedMinutes: number;
  jobs: { completed: number; failed: number; cancelled: number };
  storageBytes: number;
  estimatedCostUsd: {
    total: number;
    bedrock: number;
    mediaConvert: number;
    stepFunctions: number;
    lambda: number;
    s3Storage: number;
  };
  priceTable: { asOf: string; region: string; sources: Record<string, string> };
}

export const currentMonth = (now = new Date()) => now.toISOString().slice(0, 7);

const round = (value: number, digits: number) => Number(value.toFixed(digits));

function bedrockPricePerSecond(model: string, resolution: string | null): number {
  const spec = MODELS[model as VideoModelId];
  if (!spec?.price) return 0;
  const prices = spec.price.perSecondUsd;
  if (resolution) {
    const [w, h] = resolution.split('x').map(Number) as [number, number];
    const exact = prices[resolution] ?? prices[`${Math.max(w, h)}x${Math.min(w, h)}`];
    if (exact !== undefined) return exact;
  }
  // An unknown frame size is priced at the model's dearest rate: an estimate should not flatter.
  return Math.max(...Object.values(prices));
}

/** Normalized MediaConvert minutes per minute of a clip: its MP4 and, when it has one, its HLS ladder. */
function outputsMultiplier(resolution: string | null, hasHls: boolean): number {
  if (!resolution) return 1;
  const [w, h] = resolution.split('x').map(Number) as [number, number];
  const ladder = hasHls ? hlsLadder(w, h) : [];
  return (
    normalizedMultiplier(w, h) + ladder.reduce((sum, r) => sum + normalizedMultiplier(r.width, r.height), 0)
  );
}

/**
 * What a user's jobs that ended within `month` made and what it cost AWS, from the rows the pipeline keeps:
 * one grouped statement (a few rows whatever the number of jobs) and the user's stored bytes. Jobs count
 * in the month they ended; a job whose clip was deleted since counts its requested duration.
 */
export async function monthlyUsage(db: Database, userId: string, month: string): Promise<Usage> {
  // The month's bounds are computed in UTC by PostgreSQL: JavaScript writes the instant after 9999-12 as
  // `+010000-01-01T…`, which PostgreSQL cannot read.
  const start = sql`${`${month}-01`}::timestamp`;
  const rows = await rawRows<{
    job_type: string;
    outcome: string;
    model: string | null;
    resolution: string | null;
    has_hls: string | null;
    jobs: number;
    seconds: string;
  }>(
    db,
    sql`
      SELECT j.job_type::text AS job_type,
             (CASE WHEN j.status = 'COMPLETED' THEN 'completed'
                   WHEN j.error_message = ${CANCELLED} THEN 'cancelled' ELSE 'failed' END)::text AS outcome,
             (j.parameters->>'model')::text AS model,
             c.resolution::text AS resolution,
             (c.system->>'hasHls')::text AS has_hls,
             count(*)::int AS jobs,
             COALESCE(sum(COALESCE(c.duration, (j.parameters->>'durationSeconds')::float8, 0))
                      FILTER (WHERE j.status = 'COMPLETED'), 0)::text AS seconds
      FROM generation_jobs j LEFT JOIN video_clips c ON c.id = j.clip_id
      WHERE j.user_id = ${userId}::uuid AND j.status IN ('COMPLETED', 'FAILED')
        AND j.completed_at >= (${start} AT TIME ZONE 'UTC')
        AND j.completed_at < ((${start} + interval '1 month') AT TIME ZONE 'UTC')
      GROUP BY 1, 2, 3, 4, 5`,
  );
  const [user] = await rawRows<{ storage: string }>(
    db,
    sql`SELECT storage_used::text AS storage FROM users WHERE id = ${userId}::uuid`,
  );
  const storageBytes = Number(user?.storage ?? 0);

  const jobs = { completed: 0, failed: 0, cancelled: 0 };
  const byModel: Record<string, number> = {};
  let transcodedSeconds = 0;
  let normalizedMinutes = 0;
  let bedrock = 0;
  let transitions = 0;
  let invocations = 0;
  for (const row of rows) {
    jobs[row.outcome as keyof typeof jobs] += row.jobs;
    const kind = row.job_type === 'GENERATE' ? 'GENERATE' : 'other';
    transitions += row.jobs * PRICE_TABLE.transitionsPerJob[kind];
    invocations += row.jobs * PRICE_TABLE.lambdaInvocationsPerJob[kind];
    if (row.outcome !== 'completed') continue;
    const seconds = Number(row.seconds);
    transcodedSeconds += seconds;
    normalizedMinutes += (seconds / 60) * outputsMultiplier(row.resolution, row.has_hls === 'true');
    if (row.job_type === 'GENERATE') {
      const model = row.model ?? 'unknown';
      byModel[model] = (byModel[model] ?? 0) + seconds;
      bedrock += seconds * bedrockPricePerSecond(model, row.resolution);
    }
  }
  const cost = {
    bedrock,
    mediaConvert: normalizedMinutes * PRICE_TABLE.mediaConvertPerNormalizedMinuteUsd,
    stepFunctions: transitions * PRICE_TABLE.stepFunctionsPerTransitionUsd,
    lambda:
      invocations *
      (PRICE_TABLE.lambdaPerRequestUsd +
        PRICE_TABLE.lambdaGbSecondsPerInvocation * PRICE_TABLE.lambdaPerGbSecondUsd),
    s3Storage: (storageBytes / 1e9) * PRICE_TABLE.s3PerGbMonthUsd,
  };
  const total = Object.values(cost).reduce((a, b) => a + b, 0);
  return {
    month,
    generatedSeconds: {
      byModel: Object.fromEntries(Object.entries(byModel).map(([k, v]) => [k, round(v, 3)])),
    },
    transcodedMinutes: round(transcodedSeconds / 60, 4),
    jobs,
    storageBytes,
    estimatedCostUsd: {
      total: round(total, 6),
      ...(Object.fromEntries(Object.entries(cost).map(([k, v]) => [k, round(v, 6)])) as Omit<
        Usage['estimatedCostUsd'],
        'total'
      >),
    },
    priceTable: { asOf: PRICE_TABLE.asOf, region: PRICE_TABLE.region, sources: { ...PRICE_TABLE.sources } },
  };
}
