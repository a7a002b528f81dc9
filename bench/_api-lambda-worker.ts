/**
 * One run of the Lambda-shaped API benchmark, in a fresh process (a cold container): the API function's
 * handler invoked in-process with API Gateway v2 events, one request at a time, on PostgreSQL through
 * node-postgres, with the idempotency and rate-limit tables on dynalite in another process (as DynamoDB is
 * another host on AWS), Step Functions' StartExecution answered by another process (bench/_sfn-stub.ts)
 * and the audit entry written as deployed, one line on stdout;
 * and the floor, the same repository call and JSON serialisation with nothing around it. Both take turns
 * in blocks; the CPU time of this process per request is the figure. Writes its result to argv[3].
 */
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { lambdaContext } from '#infra/local/api-gateway-event.ts';
import { dynamoAccountRecords } from '#shared/account/dynamo-records.ts';
import { stdoutAuditLog } from '#shared/audit/line.ts';
import {
  createLocalIdentityProvider,
  jwksOf,
  LOCAL_CLIENT_ID,
  loadOrCreateSigningKey,
} from '#shared/auth/local-issuer.ts';
import { dynamoLoginLimiter } from '#shared/auth/login-limiter.ts';
import { localVerifier } from '#shared/auth/verifier.ts';
import { openNodePostgres } from '#shared/db/drivers/node-postgres.ts';
import { dynamoStreamSlots } from '#shared/events/stream-slots.ts';
import { dynamoIdempotency } from '#shared/idempotency/idempotent.ts';
import { StdoutLogger } from '#shared/observability/stdout-logger.ts';
import { setContextFactory } from '#shared/runtime/context.ts';
import { buildContext } from '#shared/runtime/features/all.ts';
import { sdkConfig } from '#shared/sdk/sha256.ts';
import { createMediaSigner, createS3Store } from '#shared/storage/s3.ts';
import { dynamoWebhookSendLimiter } from '#shared/webhooks/send-limiter.ts';
import { stepFunctionsWorkflow } from '#shared/workflow/step-functions.ts';
import type { LoadUser } from './_api-load.ts';
import { bearerUserId, isUuid, writeDutyLines } from './_floor-duties.ts';
import { floorCreateJob } from './_floor-job.ts';

export type LambdaRoute = 'project' | 'list' | 'clip' | 'create-project' | 'create-job';

export interface LambdaPlan {
  databaseUrl: string;
  dynamo: { endpoint: string; tables: { audit: string; idempotency: string; rateLimit: string } };
  /** The Step Functions stand-in's endpoint (StartExecution only). */
  stepFunctions: { endpoint: string };
  keyDir: string;
  issuer: string;
  users: LoadUser[];
  route: LambdaRoute;
  warmup: number;
  blocks: number;
  perBlock: number;
}

export interface LambdaResult {
  handlerCpuUs: number;
  floorCpuUs: number;
  /** The floor with the duties every request has (bench/_floor-duties.ts). */
  dutiesCpuUs: number;
  handlerWallMs: number;
  floorWallMs: number;
  dutiesWallMs: number;
  requests: number;
  failures: number;
  firstFailure: string;
}

