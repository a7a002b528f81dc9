/**
 * A double of the RDS Data API for tests: an RDSDataClient whose ExecuteStatement and transaction calls
 * are forwarded to a real PostgreSQL (PGlite or a server) with the Data API's documented rules, so drizzle's
 * Data API driver is exercised end to end. What would fail on Aurora fails here:
 * - resourceArn and secretArn are required and must name this cluster and its secret (NotFoundException);
 * - a paused cluster: the next N calls throw DatabaseResumingException with AWS's message;
 * - `:name` parameters; an untyped stringValue arrives as varchar (so `uuid_col = :p` needs a cast);
 * - typeHint values must have the documented formats (TIMESTAMP 'YYYY-MM-DD HH:MM:SS[.FFF]', DATE
 *   'YYYY-MM-DD', TIME 'HH:MM:SS[.FFF]', DECIMAL a number, UUID, JSON) and become casts; longValue int8,
 *   doubleValue float8;
 * - records come back as Field arrays: timestamps as 'YYYY-MM-DD HH:MM:SS[.ffffff]' strings in UTC,
 *   uuid/json/numeric/date as strings, ints as longValue, one-dimensional arrays as `arrayValue`; column
 *   metadata (with typeName) when asked for;
 * - result types outside the documented list, and multidimensional arrays, throw UnsupportedResultException;
 *   so does a row over 64 KB ("Packet for query is too large") or a result over 1 MiB ("Database response
 *   exceeded size limit");
 * - a transaction expires when no call uses it for 3 minutes, and after 24 hours in any case; a call with an
 *   ended, expired or aborted transaction throws TransactionNotFoundException; a second call on a transaction
 *   still running one throws DatabaseErrorException; an error inside a transaction aborts it;
 * - SQL errors surface as DatabaseErrorException carrying the SQLState, as on Aurora.
 * The clock is the double's own (`advanceTime`), so expiry is tested without waiting.
 */
import { randomUUID } from 'node:crypto';
import {
  BeginTransactionCommand,
  type ColumnMetadata,
  CommitTransactionCommand,
  DatabaseErrorException,
  DatabaseResumingException,
  ExecuteStatementCommand,
  type ExecuteStatementCommandInput,
  type Field,
  NotFoundException,
  RDSDataClient,
  RollbackTransactionCommand,
  type SqlParameter,
  TransactionNotFoundException,
  UnsupportedResultException,
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

type FieldKind = 'boolean' | 'long' | 'double' | 'string' | 'blob';

/**
 * The result types the Data API documents for Aurora PostgreSQL (by OID), with the Field each comes back as.
 * User-defined types (OID ≥ 16384; the documented ENUM) come back as strings.
 */
const SCALAR_TYPES: Record<number, { name: string; kind: FieldKind }> = {
  16: { name: 'bool', kind: 'boolean' },
  17: { name: 'bytea', kind: 'blob' },
  18: { name: 'char', kind: 'string' },
  19: { name: 'name', kind: 'string' },
  20: { name: 'int8', kind: 'long' },
  21: { name: 'int2', kind: 'long' },
  23: { name: 'int4', kind: 'long' },
  25: { name: 'text', kind: 'string' },
  114: { name: 'json', kind: 'string' },
  650: { name: 'cidr', kind: 'string' },
  700: { name: 'float4', kind: 'double' },
  701: { name: 'float8', kind: 'double' },
  869: { name: 'inet', kind: 'string' },
  1042: { name: 'bpchar', kind: 'string' },
  1043: { name: 'varchar', kind: 'string' },
  1082: { name: 'date', kind: 'string' },
  1083: { name: 'time', kind: 'string' },
  1114: { name: 'timestamp', kind: 'string' },
  1184: { name: 'timestamptz', kind: 'string' },
  1700: { name: 'numeric', kind: 'string' },
  2950: { name: 'uuid', kind: 'string' },
  3802: { name: 'jsonb', kind: 'string' },
};

/** Array OIDs → element OID (one-dimensional arrays of documented types come back as arrayValue). */
const ARRAY_TYPES: Record<number, number> = {
  1000: 16,
  1005: 21,
  1007: 23,
  1016: 20,
  1009: 25,
  1014: 1042,
  1015: 1043,
  1021: 700,
  1022: 701,
  1231: 1700,
  2951: 2950,
  1182: 1082,
  1183: 1083,
  1115: 1114,
  1185: 1184,
  199: 114,
  3807: 3802,
};

const USER_DEFINED_OID = 16384;

/** Names of a few types the Data API cannot return, for readable errors. */
const KNOWN_NAMES: Record<number, string> = {
  1186: 'interval',
  790: 'money',
  600: 'point',
  1266: 'timetz',
  142: 'xml',
  3614: 'tsvector',
  829: 'macaddr',
  2278: 'void',
};

const ALL_OIDS = [...Object.keys(SCALAR_TYPES), ...Object.keys(ARRAY_TYPES), ...Object.keys(KNOWN_NAMES)].map(
  Number,
);

export function pgliteTarget(db: PGlite): SqlTarget {
  // Raw text for every type, as a server sends it: the double decides what the Data API would return.
  const parsers = Object.fromEntries(ALL_OIDS.map((oid) => [oid, (value: string) => value]));
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

/** The accepted formats of SqlParameter.typeHint, as the API reference states them. */
const HINT_FORMATS: Record<string, { test(value: string): boolean; format: string }> = {
  TIMESTAMP: {
    test: (v) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,3})?$/.test(v),
    format: 'YYYY-MM-DD HH:MM:SS[.FFF]',
  },
  DATE: { test: (v) => /^\d{4}-\d\d-\d\d$/.test(v), format: 'YYYY-MM-DD' },
  TIME: { test: (v) => /^\d\d:\d\d:\d\d(\.\d{1,3})?$/.test(v), format: 'HH:MM:SS[.FFF]' },
  DECIMAL: { test: (v) => /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(v), format: 'a decimal number' },
  UUID: {
    test: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
    format: 'a UUID',
  },
  JSON: {
    test: (v) => {
      try {
        JSON.parse(v);
        return true;
      } catch {
        return false;
      }
    },
    format: 'JSON text',
  },
};

