/**
 * The one price table behind the estimated cost of GET /v1/me/usage: on-demand list prices in us-west-2
 * (where Luma Ray2 runs), as last known on the date below. AWS's pricing pages render their figures in the
 * browser, so these were transcribed, not fetched; check the pages named before relying on them. Bedrock's
 * per-second prices live with each model in generation/models.ts.
 */
export const PRICE_TABLE = {
  asOf: '2026-11-26',
  region: 'us-west-2',
  sources: {
    bedrock: 'https://aws.amazon.com/bedrock/pricing/ (per model in shared/generation/models.ts)',
    mediaConvert: 'https://aws.amazon.com/mediaconvert/pricing/',
    stepFunctions: 'https://aws.amazon.com/step-functions/pricing/',
    lambda: 'https://aws.amazon.com/lambda/pricing/',
    s3: 'https://aws.amazon.com/s3/pricing/',
  },
  /**
   * MediaConvert Basic tier, first volume band, per normalized output minute. An AVC single-pass output up
   * to 30 fps counts 1× below 720 lines (SD), 2× up to 1080 (HD), 4× above (UHD).
   */
  mediaConvertPerNormalizedMinuteUsd: 0.0075,
  /** Step Functions Standard: $0.025 per 1,000 state transitions. */
  stepFunctionsPerTransitionUsd: 0.000025,
  /**
   * Transitions and Lambda invocations per job, as the local run of the state machine counts them
   * (test/e2e/pipeline-cost.test.ts: 8 transitions and 5 invocations plus 2 and 1 per poll of the model);
   * a generation is taken to need 3 polls.
   */
  transitionsPerJob: { GENERATE: 14, other: 8 },
  lambdaInvocationsPerJob: { GENERATE: 8, other: 5 },
  /** Lambda on arm64: $0.20 per million requests and $0.0000133334 per GB-second. */
  lambdaPerRequestUsd: 0.0000002,
  lambdaPerGbSecondUsd: 0.0000133334,
  /** Assumed per invocation: 1 GB of memory for one second (the pipeline tasks are short). */
  lambdaGbSecondsPerInvocation: 1,
  /** S3 Standard, first 50 TB: $0.023 per GB-month. */
  s3PerGbMonthUsd: 0.023,
} as const;

/** How many normalized minutes one minute of an output of this frame size counts for. */
export function normalizedMultiplier(width: number, height: number): number {
  const lines = Math.min(width, height);
  if (lines < 720) return 1;
  if (lines <= 1080) return 2;
  return 4;
}
