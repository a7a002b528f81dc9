/**
 * The floor of the API benchmark, in its own process: a bare node:http server on DATABASE_URL, through the
 * same driver (node-postgres) and repositories as the server, doing each route's SQL and nothing else: no
 * token verification (the caller's id comes in x-user-id), no validation, routing, audit or signing.
 * With FLOOR_DUTIES=1 (and ISSUER, KEY_DIR: the server's issuer and signing key) it is the second floor,
 * "floor + duties": it also does what any server must do for each request (bench/_floor-duties.ts): the
 * caller is the subject of the bearer token it checks, path ids are checked as UUIDs, and each answer
 * writes its log, metric and audit lines to stdout.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { jwksOf, LOCAL_CLIENT_ID, loadOrCreateSigningKey } from '#shared/auth/local-issuer.ts';
import { createClipRepository } from '#shared/clips/repository.ts';
import { openNodePostgres } from '#shared/db/drivers/node-postgres.ts';
import { createJobRepository } from '#shared/jobs/repository.ts';
import { createProjectRepository } from '#shared/projects/repository.ts';
import { createUserRepository } from '#shared/users/repository.ts';
import { bearerUserId, isUuid, writeDutyLines } from './_floor-duties.ts';
import { floorCreateJob } from './_floor-job.ts';

const { db } = openNodePostgres({ url: process.env.DATABASE_URL! });
const projects = createProjectRepository(db);
const clips = createClipRepository(db);
const jobs = createJobRepository(db);
const users = createUserRepository(db);
const withDuties = process.env.FLOOR_DUTIES === '1';
const checkToken = withDuties
  ? bearerUserId({
      issuer: process.env.ISSUER!,
      clientId: LOCAL_CLIENT_ID,
      jwks: await jwksOf(await loadOrCreateSigningKey(process.env.KEY_DIR!)),
    })
  : undefined;

async function bodyOf(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
}

async function answer(req: IncomingMessage, caller: { userId: string }): Promise<[number, unknown]> {
  const [pathname] = (req.url ?? '/').split('?');
  if (req.method === 'GET' && pathname === '/v1/health') return [200, { ok: true }];
  const parts = pathname!.split('/').filter(Boolean);
  if (checkToken) {
    try {
      caller.userId = checkToken(req.headers.authorization);
    } catch {
      return [401, { title: 'unauthorized' }];
    }
    if (parts[2] && !isUuid(parts[2])) return [400, { title: 'not a UUID' }];
  }
  const { userId } = caller;
  if (req.method === 'GET' && pathname === '/v1/projects')
    return [200, await projects.list(userId, { limit: 20 })];
  if (req.method === 'GET' && parts[1] === 'projects') return [200, await projects.get(userId, parts[2]!)];
  if (req.method === 'GET' && parts[1] === 'clips') return [200, await clips.get(userId, parts[2]!)];
  if (req.method === 'POST' && pathname === '/v1/projects') {
    const body = await bodyOf(req);
    return [201, await projects.create(userId, { title: String(body.title) })];
  }
  if (req.method === 'POST' && parts[3] === 'jobs') {
    const body = await bodyOf(req);
    return [202, await floorCreateJob({ users, clips, jobs }, userId, parts[2]!, body)];
  }
  if (req.method === 'POST' && parts[3] === 'cancel') return [200, await jobs.cancel(userId, parts[2]!)];
  return [404, { title: 'not found' }];
}

/** The duties' lines for an answer (FLOOR_DUTIES=1): its log line, EMF metric and audit entry. */
function writeLines(req: IncomingMessage, status: number, userId: string, startedAt: number): void {
  const [pathname] = (req.url ?? '/').split('?');
  const parts = pathname!.split('/').filter(Boolean);
  const resource = parts[1] === 'clips' ? 'clip' : parts[3] === 'jobs' ? 'job' : 'project';
  writeDutyLines((text) => process.stdout.write(text), {
    method: req.method ?? 'GET',
    path: pathname!,
    route: `${req.method} /v1/${parts[1]}${parts[2] ? '/{id}' : ''}${parts[3] ? `/${parts[3]}` : ''}`,
    status,
    userId,
    action: `${resource}.${req.method === 'GET' ? 'read' : 'write'}`,
    resourceType: resource,
    resourceId: parts[2] ?? '',
    startedAt,
  });
}

const server = createServer((req, res) => {
  const startedAt = Date.now();
  const caller = { userId: String(req.headers['x-user-id']) };
  answer(req, caller).then(
    ([status, body]) => {
      const text = JSON.stringify(body);
      if (withDuties) writeLines(req, status, caller.userId, startedAt);
      res.writeHead(status, { 'content-type': 'application/json' }).end(text);
    },
    (error: unknown) =>
      res
        .writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ title: String(error) })),
  );
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