function badParameter(message: string): Error {
  return new DatabaseErrorException({ message, $metadata: { httpStatusCode: 400 } });
}

function bindParameter(parameter: SqlParameter): { value: unknown; cast: string | null } {
  const v: Partial<Record<'isNull' | 'stringValue' | 'longValue' | 'doubleValue' | 'booleanValue', unknown>> =
    parameter.value ?? {};
  if (v.isNull) return { value: null, cast: null };
  if (v.stringValue !== undefined) {
    const text = v.stringValue as string;
    const hint = parameter.typeHint;
    if (hint) {
      const rule = HINT_FORMATS[hint];
      if (!rule) throw badParameter(`Parameter ${parameter.name}: unknown typeHint ${hint}`);
      if (!rule.test(text)) {
        throw badParameter(`Parameter ${parameter.name} with typeHint ${hint} must be ${rule.format}`);
      }
    }
    return { value: text, cast: hint ? (HINT_CASTS[hint] ?? 'varchar') : 'varchar' };
  }
  if (v.longValue !== undefined) return { value: String(v.longValue), cast: 'int8' };
  if (v.doubleValue !== undefined) return { value: String(v.doubleValue), cast: 'float8' };
  if (v.booleanValue !== undefined) return { value: v.booleanValue, cast: 'bool' };
  throw badParameter('unsupported parameter type in this double');
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

function unsupported(message: string): Error {
  return new UnsupportedResultException({ message, $metadata: { httpStatusCode: 400 } });
}

function typeName(oid: number): string {
  const element = ARRAY_TYPES[oid];
  if (element !== undefined) return `_${SCALAR_TYPES[element]!.name}`;
  return SCALAR_TYPES[oid]?.name ?? KNOWN_NAMES[oid] ?? `oid ${oid}`;
}

function scalarField(raw: string, kind: FieldKind, oid: number): Field {
  switch (kind) {
    case 'boolean':
      return { booleanValue: raw === 't' || raw === 'true' };
    case 'long':
      return { longValue: Number(raw) };
    case 'double':
      return { doubleValue: Number(raw) };
    case 'blob':
      return { blobValue: Buffer.from(raw.replace(/^\\x/, ''), 'hex') };
    default:
      // timestamptz in the session's zone (UTC, as on Aurora) without its offset, as the Data API sends it.
      return { stringValue: oid === 1184 ? raw.replace(/([+-]\d\d(:\d\d)?)$/, '') : raw };
  }
}

/** Splits a one-dimensional PostgreSQL array literal into its elements (null for NULL). */
function arrayElements(raw: string): (string | null)[] {
  const body = raw.slice(1, -1);
  const out: (string | null)[] = [];
  if (body === '') return out;
  let i = 0;
  while (i <= body.length) {
    if (body[i] === '"') {
      let value = '';
      i += 1;
      while (i < body.length && body[i] !== '"') {
        if (body[i] === '\\') i += 1;
        value += body[i];
        i += 1;
      }
      out.push(value);
      i += 2;
    } else {
      const end = body.indexOf(',', i);
      const value = body.slice(i, end === -1 ? body.length : end);
      out.push(value === 'NULL' ? null : value);
      i = end === -1 ? body.length + 1 : end + 1;
    }
  }
  return out;
}

function toField(raw: string | null, oid: number): Field {
  if (raw === null) return { isNull: true };
  const scalar = SCALAR_TYPES[oid];
  if (scalar) return scalarField(raw, scalar.kind, oid);
  const elementOid = ARRAY_TYPES[oid];
  if (elementOid !== undefined) {
    if (raw.startsWith('{{') || raw.startsWith('[')) {
      throw unsupported('The result contains a multidimensional array, which the Data API cannot return.');
    }
    const kind = SCALAR_TYPES[elementOid]!.kind;
    const elements = arrayElements(raw) as string[];
    if (kind === 'boolean') return { arrayValue: { booleanValues: elements.map((e) => e === 't') } };
    if (kind === 'long') return { arrayValue: { longValues: elements.map(Number) } };
    if (kind === 'double') return { arrayValue: { doubleValues: elements.map(Number) } };
    return { arrayValue: { stringValues: elements } };
  }
  if (oid >= USER_DEFINED_OID) return { stringValue: raw };
  throw unsupported(`The result contains the data type ${typeName(oid)}, which the Data API cannot return.`);
}

/** Documented limits of what the database may return through the Data API. */
export const ROW_LIMIT_BYTES = 64 * 1024;
export const RESPONSE_LIMIT_BYTES = 1024 * 1024;

function checkSize(rows: (string | null)[][]) {
  let total = 0;
  for (const row of rows) {
    const bytes = row.reduce((sum, raw) => sum + (raw === null ? 0 : Buffer.byteLength(raw)), 0);
    if (bytes > ROW_LIMIT_BYTES) {
      throw unsupported(`Packet for query is too large: a row of ${bytes} bytes exceeds 64 KB.`);
    }
    total += bytes;
    if (total > RESPONSE_LIMIT_BYTES) {
      throw unsupported('Database response exceeded size limit: the result exceeds 1 MiB.');
    }
  }
}

function asDataApiError(error: unknown): Error {
  if (error instanceof UnsupportedResultException) return error;
  const e = error as { message?: string; code?: string; detail?: string };
  const detail = e.detail ? `\n  Detail: ${e.detail}` : '';
  return new DatabaseErrorException({
    message: `ERROR: ${e.message ?? String(error)}${detail}; SQLState: ${e.code ?? 'XX000'}`,
    $metadata: { httpStatusCode: 400 },
  });
}

/** The message AWS documents for a call that met a paused Aurora Serverless v2 instance. */
export const RESUMING_MESSAGE =
  'A request was cancelled because the Aurora Serverless v2 DB instance was paused. The Data API request automatically resumes the DB instance. Wait a few seconds and try again.';

/** A transaction ends when no call uses it for 3 minutes, and after 24 hours whatever happens. */
export const TRANSACTION_IDLE_MS = 3 * 60_000;
export const TRANSACTION_MAX_MS = 24 * 60 * 60_000;

export interface DataApiDouble {
  client: RDSDataClient;
  /** Statements executed through ExecuteStatement (the Data API calls a bill counts). */
  readonly executed: string[];
  /** Every call, paused or not, by command name. */
  readonly calls: string[];
  /** How many calls were answered with DatabaseResumingException. */
  readonly resumingErrors: number;
  /** The next `calls` calls throw DatabaseResumingException, as a paused cluster answers while it resumes. */
  pause(calls: number): void;
  /** Moves the double's clock (transaction expiry) forward. */
  advanceTime(ms: number): void;
  restore(): void;
}

export const DOUBLE_ARNS = {
  resourceArn: 'arn:aws:rds:us-east-1:123456789012:cluster:video-test',
  secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:video-test-AbCdEf',
  database: 'video',
};

interface OpenTransaction {
  connection: Connection;
  startedAt: number;
  lastUsedAt: number;
  busy: boolean;
}

export function createDataApiDouble(
  target: SqlTarget,
  options: { pausedCalls?: number } = {},
): DataApiDouble {
  const client = new RDSDataClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const mock = mockClient(client);
  const transactions = new Map<string, OpenTransaction>();
  /** Why a transaction id is no longer usable. */
  const ended = new Map<string, string>();
  const executed: string[] = [];
  const calls: string[] = [];
  let paused = options.pausedCalls ?? 0;
  let resumingErrors = 0;
  let offset = 0;
  const now = () => Date.now() + offset;

  async function end(id: string, statement: 'COMMIT' | 'ROLLBACK', reason: string) {
    const tx = transactions.get(id);
    if (!tx) return;
    transactions.delete(id);
    ended.set(id, reason);
    try {
      await tx.connection.query(statement, []);
    } finally {
      await tx.connection.release();
    }
  }

  async function expireIdle() {
    for (const [id, tx] of transactions) {
      if (tx.busy) continue;
      if (now() - tx.lastUsedAt > TRANSACTION_IDLE_MS || now() - tx.startedAt > TRANSACTION_MAX_MS) {
        await end(id, 'ROLLBACK', 'Transaction may be expired.');
      }
    }
  }

  /** What every call goes through first: required ARNs, the paused state, expiry. */
  async function admit(command: string, input: { resourceArn?: string; secretArn?: string }) {
    calls.push(command);
    if (!input.resourceArn || !input.secretArn) {
      throw new NotFoundException({
        message: 'resourceArn and secretArn are required.',
        $metadata: { httpStatusCode: 404 },
      });
    }
    if (input.resourceArn !== DOUBLE_ARNS.resourceArn || input.secretArn !== DOUBLE_ARNS.secretArn) {
      throw new NotFoundException({
        message: "The resourceArn or secretArn value can't be found.",
        $metadata: { httpStatusCode: 404 },
      });
    }
    if (paused > 0) {
      paused -= 1;
      resumingErrors += 1;
      throw new DatabaseResumingException({ message: RESUMING_MESSAGE, $metadata: { httpStatusCode: 400 } });
    }
    await expireIdle();
  }

  function transactionOf(id: string): OpenTransaction {
    const tx = transactions.get(id);
    if (!tx) {
      const reason = ended.get(id) ?? 'It was not created by BeginTransaction.';
      throw new TransactionNotFoundException({
        message: `Transaction ${id} isn't found. ${reason}`,
        $metadata: { httpStatusCode: 404 },
      });
    }
    if (tx.busy) {
      throw new DatabaseErrorException({
        message: 'Transaction is still running a query',
        $metadata: { httpStatusCode: 400 },
      });
    }
    return tx;
  }

  async function run(input: ExecuteStatementCommandInput) {
    await admit('ExecuteStatement', input);
    if (!input.sql) throw new DatabaseErrorException({ message: 'sql is required', $metadata: {} });
    const tx = input.transactionId ? transactionOf(input.transactionId) : undefined;
    executed.push(input.sql);
    const { text, values } = bindStatement(input.sql, input.parameters);
    if (tx) tx.busy = true;
    const connection = tx?.connection ?? (await target.connect());
    try {
      const result = await connection.query(text, values).catch((error: unknown) => {
        throw asDataApiError(error);
      });
      const records = result.rows.map((row) =>
        row.map((raw, i) => toField(raw, result.fields[i]?.dataTypeID ?? 25)),
      );
      checkSize(result.rows);
      const columnMetadata: ColumnMetadata[] = result.fields.map((f) => ({
        name: f.name,
        label: f.name,
        typeName: typeName(f.dataTypeID),
      }));
      return {
        numberOfRecordsUpdated: result.fields.length ? 0 : result.rowCount,
        ...(result.fields.length ? { records } : {}),
        ...(input.includeResultMetadata && result.fields.length ? { columnMetadata } : {}),
      };
    } catch (error) {
      if (tx && input.transactionId) {
        tx.busy = false;
        await end(
          input.transactionId,
          'ROLLBACK',
          'Transaction has been aborted due to an error from a previous call.',
        );
      }
      throw error;
    } finally {
      if (tx) {
        tx.busy = false;
        tx.lastUsedAt = now();
      } else await connection.release();
    }
  }

  mock.on(ExecuteStatementCommand).callsFake(run);
  mock.on(BeginTransactionCommand).callsFake(async (input) => {
    await admit('BeginTransaction', input);
    const connection = await target.connect();
    await connection.query('BEGIN', []);
    const transactionId = randomUUID();
    transactions.set(transactionId, { connection, startedAt: now(), lastUsedAt: now(), busy: false });
    return { transactionId };
  });
  const finish =
    (statement: 'COMMIT' | 'ROLLBACK') =>
    async (input: { transactionId?: string; resourceArn?: string; secretArn?: string }) => {
      await admit(statement === 'COMMIT' ? 'CommitTransaction' : 'RollbackTransaction', input);
      const id = input.transactionId ?? '';
      transactionOf(id);
      await end(id, statement, 'It was already ended by CommitTransaction or RollbackTransaction.').catch(
        (error: unknown) => {
          throw asDataApiError(error);
        },
      );
      return { transactionStatus: statement === 'COMMIT' ? 'Transaction Committed' : 'Rollback Complete' };
    };
  mock.on(CommitTransactionCommand).callsFake(finish('COMMIT'));
  mock.on(RollbackTransactionCommand).callsFake(finish('ROLLBACK'));

  return {
    client,
    executed,
    calls,
    get resumingErrors() {
      return resumingErrors;
    },
    pause(n) {
      paused = n;
    },
    advanceTime(ms) {
      offset += ms;
    },
    restore: () => mock.restore(),
  };
}
