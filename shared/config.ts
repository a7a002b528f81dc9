import * as z from 'zod';

/** Parses a group of environment variables once, failing fast with the names of those missing or wrong. */
function parseEnv<T extends z.ZodRawShape>(shape: T): z.infer<z.ZodObject<T>> {
  const result = z.object(shape).safeParse(process.env);
  if (!result.success) {
    const names = result.error.issues.map((i) => `${i.path.join('.')} (${i.message})`).join(', ');
    throw new Error(`Missing or invalid environment variables: ${names}`);
  }
  return result.data;
}

const arn = z.string().startsWith('arn:');

export const awsRuntimeConfig = () =>
  parseEnv({
    STAGE: z.string().min(1),
    DB_CLUSTER_ARN: arn,
    DB_SECRET_ARN: arn,
    DB_NAME: z.string().min(1),
    MEDIA_BUCKET: z.string().min(3),
    MEDIA_KMS_KEY_ID: z.string().optional(),
    IDEMPOTENCY_TABLE: z.string().min(1),
    AUDIT_TABLE: z.string().min(1),
    RATE_LIMIT_TABLE: z.string().min(1),
    /** The model capacity table; the jobs function reads waiting jobs' places in line from it. */
    CAPACITY_TABLE: z.string().min(1).optional(),
    USER_POOL_ID: z.string().min(1),
    USER_POOL_CLIENT_ID: z.string().min(1),
    STATE_MACHINE_ARN: arn,
    /** Only the clips function signs HLS links. */
    HLS_LINK_SECRET_ARN: arn.optional(),
    /** The account worker (exports, erasure), invoked by the me function. */
    ACCOUNT_WORKER_FUNCTION: z.string().min(1).optional(),
    /** The key of erased users' audit pseudonyms; only the account worker reads it. */
    AUDIT_PSEUDONYM_SECRET_ARN: arn.optional(),
  });

export type AwsRuntimeConfig = ReturnType<typeof awsRuntimeConfig>;

/** Aurora through the Data API: what every function that touches the database needs. */
export const awsDatabaseConfig = () =>
  parseEnv({ DB_CLUSTER_ARN: arn, DB_SECRET_ARN: arn, DB_NAME: z.string().min(1) });

/** What the pipeline and event functions need beside the database: the media bucket. */
export const awsMediaConfig = () =>
  parseEnv({ MEDIA_BUCKET: z.string().min(3), MEDIA_KMS_KEY_ID: z.string().optional() });
