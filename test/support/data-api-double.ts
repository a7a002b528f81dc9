/**
 * A double of the RDS Data API for tests: an RDSDataClient whose ExecuteStatement and transaction calls
 * are forwarded to a real PostgreSQL (PGlite or a server) with the Data API's typing rules, so drizzle's
 * Data API driver is exercised end to end. What would fail on Aurora fails here:
 * - `:name` parameters; an untyped stringValue arrives as varchar (so `uuid_col = :p` needs a cast);
 * - typeHint UUID/TIMESTAMP/DATE/TIME/DECIMAL/JSON become casts; longValue int8, doubleValue float8;
 * - records come back as Field arrays, timestamps as 'YYYY-MM-DD HH:MM:SS[.ffffff]' strings in UTC,
 *   uuid/json/numeric/date as strings, ints as longValue; column metadata when asked for;
 * - SQL errors surface as DatabaseErrorException carrying the SQLState, as on Aurora.
 */
import { randomUUID } from 'node:crypto';
import {
  BeginTransactionCommand,
  type ColumnMetadata,
  CommitTransactionCommand,
  DatabaseErrorException,
  ExecuteStatementCommand,
  type ExecuteStatementCommandInput,
  type Field,
  RDSDataClient,
  RollbackTransactionCommand,
  type SqlParameter,
  TransactionNotFoundException,
} from '@aws-sdk/client-rds-data';
import type { PGlite } from '@electric-sql/pglite';
import { mockClient } from 'aws-sdk-client-mock';
import type pg from 'pg';

interface RawResult {
  fields: { name: string; dataTypeID: number }[];
  rows: (string | null)[][];
  rowCount: number;
}

interface Connection {
  query(text: string, values: unknown[]): Promise<RawResult>;
  release(): Promise<void>;
}

/** Where the SQL really runs. */
export interface SqlTarget {
  connect(): Promise<Connection>;
}

const TEXT_OIDS = [16, 20, 21, 23, 25, 26, 114, 700, 701, 1043, 1082, 1083, 1114, 1184, 1700, 2950, 3802];

export function pgliteTarget(db: PGlite): SqlTarget {
  const parsers = Object.fromEntries(TEXT_OIDS.map((oid) => [oid, (value: string) => value]));
  // One connection: a transaction holds it until commit or rollback; other statements wait their turn.
  let queue: Promise<void> = Promise.resolve();
  return {
    async connect() {
      let release!: () => void;
      const previous = queue;
      queue = new Promise<void>((resolve) => {
        release = resolve;
      });
      await previous;
      return {
        async query(text, values) {
          const result = await db.query<(string | null)[]>(text, values, { rowMode: 'array', parsers });
          return {
            fields: result.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
            rows: result.rows,
            rowCount: result.affectedRows ?? result.rows.length,
          };
        },
        async release() {
          release();
        },
      };
    },
  };
}

export function poolTarget(pool: pg.Pool): SqlTarget {
  return {
    async connect() {
      const client = await pool.connect();
      return {
        async query(text, values) {
          const result = await client.query({
            text,
            values,
            rowMode: 'array',
            types: { getTypeParser: () => (value: string) => value },
          });
          return {
            fields: result.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
            rows: result.rows as (string | null)[][],
            rowCount: result.rowCount ?? 0,
          };
        },
        async release() {
          client.release();
        },
      };
    },
  };
}

const HINT_CASTS: Record<string, string> = {
  UUID: 'uuid',
  TIMESTAMP: 'timestamp',
  DATE: 'date',
  TIME: 'time',
  DECIMAL: 'numeric',
  JSON: 'json',
};

function bindParameter(parameter: SqlParameter): { value: unknown; cast: string | null } {
  const v: Partial<Record<'isNull' | 'stringValue' | 'longValue' | 'doubleValue' | 'booleanValue', unknown>> =
    parameter.value ?? {};
  if (v.isNull) return { value: null, cast: null };
  if (v.stringValue !== undefined) {
    return {
      value: v.stringValue as string,
      cast: parameter.typeHint ? (HINT_CASTS[parameter.typeHint] ?? 'varchar') : 'varchar',
    };
  }
  if (v.longValue !== undefined) return { value: String(v.longValue), cast: 'int8' };
  if (v.doubleValue !== undefined) return { value: String(v.doubleValue), cast: 'float8' };
  if (v.booleanValue !== undefined) return { value: v.booleanValue, cast: 'bool' };
  throw new DatabaseErrorException({ message: 'unsupported parameter type in this double', $metadata: {} });
}