const plan = JSON.parse(await readFile(process.argv[2]!, 'utf8')) as LambdaPlan;
const key = await loadOrCreateSigningKey(plan.keyDir);
const jwks = await jwksOf(key);
const { db } = openNodePostgres({ url: plan.databaseUrl });
// Every client with the configuration the functions give theirs (shared/sdk/sha256.ts).
const dynamoClient = new DynamoDBClient(
  sdkConfig({
    endpoint: plan.dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  }),
);
const documents = DynamoDBDocumentClient.from(dynamoClient);
// Never contacted by these routes: signing a GET link needs only the client's configuration.
const s3 = new S3Client(
  sdkConfig({
    endpoint: 'http://127.0.0.1:9',
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  }),
);
const bucket = { client: s3, bucket: 'media' };
const sfn = new SFNClient(
  sdkConfig({
    endpoint: plan.stepFunctions.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  }),
);
const ctx = buildContext({
  db,
  store: createS3Store(bucket),
  signer: createMediaSigner(bucket),
  identity: createLocalIdentityProvider({
    users: (await import('#shared/users/repository.ts')).createUserRepository(db),
    key,
    issuer: plan.issuer,
  }),
  verifier: localVerifier(plan.issuer, jwks, LOCAL_CLIENT_ID),
  // As deployed: StartExecution through the SDK; nothing runs the execution (other functions do on AWS).
  workflow: stepFunctionsWorkflow(sfn, 'arn:aws:states:us-east-1:000000000000:stateMachine:bench'),
  // As deployed: one line on stdout, a pipe the parent process drains (as Lambda's runtime does).
  audit: stdoutAuditLog(),
  idempotent: dynamoIdempotency(dynamoClient, plan.dynamo.tables.idempotency),
  loginLimiter: dynamoLoginLimiter(documents, plan.dynamo.tables.rateLimit),
  streamSlots: dynamoStreamSlots(documents, plan.dynamo.tables.rateLimit),
  webhookSends: dynamoWebhookSendLimiter(documents, plan.dynamo.tables.rateLimit),
  // As deployed (the API's logger class, INFO: one line per request), written where a Lambda's stdout would go.
  logger: new StdoutLogger({ serviceName: 'ai-video-api', logLevel: 'INFO' }),
  jwks,
  hlsLinkKey: async () => new Uint8Array(32),
  pseudonymKey: async () => new Uint8Array(32),
  accountTasks: { start: () => Promise.reject(new Error('no account route is measured here')) },
  accountRecords: dynamoAccountRecords(documents, {
    audit: plan.dynamo.tables.audit,
    idempotency: plan.dynamo.tables.idempotency,
  }),
  enabledModels: ['local'],
});
setContextFactory(async () => ctx);
const [projectsFn, clipsFn, jobsFn] = await Promise.all([
  import('#functions/api/projects.ts'),
  import('#functions/api/clips.ts'),
  import('#functions/api/jobs.ts'),
]);

function event(
  method: string,
  routeKey: string,
  rawPath: string,
  u: LoadUser,
  extra: Partial<APIGatewayProxyEventV2> = {},
): APIGatewayProxyEventV2 {
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: '',
    headers: {
      authorization: `Bearer ${u.token}`,
      host: 'api.example.com',
      'user-agent': 'bench',
      ...(extra.body ? { 'content-type': 'application/json' } : {}),
    },
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
    ...extra,
  };
}

