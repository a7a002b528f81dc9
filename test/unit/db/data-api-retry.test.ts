import {
  BeginTransactionCommand,
  CommitTransactionCommand,
  DatabaseResumingException,
  DatabaseUnavailableException,
  ExecuteStatementCommand,
  RDSDataClient,
  RDSDataServiceException,
  RollbackTransactionCommand,
  StatementTimeoutException,
} from '@aws-sdk/client-rds-data';
import { PGlite } from '@electric-sql/pglite';
import { mockClient } from 'aws-sdk-client-mock';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { applyMigrations } from '#functions/deploy/migrate.ts';
import { isReadOnlyStatement, openDataApi } from '#shared/db/drivers/data-api.ts';
import { retryTransient } from '#shared/db/drivers/data-api-retry.ts';
import { rawRows } from '#shared/db/sql.ts';
import { isSafeToRetry, isTransientDataApiError, transientKind } from '#shared/db/transient.ts';
import { ServiceUnavailableError } from '#shared/errors.ts';
import { toProblemResponse } from '#shared/http/problem.ts';
import { createDataApiDouble, DOUBLE_ARNS, pgliteTarget } from '#test/support/data-api-double.ts';

const meta = { $metadata: {} };
const resuming = () => new DatabaseResumingException({ message: 'paused', ...meta });
const unavailableWriter = () => new DatabaseUnavailableException({ message: 'writer unavailable', ...meta });
const throttled = () =>
  new RDSDataServiceException({
    name: 'ThrottlingException',
    $fault: 'client',
    message: 'Rate exceeded',
    ...meta,
  });
/** What drizzle throws: the Data API's exception only in `cause`. */
const failedQuery = (cause: unknown) => new Error('Failed query: select 1\nparams: ', { cause });

describe('transient Data API errors', () => {
  it('are recognised anywhere in the cause chain, as drizzle wraps them', () => {
    expect(transientKind(failedQuery(resuming()))).toBe('not-executed');
    expect(transientKind(failedQuery(failedQuery(throttled())))).toBe('not-executed');
    expect(transientKind(failedQuery(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })))).toBe(
      'not-executed',
    );
    expect(transientKind(failedQuery(unavailableWriter()))).toBe('outcome-unknown');
    expect(isTransientDataApiError(failedQuery(new Error('syntax error')))).toBe(false);
  });

  it('repeat a call whose outcome is unknown only when it is repeatable; never a statement timeout', () => {
    expect(isSafeToRetry(failedQuery(resuming()), false)).toBe(true);
    expect(isSafeToRetry(failedQuery(unavailableWriter()), false)).toBe(false);
    expect(isSafeToRetry(failedQuery(unavailableWriter()), true)).toBe(true);
    const timeout = new StatementTimeoutException({ message: 'timed out', ...meta });
    expect(isSafeToRetry(failedQuery(timeout), true)).toBe(false);
  });

  it('do not mistake this project’s own 503 error for the SDK exception of the same name', () => {
    expect(transientKind(new ServiceUnavailableError('busy', 5, { cause: resuming() }))).toBe('not-executed');
    expect(transientKind(new ServiceUnavailableError('busy', 5))).toBeUndefined();
  });
});

describe('retryTransient', () => {
  const clock = () => {
    let t = 0;
    const waits: number[] = [];
    return {
      waits,
      now: () => t,
      sleep: async (ms: number) => {
        waits.push(ms);
        t += ms;
      },
    };
  };

  it('backs off with full jitter under a doubling cap until the call succeeds', async () => {
    const c = clock();
    let calls = 0;
    const result = await retryTransient(
      async () => {
        calls += 1;
        if (calls < 4) throw failedQuery(resuming());
        return 'ok';
      },
      false,
      { budgetMs: 20_000, baseDelayMs: 100, maxDelayMs: 5_000, random: () => 0.5, ...c },
    );
    expect(result).toBe('ok');
    expect(c.waits).toEqual([50, 100, 200]);
  });

  it('gives up with a ServiceUnavailableError when the budget is spent', async () => {
    const c = clock();
    const error = await retryTransient(
      async () => {
        throw failedQuery(resuming());
      },
      false,
      { budgetMs: 1_000, random: () => 1, ...c },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).retryAfterSeconds).toBeGreaterThan(0);
    expect(c.now()).toBe(1_000);
  });

  it('does not repeat a write whose outcome is unknown, and passes other errors through', async () => {
    let calls = 0;
    const unknown = await retryTransient(
      async () => {
        calls += 1;
        throw unavailableWriter();
      },
      false,
      { budgetMs: 20_000, sleep: async () => {} },
    ).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect(unknown).toBeInstanceOf(ServiceUnavailableError);
    const plain = new Error('duplicate key');
    await expect(
      retryTransient(
        async () => {
          throw plain;
        },
        false,
        { budgetMs: 20_000 },
      ),
    ).rejects.toBe(plain);
  });
});

