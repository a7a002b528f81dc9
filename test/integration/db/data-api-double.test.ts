/**
 * The Data API double refuses what the Data API documents it refuses, so the Data API suites fail where
 * Aurora would. Each rule is exercised on the raw client; the last block goes through the driver.
 */
import {
  BeginTransactionCommand,
  CommitTransactionCommand,
  ExecuteStatementCommand,
  type ExecuteStatementCommandInput,
  type SqlParameter,
} from '@aws-sdk/client-rds-data';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDataApi } from '#shared/db/drivers/data-api.ts';
import { sqlErrorInfo } from '#shared/db/errors.ts';
import {
  createDataApiDouble,
  type DataApiDouble,
  DOUBLE_ARNS,
  pgliteTarget,
  RESUMING_MESSAGE,
  TRANSACTION_IDLE_MS,
} from '#test/support/data-api-double.ts';
import { TEST_RETRY } from '#test/support/db-drivers.ts';

let pglite: PGlite;
let double: DataApiDouble;

beforeAll(async () => {
  pglite = await PGlite.create();
  await pglite.exec(`SET TIME ZONE 'UTC'`);
});
afterAll(async () => {
  await pglite?.close();
});
afterEach(() => double?.restore());

function fresh(options: { pausedCalls?: number } = {}) {
  double = createDataApiDouble(pgliteTarget(pglite), options);
  return double;
}

const execute = (input: Partial<ExecuteStatementCommandInput> & { sql: string }) =>
  double.client.send(new ExecuteStatementCommand({ ...DOUBLE_ARNS, ...input }));

const param = (name: string, stringValue: string, typeHint: SqlParameter['typeHint']): SqlParameter => ({
  name,
  value: { stringValue },
  typeHint,
});

describe('a paused cluster', () => {
  it('answers the first calls with DatabaseResumingException and AWS message, then runs them', async () => {
    fresh({ pausedCalls: 2 });
    for (let i = 0; i < 2; i += 1) {
      await expect(execute({ sql: 'SELECT 1' })).rejects.toMatchObject({
        name: 'DatabaseResumingException',
        message: RESUMING_MESSAGE,
      });
    }
    await expect(execute({ sql: 'SELECT 1 AS one' })).resolves.toMatchObject({
      records: [[{ longValue: 1 }]],
    });
    expect(double.resumingErrors).toBe(2);
  });

  it('pauses again on demand, for BeginTransaction too', async () => {
    fresh();
    double.pause(1);
    await expect(double.client.send(new BeginTransactionCommand(DOUBLE_ARNS))).rejects.toMatchObject({
      name: 'DatabaseResumingException',
    });
  });
});

/** An input missing an ARN the SDK's types require (the service checks it, not the client). */
function withoutArn<T extends { resourceArn: string; secretArn: string }>(
  input: T,
  arn: 'resourceArn' | 'secretArn',
): T {
  const copy: Partial<T> = { ...input };
  delete copy[arn];
  return copy as T;
}

describe('required resource and secret ARNs', () => {
  it('refuses a call without secretArn or resourceArn, or with ARNs of another cluster', async () => {
    fresh();
    await expect(
      double.client.send(
        new ExecuteStatementCommand(withoutArn({ ...DOUBLE_ARNS, sql: 'SELECT 1' }, 'secretArn')),
      ),
    ).rejects.toMatchObject({ name: 'NotFoundException' });
    await expect(
      double.client.send(
        new ExecuteStatementCommand(withoutArn({ ...DOUBLE_ARNS, sql: 'SELECT 1' }, 'resourceArn')),
      ),
    ).rejects.toMatchObject({ name: 'NotFoundException' });
    await expect(
      execute({ sql: 'SELECT 1', resourceArn: `${DOUBLE_ARNS.resourceArn}-other` }),
    ).rejects.toMatchObject({ name: 'NotFoundException' });
    await expect(
      double.client.send(new BeginTransactionCommand(withoutArn({ ...DOUBLE_ARNS }, 'secretArn'))),
    ).rejects.toMatchObject({ name: 'NotFoundException' });
  });
});

describe('typed parameters', () => {
  const cases: [SqlParameter['typeHint'], string, string, string][] = [
    // hint, accepted, refused, cast
    ['TIMESTAMP', '2026-11-26 17:50:03.123', '2026-11-26T17:50:03.123Z', 'timestamp without time zone'],
    ['TIMESTAMP', '2026-11-26 17:50:03', '2026-11-26 17:50:03.123456', 'timestamp without time zone'],
    ['DATE', '2026-11-26', '2026-11-26T00:00:00', 'date'],
    ['TIME', '17:50:03.5', '17:50', 'time without time zone'],
    ['DECIMAL', '-12.50', '12,50', 'numeric'],
    ['UUID', '6f1c2a8e-3b5d-4c7e-9f10-2a3b4c5d6e7f', '6f1c2a8e3b5d4c7e9f102a3b4c5d6e7f', 'uuid'],
    ['JSON', '{"a":[1,2]}', '{"a":', 'json'],
  ];
  it.each(cases)('%s accepts %j and refuses %j', async (hint, good, bad, cast) => {
    fresh();
    const ok = await execute({
      sql: 'SELECT pg_typeof(:v)::text AS t',
      parameters: [param('v', good, hint)],
    });
    expect(ok.records?.[0]?.[0]).toEqual({ stringValue: cast });
    await expect(
      execute({ sql: 'SELECT :v::text', parameters: [param('v', bad, hint)] }),
    ).rejects.toMatchObject({
      name: 'DatabaseErrorException',
      message: expect.stringMatching(new RegExp(`typeHint ${hint}`)),
    });
  });
});