type Call = (u: LoadUser) => Promise<number>;
/** The floor's answer: the repository's result serialised, as a response body would be. */
const served = (status: number) => (value: unknown) => {
  JSON.stringify(value);
  return status;
};
const status = (r: unknown) => (r as { statusCode?: number }).statusCode ?? 200;
const JOB = {
  jobType: 'GENERATE',
  prompt: 'a red fox running through snow',
  parameters: { model: 'local', durationSeconds: 6 },
};
/** Jobs created in the block running now; each is cancelled after the block, outside its measurement. */
const createdJobs: { userId: string; jobId: string }[] = [];
const handlers: Record<LambdaRoute, { handler: Call; floor: Call }> = {
  project: {
    handler: async (u) =>
      status(
        await projectsFn.handler(
          event('GET', 'GET /v1/projects/{projectId}', `/v1/projects/${u.projectId}`, u, {
            pathParameters: { projectId: u.projectId },
          }),
          lambdaContext('api-projects'),
        ),
      ),
    floor: (u) => ctx.projects.get(u.userId, u.projectId).then(served(200)),
  },
  list: {
    handler: async (u) =>
      status(
        await projectsFn.handler(
          event('GET', 'GET /v1/projects', '/v1/projects', u, {
            rawQueryString: 'limit=20',
            queryStringParameters: { limit: '20' },
          }),
          lambdaContext('api-projects'),
        ),
      ),
    floor: (u) => ctx.projects.list(u.userId, { limit: 20 }).then(served(200)),
  },
  clip: {
    handler: async (u) =>
      status(
        await clipsFn.handler(
          event('GET', 'GET /v1/clips/{clipId}', `/v1/clips/${u.clipId}`, u, {
            pathParameters: { clipId: u.clipId },
          }),
          lambdaContext('api-clips'),
        ),
      ),
    floor: (u) => ctx.clips.get(u.userId, u.clipId).then(served(200)),
  },
  'create-project': {
    handler: async (u) =>
      status(
        await projectsFn.handler(
          event('POST', 'POST /v1/projects', '/v1/projects', u, {
            body: JSON.stringify({ title: 'Bench project' }),
          }),
          lambdaContext('api-projects'),
        ),
      ),
    floor: (u) => ctx.projects.create(u.userId, { title: 'Bench project' }).then(served(201)),
  },
  'create-job': {
    handler: async (u) => {
      const response = (await jobsFn.handler(
        event('POST', 'POST /v1/projects/{projectId}/jobs', `/v1/projects/${u.projectId}/jobs`, u, {
          pathParameters: { projectId: u.projectId },
          body: JSON.stringify(JOB),
        }),
        lambdaContext('api-jobs'),
      )) as { statusCode?: number; body?: string };
      const id =
        response.statusCode === 202 ? (JSON.parse(response.body ?? '{}') as { id?: string }).id : undefined;
      if (id) createdJobs.push({ userId: u.userId, jobId: id });
      return status(response);
    },
    floor: async (u) => {
      const job = await floorCreateJob(ctx, u.userId, u.projectId, JOB);
      createdJobs.push({ userId: u.userId, jobId: job.id });
      return served(202)(job);
    },
  },
};

const checkToken = bearerUserId({ issuer: plan.issuer, clientId: LOCAL_CLIENT_ID, jwks });
const DUTY: Record<
  LambdaRoute,
  { method: string; route: string; action: string; type: string; id(u: LoadUser): string }
> = {
  project: {
    method: 'GET',
    route: 'GET /v1/projects/{projectId}',
    action: 'project.read',
    type: 'project',
    id: (u) => u.projectId,
  },
  list: { method: 'GET', route: 'GET /v1/projects', action: 'project.list', type: 'project', id: () => '' },
  clip: {
    method: 'GET',
    route: 'GET /v1/clips/{clipId}',
    action: 'clip.read',
    type: 'clip',
    id: (u) => u.clipId,
  },
  'create-project': {
    method: 'POST',
    route: 'POST /v1/projects',
    action: 'project.create',
    type: 'project',
    id: () => '',
  },
  'create-job': {
    method: 'POST',
    route: 'POST /v1/projects/{projectId}/jobs',
    action: 'job.create',
    type: 'job',
    id: (u) => u.projectId,
  },
};
/**
 * The floor with the duties every request has: the token checked (the user id is the token's subject, not
 * the seeded one), the path's id checked as a UUID, the floor's call, then the three stdout lines.
 */
function withDuties(route: LambdaRoute, floorCall: Call): Call {
  const duty = DUTY[route];
  return async (u) => {
    const startedAt = Date.now();
    const userId = checkToken(`Bearer ${u.token}`);
    const id = duty.id(u);
    if (id && !isUuid(id)) throw new Error('not a UUID');
    const code = await floorCall({ ...u, userId });
    writeDutyLines((text) => process.stdout.write(text), {
      method: duty.method,
      path: duty.route,
      route: duty.route,
      status: code,
      userId,
      action: duty.action,
      resourceType: duty.type,
      resourceId: id,
      startedAt,
    });
    return code;
  };
}

