/** Per-stage settings of the AWS deployment, chosen with `cdk synth -c stage=dev|staging|prod`. */
import type { VideoModelId } from '#shared/generation/models.ts';
import type { JobType } from '#shared/jobs/status.ts';

export const STAGES = ['dev', 'staging', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

export interface StageConfig {
  stage: Stage;
  /** Retain data stores when the stack is deleted (staging and prod). */
  retainData: boolean;
  database: {
    /** Aurora Serverless v2 capacity in ACUs; 0 lets the cluster pause when idle. */
    minCapacity: number;
    maxCapacity: number;
    /** Seconds of idleness before an auto-pausing cluster pauses. */
    pauseAfterSeconds?: number;
    reader: boolean;
    deletionProtection: boolean;
    backupRetentionDays: number;
  };
  media: { versioned: boolean; staleUploadDays: number; failedArtifactDays: number };
  tables: { pointInTimeRecovery: boolean };
  /** Cognito threat protection (the Plus feature plan, billed per active user). */
  threatProtection: boolean;
  api: { corsOrigins: string[]; rateLimit: number; burstLimit: number };
  logRetentionDays: 7 | 30 | 90 | 365;
  /**
   * Step Functions execution logs. Execution data holds prompts and S3 keys, so only dev logs it (level
   * ALL); staging and prod log errors without data.
   */
  stateMachineLogs: { level: 'ALL' | 'ERROR'; includeExecutionData: boolean };
  /**
   * Cognito's email through Amazon SES (the DEVELOPER sending account), as AWS advises beyond Cognito's
   * small daily quota. The address or its domain must be a verified SES identity in `sesRegion` (the
   * stack's region when absent) before deploying. Undefined: Cognito's own sender (dev).
   */
  email?: {
    fromEmail: string;
    fromName: string;
    replyTo?: string;
    sesVerifiedDomain?: string;
    sesRegion?: string;
  };
  /**
   * Video models this stage may use (ENABLED_MODELS). Their Regions, IAM and output buckets follow the model
   * registry (shared/generation/models.ts). Nova Reel reached end of life on 2026-09-30.
   */
  models: {
    enabled: readonly VideoModelId[];
    /**
     * Generations of a model that may run at once in this account and Region (its Bedrock quota); the
     * registry's `capacity.units` when absent (README, "Model capacity").
     */
    capacity?: Partial<Record<VideoModelId, number>>;
  };
  /** Service-level objectives; their burn-rate alarms are in infra/constructs/service-objectives.ts. */
  slo: SloConfig;
}

export interface SloConfig {
  /**
   * Share of ended jobs that must not fail for a system reason (a failure the user or the model caused
   * spends nothing; cancelled jobs are not counted).
   */
  jobSuccess: number;
  /** Per job type: the share of jobs (`target`) that must complete within `seconds` of submission. */
  timeToComplete: Record<JobType, { seconds: number; target: number }>;
  /** Fewest jobs in an alarm's window before its burn rate is judged (one failure in one job is noise). */
  minJobs: number;
}

/** What a generated clip may take (the model's run plus the transcode) against an edit or a transcode. */
const completeWithin = (generate: number, other: number, target: number) => ({
  GENERATE: { seconds: generate, target },
  EDIT: { seconds: other, target },
  ENHANCE: { seconds: other, target },
  TRANSCODE: { seconds: other, target },
});

const base = {
  media: { staleUploadDays: 2, failedArtifactDays: 3 },
  api: { rateLimit: 50, burstLimit: 100 },
  models: { enabled: ['luma-ray2'] as const },
};

export const STAGE_CONFIG: Readonly<Record<Stage, StageConfig>> = {
  dev: {
    stage: 'dev',
    retainData: false,
    database: {
      minCapacity: 0,
      maxCapacity: 2,
      pauseAfterSeconds: 600,
      reader: false,
      deletionProtection: false,
      backupRetentionDays: 1,
    },
    media: { ...base.media, versioned: false },
    tables: { pointInTimeRecovery: false },
    threatProtection: false,
    api: { ...base.api, corsOrigins: ['http://localhost:5173', 'http://127.0.0.1:3000'] },
    logRetentionDays: 7,
    stateMachineLogs: { level: 'ALL', includeExecutionData: true },
    models: base.models,
    slo: { jobSuccess: 0.95, timeToComplete: completeWithin(900, 600, 0.9), minJobs: 1 },
  },
  staging: {
    stage: 'staging',
    retainData: true,
    database: {
      minCapacity: 0,
      maxCapacity: 4,
      pauseAfterSeconds: 1800,
      reader: false,
      deletionProtection: false,
      backupRetentionDays: 7,
    },
    media: { ...base.media, versioned: false },
    tables: { pointInTimeRecovery: false },
    threatProtection: false,
    api: { ...base.api, corsOrigins: ['https://staging.app.example.com'] },
    logRetentionDays: 30,
    stateMachineLogs: { level: 'ERROR', includeExecutionData: false },
    email: {
      fromEmail: 'no-reply@staging.app.example.com',
      fromName: 'AI Video (staging)',
      sesVerifiedDomain: 'staging.app.example.com',
    },
    models: base.models,
    slo: { jobSuccess: 0.99, timeToComplete: completeWithin(900, 600, 0.95), minJobs: 5 },
  },
  prod: {
    stage: 'prod',
    retainData: true,
    database: {
      minCapacity: 0.5,
      maxCapacity: 16,
      reader: true,
      deletionProtection: true,
      backupRetentionDays: 14,
    },
    media: { ...base.media, versioned: true },
    tables: { pointInTimeRecovery: true },
    threatProtection: true,
    api: { corsOrigins: ['https://app.example.com'], rateLimit: 500, burstLimit: 1000 },
    logRetentionDays: 90,
    stateMachineLogs: { level: 'ERROR', includeExecutionData: false },
    email: {
      fromEmail: 'no-reply@app.example.com',
      fromName: 'AI Video',
      sesVerifiedDomain: 'app.example.com',
    },
    models: base.models,
    slo: { jobSuccess: 0.995, timeToComplete: completeWithin(600, 300, 0.95), minJobs: 10 },
  },
};

export function stageConfig(stage: unknown): StageConfig {
  const name = stage ?? 'dev';
  if (!STAGES.includes(name as Stage)) {
    throw new Error(`Unknown stage "${String(name)}"; use -c stage=${STAGES.join('|')}.`);
  }
  return STAGE_CONFIG[name as Stage];
}
