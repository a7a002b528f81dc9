/**
 * A deployed event handler run as Lambda runs it: its environment as the stack sets it (the variables of
 * infra/function-needs.ts, which test/infra/function-needs.test.ts holds the synthesised stack to, plus
 * what every AppFunction sets; fake values), and the RDSDataClient it builds itself answered by the Data
 * API double (PGlite behind it, or the DATABASE_URL server when set). The file using this mocks the other
 * AWS clients itself with aws-sdk-client-mock (which patches every instance of a class), so vitest.config.ts
 * runs it in a process of its own.
 */
import { randomUUID } from 'node:crypto';
import {
  BeginTransactionCommand,
  CommitTransactionCommand,
  ExecuteStatementCommand,
  RDSDataClient,
  type RDSDataClientResolvedConfig,
  RollbackTransactionCommand,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-rds-data';
import { DeleteObjectsCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, vi } from 'vitest';
import { FUNCTION_NEEDS } from '#infra/function-needs.ts';
import { rawRows } from '#shared/db/sql.ts';
import { uploadKey } from '#shared/storage/keys.ts';
import { HELD_RESERVATION_SECONDS } from '#shared/uploads/reservations.ts';
import { tierLimits } from '#shared/users/tiers.ts';
import { DOUBLE_ARNS } from './data-api-double.ts';
import { DATABASE_URL, DRIVER_CASES, type TestDatabase } from './db-drivers.ts';
import { FAKE_FUNCTION_ENV } from './fake-function-env.ts';
import { type Repositories, repositoriesFor } from './repositories.ts';

/** Fake values of the variables FAKE_FUNCTION_ENV does not carry; the cluster is the double's. */
const VALUES: Record<string, string> = {
  ...FAKE_FUNCTION_ENV,
  POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
  DB_CLUSTER_ARN: DOUBLE_ARNS.resourceArn,
  DB_SECRET_ARN: DOUBLE_ARNS.secretArn,
  DB_NAME: DOUBLE_ARNS.database,
  MEDIA_KMS_KEY_ID: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  CAPACITY_TABLE: 'ai-video-dev-capacity',
};

/** What every AppFunction sets (infra/constructs/app-function.ts), and what Lambda itself sets. */
const ALWAYS = [
  'NODE_OPTIONS',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_TRACER_CAPTURE_RESPONSE',
  'STAGE',
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
];

/** The function's environment as deployed, with fake values. */
function deployedEnv(name: string): Record<string, string> {
  const needs = FUNCTION_NEEDS[name];
  if (!needs) throw new Error(`no function ${name}`);
  const env: Record<string, string> = {};
  for (const variable of [...ALWAYS, ...needs.env]) {
    const value = VALUES[variable];
    // NODE_OPTIONS is set only when the functions need Node options (FUNCTION_NODE_ENV).
    if (value === undefined && variable === 'NODE_OPTIONS') continue;
    if (value === undefined) throw new Error(`no fake value for ${variable}`);
    env[variable] = value;
  }
  return env;
}

/**
 * Stubs the process's environment to exactly the function's: every variable another function (or the
 * shell) would have, and this one lacks, is removed, so a variable the stack does not set reads as unset.
 */
function stubDeployedEnv(name: string): Record<string, string> {
  const env = deployedEnv(name);
  for (const variable of [...Object.keys(VALUES), 'DATABASE_URL', 'AWS_PROFILE', 'AWS_ENDPOINT_URL']) {
    if (!(variable in env)) vi.stubEnv(variable, undefined);
  }
  for (const [variable, value] of Object.entries(env)) vi.stubEnv(variable, value);
  return env;
}

interface DeployedDatabase {
  t: TestDatabase;
  repos: Repositories;
  /** The RDSDataClient calls the function made (every instance's), with their inputs. */
  rds: AwsStub<ServiceInputTypes, ServiceOutputTypes, RDSDataClientResolvedConfig>;
  close(): Promise<void>;
}

/**
 * A migrated database behind the Data API double, with every RDSDataClient (the one the function builds
 * from its environment too) answered by the double. Seed it with `repos` (they go through the double).
 */
async function openDeployedDatabase(): Promise<DeployedDatabase> {
  const driver = DRIVER_CASES.find(
    (d) => d.name.startsWith('data-api') && d.realServer === (DATABASE_URL !== undefined),
  )!;
  const t = await driver.open();
  const double = t.double!;
  // The double mocks its own client instance; every other instance (the function's) forwards to it.
  const rds = mockClient(RDSDataClient);
  const forward = <I extends object>(Command: new (input: I) => unknown) => {
    return (input: I) => double.client.send(new Command(input) as never);
  };
  rds.on(ExecuteStatementCommand).callsFake(forward(ExecuteStatementCommand));
  rds.on(BeginTransactionCommand).callsFake(forward(BeginTransactionCommand));
  rds.on(CommitTransactionCommand).callsFake(forward(CommitTransactionCommand));
  rds.on(RollbackTransactionCommand).callsFake(forward(RollbackTransactionCommand));
  return {
    t,
    repos: repositoriesFor(t.db),
    rds,
    close: async () => {
      rds.restore();
      await t.close();
    },
  };
}

/** The databases the function's statements named (each ExecuteStatement and BeginTransaction call). */
export function databasesNamed(rds: DeployedDatabase['rds']): Set<string | undefined> {
  return new Set(
    [...rds.commandCalls(ExecuteStatementCommand), ...rds.commandCalls(BeginTransactionCommand)].map(
      (c) => c.args[0].input.database,
    ),
  );
}

/** What the user's storage counters say next to what the rows say. */
export async function storageOf(t: TestDatabase, userId: string) {
  const [row] = await rawRows<{ reserved: string; summed: string; used: string }>(
    t.db,
    sql`SELECT u.storage_reserved::text AS reserved, u.storage_used::text AS used,
               (SELECT COALESCE(sum(bytes), 0) FROM upload_reservations r WHERE r.user_id = u.id)::text AS summed
        FROM users u WHERE u.id = ${userId}::uuid`,
  );
  return { reserved: Number(row!.reserved), summed: Number(row!.summed), used: Number(row!.used) };
}

/** The Powertools log lines (JSON) written to stdout and stderr, as Lambda would capture them. */
function captureLogs() {
  const lines: Record<string, unknown>[] = [];
  const keep = (chunk: unknown) => {
    for (const line of String(chunk).split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(keep);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(keep);
  return {
    lines,
    restore() {
      out.mockRestore();
      err.mockRestore();
    },
  };
}

/**
 * An upload whose file arrived, as the upload ingest leaves it: its reservation held and its TRANSCODE job
 * created, admitted when the owner has a free slot, else waiting QUEUED.
 */
export async function arrivedUpload(
  repos: Repositories,
  owner: { userId: string; projectId: string },
  bytes = 4096,
) {
  const id = randomUUID();
  const key = uploadKey(owner.userId, owner.projectId, id, 'clip.mp4');
  await repos.reservations.create({ id, ...owner, bytes, ttlSeconds: 900, fileName: 'clip.mp4' });
  await repos.reservations.hold({
    id,
    ...owner,
    bytes,
    ttlSeconds: HELD_RESERVATION_SECONDS,
    fileName: 'clip.mp4',
  });
  const job = await repos.jobs.create({
    id,
    ...owner,
    jobType: 'TRANSCODE',
    prompt: 'Upload clip.mp4',
    parameters: { upload: { key, fileName: 'clip.mp4', size: bytes } },
    concurrentLimit: tierLimits('FREE').concurrentJobs,
    whenFull: 'wait',
  });
  return { id, key, job };
}

/**
 * One deployed handler's suite, from the file's top level: its AWS clients mocked (S3, Step Functions,
 * DynamoDB; every instance, so the ones the handler builds), its environment stubbed, the database opened
 * and the log captured before the tests, the handler imported after that (it reads its environment as it
 * loads), and the mocks, the log and the Data API calls reset before each test. The fields are set once
 * the suite has started.
 */
export function deployedHandlerSuite(
  name: string,
  load: () => Promise<{ handler: (event: never, ...rest: never[]) => unknown }>,
) {
  const suite = {
    s3: mockClient(S3Client),
    sfn: mockClient(SFNClient),
    documents: mockClient(DynamoDBDocumentClient),
    env: {} as Record<string, string>,
    db: undefined as unknown as DeployedDatabase,
    logs: undefined as unknown as ReturnType<typeof captureLogs>,
    handler: undefined as unknown as (event: unknown) => Promise<unknown>,
  };
  beforeAll(async () => {
    suite.env = stubDeployedEnv(name);
    suite.db = await openDeployedDatabase();
    suite.logs = captureLogs();
    suite.handler = (await load()).handler as (event: unknown) => Promise<unknown>;
  });
  afterAll(async () => {
    suite.logs?.restore();
    await suite.db?.close();
  });
  beforeEach(() => {
    suite.logs.lines.length = 0;
    suite.db.rds.resetHistory();
    suite.s3.reset();
    suite.sfn.reset();
    suite.documents.reset();
  });
  return suite;
}

/**
 * The answers the upload ingest's calls get before each test: S3 deletes, Step Functions starts, and the
 * idle marker's read and write (the upload trigger and its dead-letter consumer).
 */
export function answerIngestCalls(suite: ReturnType<typeof deployedHandlerSuite>) {
  beforeEach(() => {
    suite.s3.on(DeleteObjectsCommand).resolves({});
    suite.sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn', startDate: new Date() });
    suite.documents.on(GetCommand).resolves({});
    suite.documents.on(UpdateCommand).resolves({});
  });
}
