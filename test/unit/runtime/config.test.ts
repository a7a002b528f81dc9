/** The Lambda environment checks: every variable missing or wrong named in one error, optional ones may be absent. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { awsDatabaseConfig, awsMediaConfig } from '#shared/config.ts';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('awsDatabaseConfig', () => {
  it('returns the variables when each passes its check', () => {
    vi.stubEnv('DB_CLUSTER_ARN', 'arn:aws:rds:eu-west-1:123456789012:cluster:c');
    vi.stubEnv('DB_SECRET_ARN', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:s');
    vi.stubEnv('DB_NAME', 'aivideo');
    expect(awsDatabaseConfig()).toEqual({
      DB_CLUSTER_ARN: 'arn:aws:rds:eu-west-1:123456789012:cluster:c',
      DB_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:s',
      DB_NAME: 'aivideo',
    });
  });

  it('names every variable missing or wrong', () => {
    vi.stubEnv('DB_CLUSTER_ARN', 'not-an-arn');
    vi.stubEnv('DB_SECRET_ARN', undefined);
    vi.stubEnv('DB_NAME', '');
    expect(() => awsDatabaseConfig()).toThrow(
      'Missing or invalid environment variables: DB_CLUSTER_ARN (must start with arn:), DB_SECRET_ARN (missing), DB_NAME (must not be empty)',
    );
  });
});

describe('awsMediaConfig', () => {
  it('leaves an optional variable out when it is absent', () => {
    vi.stubEnv('MEDIA_BUCKET', 'media-bucket');
    vi.stubEnv('MEDIA_KMS_KEY_ID', undefined);
    expect(awsMediaConfig()).toEqual({ MEDIA_BUCKET: 'media-bucket' });
  });

  it('checks a bucket name’s length', () => {
    vi.stubEnv('MEDIA_BUCKET', 'ab');
    expect(() => awsMediaConfig()).toThrow('MEDIA_BUCKET (must be at least 3 characters)');
  });
});
