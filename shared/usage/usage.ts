import { sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { rawRows } from '../db/sql.ts';
import { MODELS, type VideoModelId } from '../generation/models.ts';
import { hlsLadder } from '../media/settings.ts';
import { normalizedMultiplier, PRICE_TABLE } from './prices.ts';

export interface Usage {
  month: string;
  generatedSeconds: { byModel: Record<string, number> };
  transcodedMinutes: number;
  jobs: { completed: number; failed: number; cancelled: number };
  storageBytes: number;
  storageByteHours: number;
  storageGbMonths: number;
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

/** S3 counts a GB as 2^30 bytes and a month as its own hours (744 for March) when it turns byte-hours into GB-months. */
const BYTES_PER_GB = 1024 ** 3;
const hoursIn = (month: string) => {
  const [year, index] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, index, 0)).getUTCDate() * 24;
};

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
 * What a user's jobs that ended within `month` made and what it cost AWS: one grouped statement over
 * job_usage (a few rows whatever the number of jobs) and the month's storage. Jobs count in the month they
 * ended, with the figures recorded then (migration 0021), so deleting a clip or a project changes nothing.
 */
export async function monthlyUsage(db: Database, userId: string, month: string, now?: Date): Promise<Usage> {
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
      SELECT job_type::text AS job_type, outcome::text AS outcome, model::text AS model,
             resolution::text AS resolution, has_hls::text AS has_hls, count(*)::int AS jobs,
             COALESCE(sum(seconds), 0)::text AS seconds
      FROM job_usage
      WHERE user_id = ${userId}::uuid
        AND ended_at >= (${start} AT TIME ZONE 'UTC')
        AND ended_at < ((${start} + interval '1 month') AT TIME ZONE 'UTC')
      GROUP BY 1, 2, 3, 4, 5`,
  );
  const storage = await monthStorage(db, userId, month, now);

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
    s3Storage: storage.gbMonths * PRICE_TABLE.s3PerGbMonthUsd,
  };
  const total = Object.values(cost).reduce((a, b) => a + b, 0);
  return {
    month,
    generatedSeconds: {
      byModel: Object.fromEntries(Object.entries(byModel).map(([k, v]) => [k, round(v, 3)])),
    },
    transcodedMinutes: round(transcodedSeconds / 60, 4),
    jobs,
    storageBytes: storage.bytes,
    storageByteHours: round(storage.byteHours, 3),
    storageGbMonths: round(storage.gbMonths, 9),
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

/**
 * The bytes a user held over `month` (up to `now` for the current one) and at its end (now, for the current
 * one), from the month's storage_months row plus what users.storage_used has held since its last change
 * (storage_metered_at), which no row has counted yet. "Now" is the database's clock, which the trigger
 * reads too, unless a test fixes it.
 */
async function monthStorage(db: Database, userId: string, month: string, now: Date | undefined) {
  const start = sql`${`${month}-01`}::timestamp`;
  const monthStart = sql`(${start} AT TIME ZONE 'UTC')`;
  const monthEnd = sql`((${start} + interval '1 month') AT TIME ZONE 'UTC')`;
  const [row] = await rawRows<{ byte_seconds: string; bytes: string }>(
    db,
    sql`
      SELECT (COALESCE(m.byte_seconds, 0) + u.storage_used * extract(epoch FROM GREATEST(interval '0',
                LEAST(COALESCE(${now?.toISOString() ?? null}::timestamptz, clock_timestamp()), ${monthEnd}) - GREATEST(u.storage_metered_at, ${monthStart}))))::text
               AS byte_seconds,
             (CASE WHEN u.storage_metered_at < ${monthEnd} THEN u.storage_used
                   ELSE COALESCE(m.closing_bytes, 0) END)::text AS bytes
      FROM users u
      LEFT JOIN storage_months m ON m.user_id = u.id AND m.month = ${start}::date
      WHERE u.id = ${userId}::uuid`,
  );
  const byteHours = Number(row?.byte_seconds ?? 0) / 3600;
  return { bytes: Number(row?.bytes ?? 0), byteHours, gbMonths: byteHours / BYTES_PER_GB / hoursIn(month) };
}