/** Rewrites `:name` placeholders to `$n::type`, leaving `::casts` and unknown names alone. */
export function bindStatement(
  sql: string,
  parameters: SqlParameter[] = [],
): { text: string; values: unknown[] } {
  const byName = new Map(parameters.map((p) => [p.name ?? '', p]));
  const values: unknown[] = [];
  const positions = new Map<string, number>();
  const text = sql.replace(/(?<![:\w]):([A-Za-z0-9_]+)/g, (match, name: string) => {
    const parameter = byName.get(name);
    if (!parameter) return match;
    let position = positions.get(name);
    const bound = bindParameter(parameter);
    if (position === undefined) {
      values.push(bound.value);
      position = values.length;
      positions.set(name, position);
    }
    return bound.cast ? `$${position}::${bound.cast}` : `$${position}`;
  });
  return { text, values };
}

function toField(raw: string | null, oid: number): Field {
  if (raw === null) return { isNull: true };
  switch (oid) {
    case 16:
      return { booleanValue: raw === 't' || raw === 'true' };
    case 20:
    case 21:
    case 23:
    case 26:
      return { longValue: Number(raw) };
    case 700:
    case 701:
      return { doubleValue: Number(raw) };
    case 1184:
      return { stringValue: raw.replace(/([+-]\d\d(:\d\d)?)$/, '') };
    default:
      return { stringValue: raw };
  }
}

function asDataApiError(error: unknown): Error {
  const e = error as { message?: string; code?: string; detail?: string };
  const detail = e.detail ? `\n  Detail: ${e.detail}` : '';
  return new DatabaseErrorException({
    message: `ERROR: ${e.message ?? String(error)}${detail}; SQLState: ${e.code ?? 'XX000'}`,
    $metadata: { httpStatusCode: 400 },
  });
}

export interface DataApiDouble {
  client: RDSDataClient;
  /** Statements executed through ExecuteStatement (the Data API calls a bill counts). */
  readonly executed: string[];
  restore(): void;
}

export const DOUBLE_ARNS = {
  resourceArn: 'arn:aws:rds:us-east-1:123456789012:cluster:video-test',
  secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:video-test-AbCdEf',
  database: 'video',
};

export function createDataApiDouble(target: SqlTarget): DataApiDouble {
  const client = new RDSDataClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const mock = mockClient(client);
  const transactions = new Map<string, Connection>();
  const executed: string[] = [];

  async function run(input: ExecuteStatementCommandInput) {
    if (!input.sql) throw new DatabaseErrorException({ message: 'sql is required', $metadata: {} });
    executed.push(input.sql);
    const { text, values } = bindStatement(input.sql, input.parameters);
    const inTransaction = input.transactionId ? transactions.get(input.transactionId) : undefined;
    if (input.transactionId && !inTransaction) {
      throw new TransactionNotFoundException({ message: 'Transaction not found', $metadata: {} });
    }
    const connection = inTransaction ?? (await target.connect());
    try {
      const result = await connection.query(text, values).catch((error: unknown) => {
        throw asDataApiError(error);
      });
      const records = result.rows.map((row) =>
        row.map((raw, i) => toField(raw, result.fields[i]?.dataTypeID ?? 25)),
      );
      const columnMetadata: ColumnMetadata[] = result.fields.map((f) => ({ name: f.name, label: f.name }));
      return {
        numberOfRecordsUpdated: result.fields.length ? 0 : result.rowCount,
        ...(result.fields.length ? { records } : {}),
        ...(input.includeResultMetadata && result.fields.length ? { columnMetadata } : {}),
      };
    } finally {
      if (!inTransaction) await connection.release();
    }
  }

  mock.on(ExecuteStatementCommand).callsFake(run);
  mock.on(BeginTransactionCommand).callsFake(async () => {
    const connection = await target.connect();
    await connection.query('BEGIN', []);
    const transactionId = randomUUID();
    transactions.set(transactionId, connection);
    return { transactionId };
  });
  const finish = (statement: 'COMMIT' | 'ROLLBACK') => async (input: { transactionId?: string }) => {
    const connection = input.transactionId ? transactions.get(input.transactionId) : undefined;
    if (!connection || !input.transactionId) {
      throw new TransactionNotFoundException({ message: 'Transaction not found', $metadata: {} });
    }
    transactions.delete(input.transactionId);
    try {
      await connection.query(statement, []);
    } finally {
      await connection.release();
    }
    return { transactionStatus: statement === 'COMMIT' ? 'Transaction Committed' : 'Rollback Complete' };
  };
  mock.on(CommitTransactionCommand).callsFake(finish('COMMIT'));
  mock.on(RollbackTransactionCommand).callsFake(finish('ROLLBACK'));

  return { client, executed, restore: () => mock.restore() };
}