describe('results', () => {
  it('refuses types the Data API cannot return, and multidimensional arrays', async () => {
    fresh();
    await expect(execute({ sql: `SELECT interval '1 day' AS i` })).rejects.toMatchObject({
      name: 'UnsupportedResultException',
      message: expect.stringMatching(/interval/),
    });
    await expect(execute({ sql: `SELECT '1.50'::money AS m` })).rejects.toMatchObject({
      name: 'UnsupportedResultException',
    });
    await expect(execute({ sql: 'SELECT ARRAY[[1,2],[3,4]] AS a' })).rejects.toMatchObject({
      name: 'UnsupportedResultException',
      message: expect.stringMatching(/multidimensional/),
    });
  });

  it('returns one-dimensional arrays as arrayValue of the element type, and typeName in metadata', async () => {
    fresh();
    const out = await execute({
      sql: `SELECT ARRAY[1,2,3]::int4[] AS ints, ARRAY['x','y,z', 'q"q']::text[] AS texts,
                   ARRAY[true,false] AS bools, ARRAY[1.5]::float8[] AS doubles, now() AS at`,
      includeResultMetadata: true,
    });
    expect(out.records?.[0]?.slice(0, 4)).toEqual([
      { arrayValue: { longValues: [1, 2, 3] } },
      { arrayValue: { stringValues: ['x', 'y,z', 'q"q'] } },
      { arrayValue: { booleanValues: [true, false] } },
      { arrayValue: { doubleValues: [1.5] } },
    ]);
    expect(out.columnMetadata?.map((c) => c.typeName)).toEqual([
      '_int4',
      '_text',
      '_bool',
      '_float8',
      'timestamptz',
    ]);
    expect(out.records?.[0]?.[4]?.stringValue).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/);
  });

  it('refuses a row over 64 KB and a response over 1 MiB, and returns one just under', async () => {
    fresh();
    await expect(execute({ sql: `SELECT repeat('x', 70000) AS big` })).rejects.toMatchObject({
      name: 'UnsupportedResultException',
      message: expect.stringMatching(/Packet for query is too large/),
    });
    await expect(
      execute({ sql: `SELECT repeat('x', 60000) AS part FROM generate_series(1, 20)` }),
    ).rejects.toMatchObject({
      name: 'UnsupportedResultException',
      message: expect.stringMatching(/Database response exceeded size limit/),
    });
    const under = await execute({ sql: `SELECT repeat('x', 60000) AS part FROM generate_series(1, 17)` });
    expect(under.records).toHaveLength(17);
  });
});

describe('transactions', () => {
  const begin = async () =>
    (await double.client.send(new BeginTransactionCommand(DOUBLE_ARNS))).transactionId!;

  it('expire when no call uses them for 3 minutes, and free their connection', async () => {
    fresh();
    const id = await begin();
    double.advanceTime(TRANSACTION_IDLE_MS - 1_000);
    await execute({ sql: 'SELECT 1', transactionId: id });
    double.advanceTime(TRANSACTION_IDLE_MS + 1_000);
    await expect(execute({ sql: 'SELECT 1', transactionId: id })).rejects.toMatchObject({
      name: 'TransactionNotFoundException',
      message: expect.stringMatching(/expired/),
    });
    await expect(execute({ sql: 'SELECT 1 AS free' })).resolves.toBeDefined();
  });

  it('end after 24 hours even when used every 2 minutes', async () => {
    fresh();
    const id = await begin();
    let error: unknown;
    for (let minutes = 0; minutes <= 24 * 60 + 2 && !error; minutes += 2) {
      double.advanceTime(2 * 60_000);
      error = await execute({ sql: 'SELECT 1', transactionId: id }).then(
        () => undefined,
        (e: unknown) => e,
      );
    }
    expect(error).toMatchObject({ name: 'TransactionNotFoundException' });
  });

  it('refuse a second call while one is running, and end when a statement fails', async () => {
    fresh();
    const id = await begin();
    const slow = execute({ sql: 'SELECT pg_sleep(0.05)::text', transactionId: id });
    await expect(execute({ sql: 'SELECT 1', transactionId: id })).rejects.toMatchObject({
      name: 'DatabaseErrorException',
      message: 'Transaction is still running a query',
    });
    await slow;
    await expect(execute({ sql: 'SELECT 1/0', transactionId: id })).rejects.toMatchObject({
      name: 'DatabaseErrorException',
    });
    await expect(
      double.client.send(new CommitTransactionCommand({ ...DOUBLE_ARNS, transactionId: id })),
    ).rejects.toMatchObject({
      name: 'TransactionNotFoundException',
      message: expect.stringMatching(/aborted/),
    });
  });
});

describe('the driver over the double', () => {
  it('rethrows the error that failed a transaction, not the rollback of a transaction the Data API ended', async () => {
    fresh();
    const db = openDataApi({ ...DOUBLE_ARNS, client: double.client, retry: TEST_RETRY }).db;
    const error = await db
      .transaction(async (tx) => {
        await tx.execute(sql`SELECT 1/0`);
      })
      .catch((e: unknown) => e);
    expect(sqlErrorInfo(error).sqlState).toBe('22012');
  });
});
