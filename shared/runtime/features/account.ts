import { dynamoAccountRecords } from '../../account/dynamo-records.ts';
import { createExportRepository } from '../../account/exports.ts';
import { lambdaAccountTasks } from '../../account/lambda-runner.ts';
import { createJobRepository } from '../../jobs/repository.ts';
import { sdkConfig } from '../../sdk/sha256.ts';
import type { AwsFeature } from '../aws.ts';
import { signer, store, workflow } from '../aws-adapters.ts';
import type { Adapters, Once } from '../context.ts';
import { secretKey } from '../secret-key.ts';

/** Exports and erasure: the me function and the account worker. */
export const accountFeature = (adapters: Adapters, once: Once) => ({
  jobs: once('jobs', () => createJobRepository(adapters.db)),
  exports: createExportRepository(adapters.db),
});

/** Exports and erasure: the me function starts them, the account worker runs them. */
export const awsAccount: AwsFeature = {
  feature: accountFeature,
  adapters: (env) => ({
    ...store(env),
    ...signer(env),
    ...workflow(env),
    pseudonymKey: secretKey(env.config.AUDIT_PSEUDONYM_SECRET_ARN, 'AUDIT_PSEUDONYM_SECRET_ARN'),
    accountTasks: env.config.ACCOUNT_WORKER_FUNCTION
      ? lambdaAccountTasks(
          async () => new (await import('@aws-sdk/client-lambda')).LambdaClient(sdkConfig()),
          env.config.ACCOUNT_WORKER_FUNCTION,
        )
      : { start: () => Promise.reject(new Error('ACCOUNT_WORKER_FUNCTION is not set')) },
    accountRecords: dynamoAccountRecords(env.documents, {
      audit: env.config.AUDIT_TABLE,
      idempotency: env.config.IDEMPOTENCY_TABLE,
    }),
  }),
};