/**
 * A user drawn at random; for jobs, the users in a shuffled cycle (as the throughput benchmark's load), so
 * no user holds more active jobs than the tier allows before the block's jobs are cancelled.
 */
const cycle = [...plan.users];
for (let i = cycle.length - 1; i > 0; i -= 1) {
  const j = Math.floor(Math.random() * (i + 1));
  [cycle[i], cycle[j]] = [cycle[j]!, cycle[i]!];
}
let next = 0;
const pick =
  plan.route === 'create-job'
    ? () => cycle[next++ % cycle.length]!
    : () => plan.users[Math.floor(Math.random() * plan.users.length)]!;
const result: LambdaResult = {
  handlerCpuUs: 0,
  floorCpuUs: 0,
  dutiesCpuUs: 0,
  handlerWallMs: 0,
  floorWallMs: 0,
  dutiesWallMs: 0,
  requests: 0,
  failures: 0,
  firstFailure: '',
};
const { handler, floor } = handlers[plan.route];
const duties = withDuties(plan.route, floor);

async function block(call: Call, n: number): Promise<{ cpuUs: number; wallMs: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < n; i += 1) {
    const code = await call(pick()).catch((error: unknown) => {
      result.firstFailure ||= String(error);
      return 0;
    });
    if (code < 200 || code >= 300) {
      result.failures += 1;
      result.firstFailure ||= `status ${code}`;
    }
  }
  const used = process.cpuUsage(cpu);
  return { cpuUs: used.user + used.system, wallMs: performance.now() - start };
}

/** Cancels the jobs the last block created, outside its measurement, so the next block's users are free. */
async function settle() {
  for (const { userId, jobId } of createdJobs.splice(0)) await ctx.jobs.cancel(userId, jobId);
}

await block(handler, plan.warmup);
await settle();
await block(floor, plan.warmup);
await settle();
await block(duties, plan.warmup);
await settle();
// BENCH_PROFILE=<dir>: CPU profiles of the measured blocks, the handler's and the floor's (not module loading
// or warm-up).
const profiler = process.env.BENCH_PROFILE ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  // Every 100 µs rather than the default 1 ms: a request takes about a millisecond.
  await profiler.post('Profiler.setSamplingInterval', { interval: 100 });
}
/** One block, profiled when BENCH_PROFILE is set (to `<route>-<side>-<pid>-<block>.cpuprofile`). */
async function measured(side: 'handler' | 'floor' | 'duties', call: Call, b: number) {
  await profiler?.post('Profiler.start');
  const m = await block(call, plan.perBlock);
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    await writeFile(
      path.join(process.env.BENCH_PROFILE!, `${plan.route}-${side}-${process.pid}-${b}.cpuprofile`),
      JSON.stringify(profile),
    );
  }
  return m;
}
for (let b = 0; b < plan.blocks; b += 1) {
  const h = await measured('handler', handler, b);
  await settle();
  const f = await measured('floor', floor, b);
  await settle();
  const d = await measured('duties', duties, b);
  await settle();
  result.handlerCpuUs += h.cpuUs;
  result.handlerWallMs += h.wallMs;
  result.floorCpuUs += f.cpuUs;
  result.floorWallMs += f.wallMs;
  result.dutiesCpuUs += d.cpuUs;
  result.dutiesWallMs += d.wallMs;
  result.requests += plan.perBlock;
}
const n = result.requests;
await writeFile(
  process.argv[3]!,
  JSON.stringify({
    ...result,
    handlerCpuUs: result.handlerCpuUs / n,
    floorCpuUs: result.floorCpuUs / n,
    handlerWallMs: result.handlerWallMs / n,
    floorWallMs: result.floorWallMs / n,
    dutiesCpuUs: result.dutiesCpuUs / n,
    dutiesWallMs: result.dutiesWallMs / n,
  }),
);
process.exit(0);
