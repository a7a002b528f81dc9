export const SUBSCRIPTION_TIERS = ['FREE', 'BASIC', 'PRO', 'ENTERPRISE'] as const;
export type SubscriptionTier = (typeof SUBSCRIPTION_TIERS)[number];

const GiB = 1024 ** 3;

export interface TierLimits {
  /** Bytes a user of this tier may store. */
  storageLimit: number;
  /** Jobs that may be QUEUED or PROCESSING at once. */
  concurrentJobs: number;
  /**
   * Jobs a user may submit within any 60 seconds, cancelled and failed ones included: the concurrent limit
   * alone is freed by a cancel, so submit-and-cancel in a loop would make jobs (and executions) unbounded.
   */
  jobsPerMinute: number;
  /** Longest clip a job may produce, in seconds. */
  maxDurationSeconds: number;
  /** Largest output frame. */
  maxWidth: number;
  maxHeight: number;
}

export const TIER_LIMITS: Readonly<Record<SubscriptionTier, TierLimits>> = {
  FREE: {
    storageLimit: 1 * GiB,
    concurrentJobs: 2,
    jobsPerMinute: 60,
    maxDurationSeconds: 30,
    maxWidth: 1920,
    maxHeight: 1080,
  },
  BASIC: {
    storageLimit: 10 * GiB,
    concurrentJobs: 4,
    jobsPerMinute: 60,
    maxDurationSeconds: 60,
    maxWidth: 1920,
    maxHeight: 1080,
  },
  PRO: {
    storageLimit: 100 * GiB,
    concurrentJobs: 10,
    jobsPerMinute: 120,
    maxDurationSeconds: 120,
    maxWidth: 3840,
    maxHeight: 2160,
  },
  ENTERPRISE: {
    storageLimit: 1024 * GiB,
    concurrentJobs: 50,
    jobsPerMinute: 300,
    maxDurationSeconds: 120,
    maxWidth: 3840,
    maxHeight: 2160,
  },
};

export const DEFAULT_TIER: SubscriptionTier = 'FREE';

export function tierLimits(tier: SubscriptionTier): TierLimits {
  return TIER_LIMITS[tier];
}

/** True when a frame of width x height fits the tier in either orientation (portrait outputs are allowed). */
export function resolutionFitsTier(tier: SubscriptionTier, width: number, height: number): boolean {
  const limits = TIER_LIMITS[tier];
  const long = Math.max(width, height);
  const short = Math.min(width, height);
  return long <= limits.maxWidth && short <= limits.maxHeight;
}