describe('the Data API driver', () => {
  const policy = { budgetMs: 20_000, sleep: async () => {} };
  const open = () => {
    const client = new RDSDataClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const mock = mockClient(client);
    const db = openDataApi({ ...DOUBLE_ARNS, client, retry: policy }).db;
    return { mock, db };
  };

  it('knows which statements change nothing', () => {
    expect(isReadOnlyStatement('select "id" from "users" where "id" = :1')).toBe(true);
    expect(isReadOnlyStatement('select 1 from users for update')).toBe(false);
    expect(isReadOnlyStatement('insert into users values (1)')).toBe(false);
    expect(isReadOnlyStatement('with x as (update users set a = 1) select 1')).toBe(false);
  });

  it('repeats a read after an outcome-unknown failure but never a write', async () => {
    const { mock, db } = open();
    mock.on(ExecuteStatementCommand).rejectsOnce(unavailableWriter()).resolves({ records: [] });
    await expect(db.execute(sql`select 1`)).resolves.toBeDefined();
    expect(mock.commandCalls(ExecuteStatementCommand)).toHaveLength(2);

    mock.reset();
    mock.on(ExecuteStatementCommand).rejectsOnce(unavailableWriter()).resolves({ numberOfRecordsUpdated: 1 });
    const error = await db.execute(sql`update users set username = 'x'`).catch((e: unknown) => e);
    expect(mock.commandCalls(ExecuteStatementCommand)).toHaveLength(1);
    expect(toProblemResponse(error, 'c-1').statusCode).toBe(503);
  });

  it('retries a transaction only at its start, and turns a transient failure inside it into a 503', async () => {
    const { mock, db } = open();
    mock.on(BeginTransactionCommand).rejectsOnce(resuming()).resolves({ transactionId: 'tx-1' });
    mock.on(ExecuteStatementCommand).rejects(throttled());
    mock.on(CommitTransactionCommand).resolves({});
    mock.on(RollbackTransactionCommand).resolves({});
    const error = await db
      .transaction(async (tx) => {
        await tx.execute(sql`update users set username = 'x'`);
      })
      .catch((e: unknown) => e);
    expect(mock.commandCalls(BeginTransactionCommand)).toHaveLength(2);
    expect(mock.commandCalls(ExecuteStatementCommand)).toHaveLength(1);
    expect(mock.commandCalls(RollbackTransactionCommand)).toHaveLength(1);
    const response = toProblemResponse(error, 'c-2');
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['retry-after']).toBe('5');
    expect(JSON.parse(response.body as string)).toMatchObject({ status: 503, title: 'Service Unavailable' });
  });

  it('reads timestamptz values as UTC whatever the process time zone', async () => {
    const { mock, db } = open();
    mock.on(ExecuteStatementCommand).resolves({
      records: [[{ stringValue: '2026-11-26 17:50:03.123' }]],
      columnMetadata: [{ name: 'at', typeName: 'timestamptz' }],
    });
    const [row] = await rawRows<{ at: string }>(db, sql`select now() as at`);
    expect(new Date(row!.at).toISOString()).toBe('2026-11-26T17:50:03.123Z');
    expect(mock.commandCalls(ExecuteStatementCommand)[0]?.args[0].input.includeResultMetadata).toBe(true);
  });
});

describe('migrations on a paused cluster', () => {
  it('are applied although every first call fails and drizzle hides the error in `cause`', async () => {
    const pglite = await PGlite.create();
    const double = createDataApiDouble(pgliteTarget(pglite), { pausedCalls: 4 });
    try {
      // No retries in the driver: every resuming error reaches the migration wrapped by drizzle.
      const db = openDataApi({ ...DOUBLE_ARNS, client: double.client, retry: { budgetMs: 0 } }).db;
      await applyMigrations(db, { budgetMs: 60_000, baseDelayMs: 1, maxDelayMs: 5 });
      expect(double.resumingErrors).toBe(4);
      const [row] = await rawRows<{ n: number }>(db, sql`SELECT count(*)::int4 AS n FROM users`);
      expect(row?.n).toBe(0);
    } finally {
      double.restore();
      await pglite.close();
    }
  });
});
