import {
  BeginTransactionCommand,
  ExecuteStatementCommand,
  type ExecuteStatementCommandOutput,
  RDSDataClient,
  RollbackTransactionCommand,
} from '@aws-sdk/client-rds-data';
import { drizzle } from 'drizzle-orm/aws-data-api/pg';
import { tracedClient } from '../../observability/tracing.ts';
import { sdkConfig } from '../../sdk/sha256.ts';
import type { Database, DatabaseHandle, StatementCounter } from '../database.ts';
import { isTransientDataApiError } from '../transient.ts';
import { type RetryPolicy, retryTransient, unavailable } from './data-api-retry.ts';

export interface DataApiOptions {
  resourceArn: string;
  secretArn: string;
  database: string;
  client?: RDSDataClient;
  counter?: StatementCounter;
  /** How long a call may wait for a paused or throttled database; set by each composition root. */
  retry?: RetryPolicy;
}

/** The budget of an API request when the composition root sets none. */
export const DEFAULT_RETRY: RetryPolicy = { budgetMs: 20_000 };

/** A plain SELECT changes nothing, so it may be repeated even when a failed attempt's outcome is unknown. */
export function isReadOnlyStatement(sql: string | undefined): boolean {
  return (
    !!sql && /^\s*select\b/i.test(sql) && !/\bfor\s+(update|no\s+key\s+update|share|key\s+share)\b/i.test(sql)
  );
}

/**
 * The Data API returns timestamptz values as 'YYYY-MM-DD HH:MM:SS[.FFF]' in the cluster's time zone (UTC on
 * Aurora) with no offset, and drizzle parses them with `new Date(text)`, which reads them in the process's
 * local zone. Marking them as UTC keeps dates right on any machine, not only on Lambda (UTC).
 */
function markTimestamptzAsUtc(out: ExecuteStatementCommandOutput, keepMetadata: boolean) {
  const utc = (out.columnMetadata ?? []).map((c) =>
    /^(timestamptz|timestamp with time zone)$/i.test(c.typeName ?? ''),
  );
  if (utc.some(Boolean)) {
    for (const record of out.records ?? []) {
      record.forEach((field, i) => {
        if (utc[i] && field.stringValue !== undefined && !/(Z|[+-]\d\d(:?\d\d)?)$/.test(field.stringValue)) {
          field.stringValue = `${field.stringValue}Z`;
        }
      });
    }
  }
  if (!keepMetadata) delete out.columnMetadata;
  return out;
}

/**
 * The client drizzle talks to. Statements outside a transaction and BeginTransaction are retried under the
 * policy; statements inside a transaction, commit and rollback never are (a failed call may have aborted the
 * transaction, and a commit may have applied), so a transaction is retried only at its start. A transient
 * failure that is not retried reaches the caller as a ServiceUnavailableError. Results are read with column
 * metadata so that timestamptz values can be marked as UTC.
 */
function resilientClient(client: RDSDataClient, policy: RetryPolicy): RDSDataClient {
  const send = async (command: unknown) => {
    if (command instanceof ExecuteStatementCommand) {
      const input = command.input;
      const run = async () =>
        markTimestamptzAsUtc(
          await client.send(new ExecuteStatementCommand({ ...input, includeResultMetadata: true })),
          input.includeResultMetadata === true,
        );
      if (!input.transactionId) return retryTransient(run, isReadOnlyStatement(input.sql), policy);
      return run().catch((error: unknown) => {
        throw isTransientDataApiError(error) ? unavailable(error) : error;
      });
    }
    if (command instanceof BeginTransactionCommand) {
      return retryTransient(() => client.send(command), true, policy);
    }
    if (command instanceof RollbackTransactionCommand) {
      // A transaction the Data API no longer knows (aborted by the failed call drizzle is rolling back for,
      // or expired) is already rolled back; failing here would hide the error that caused the rollback.
      return client.send(command).catch((error: unknown) => {
        if ((error as { name?: string }).name === 'TransactionNotFoundException') {
          return { transactionStatus: 'Rollback Complete', $metadata: {} };
        }
        throw isTransientDataApiError(error) ? unavailable(error) : error;
      });
    }
    return (client.send as (c: unknown) => Promise<unknown>)(command).catch((error: unknown) => {
      throw isTransientDataApiError(error) ? unavailable(error) : error;
    });
  };
  return new Proxy(client, {
    get: (target, property, receiver) =>
      property === 'send' ? send : Reflect.get(target, property, receiver),
  });
}

/** Aurora Serverless v2 through the RDS Data API: no connections to manage from Lambda. */
export function openDataApi(options: DataApiOptions): DatabaseHandle & { client: RDSDataClient } {
  // The SDK's own retries would repeat calls whose outcome is unknown (5xx, reset sockets) even for writes;
  // the policy here decides instead.
  const client = options.client ?? tracedClient(new RDSDataClient(sdkConfig({ maxAttempts: 1 })));
  const db = drizzle(resilientClient(client, options.retry ?? DEFAULT_RETRY), {
    resourceArn: options.resourceArn,
    secretArn: options.secretArn,
    database: options.database,
    logger: options.counter ?? false,
  }) as unknown as Database;
  return { kind: 'data-api', db, client, close: async () => undefined };
}
