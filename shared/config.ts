/**
 * The environment a Lambda function reads, checked once, failing fast with the names of the variables
 * missing or wrong. Plain checks rather than a zod schema: this module is on the init path of functions that
 * otherwise never load zod (the webhook relay and sender, migrate), and zod's evaluation is most of their
 * init beyond the SDK.
 */

/** A variable's rule: its problem, or undefined when its value (possibly absent) is acceptable. */
type Rule<Optional extends boolean = boolean> = {
  optional: Optional;
  check: (value: string) => string | undefined;
};

const text = (min = 1): Rule<false> => ({
  optional: false,
  check: (v) =>
    v.length >= min ? undefined : min === 1 ? 'must not be empty' : `must be at least ${min} characters`,
});
const arn: Rule<false> = {
  optional: false,
  check: (v) => (v.startsWith('arn:') ? undefined : 'must start with arn:'),
};
const optional = (rule: Rule<false>): Rule<true> => ({ ...rule, optional: true });

type Parsed<T extends Record<string, Rule>> = {
  [K in keyof T as T[K]['optional'] extends true ? never : K]: string;
} & { [K in keyof T as T[K]['optional'] extends true ? K : never]?: string };

function parseEnv<const T extends Record<string, Rule>>(rules: T): Parsed<T> {
  const out: Record<string, string> = {};
  const problems: string[] = [];
  for (const [name, rule] of Object.entries(rules)) {
    const value = process.env[name];
    if (value === undefined) {
      if (!rule.optional) problems.push(`${name} (missing)`);
      continue;
    }
    const problem = rule.check(value);
    if (problem) problems.push(`${name} (${problem})`);
    else out[name] = value;
  }
  if (problems.length) throw new Error(`Missing or invalid environment variables: ${problems.join(', ')}`);
  return out as Parsed<T>;
}

export const awsRuntimeConfig = () =>
  parseEnv({
    STAGE: text(),
    DB_CLUSTER_ARN: arn,
    DB_SECRET_ARN: arn,
    DB_NAME: text(),
    MEDIA_BUCKET: text(3),
    MEDIA_KMS_KEY_ID: optional(text(0)),
    IDEMPOTENCY_TABLE: text(),
    AUDIT_TABLE: text(),
    RATE_LIMIT_TABLE: text(),
    /** The model capacity table; the jobs function reads waiting jobs' places in line from it. */
    CAPACITY_TABLE: optional(text()),
    USER_POOL_ID: text(),
    USER_POOL_CLIENT_ID: text(),
    STATE_MACHINE_ARN: arn,
    /** Only the clips function signs HLS links. */
    HLS_LINK_SECRET_ARN: optional(arn),
    /** The account worker (exports, erasure), invoked by the me function. */
    ACCOUNT_WORKER_FUNCTION: optional(text()),
    /** The key of erased users' audit pseudonyms; only the account worker reads it. */
    AUDIT_PSEUDONYM_SECRET_ARN: optional(arn),
  });

export type AwsRuntimeConfig = ReturnType<typeof awsRuntimeConfig>;

/** Aurora through the Data API: what every function that touches the database needs. */
export const awsDatabaseConfig = () => parseEnv({ DB_CLUSTER_ARN: arn, DB_SECRET_ARN: arn, DB_NAME: text() });

/** What the pipeline and event functions need beside the database: the media bucket. */
export const awsMediaConfig = () => parseEnv({ MEDIA_BUCKET: text(3), MEDIA_KMS_KEY_ID: optional(text(0)) });
