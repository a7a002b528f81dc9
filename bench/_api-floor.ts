/**
 * The floor of the API benchmark, in its own process: a bare node:http server on DATABASE_URL, through the
 * same driver (node-postgres) and repositories as the server, doing each route's SQL and nothing else: no
 * token verification (the caller's id comes in x-user-id), no validation, routing, audit or signing.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { createClipRepository } from '#shared/clips/repository.ts';
import { openNodePostgres } from '#shared/db/drivers/node-postgres.ts';
import { createJobRepository } from '#shared/jobs/repository.ts';
import { createProjectRepository } from '#shared/projects/repository.ts';
import { createUserRepository } from '#shared/users/repository.ts';
import { floorCreateJob } from './_floor-job.ts';

const { db } = openNodePostgres({ url: process.env.DATABASE_URL! });
const projects = createProjectRepository(db);
const clips = createClipRepository(db);
const jobs = createJobRepository(db);
const users = createUserRepository(db);

async function bodyOf(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
}

async function answer(req: IncomingMessage): Promise<[number, unknown]> {
  const userId = String(req.headers['x-user-id']);
  const [pathname] = (req.url ?? '/').split('?');
  const parts = pathname!.split('/').filter(Boolean);
  if (req.method === 'GET' && pathname === '/v1/health') return [200, { ok: true }];
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

const server = createServer((req, res) => {
  answer(req).then(
    ([status, body]) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
    (error: unknown) =>
      res
        .writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ title: String(error) })),
  );
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
