/**
 * Statements each repository call sends, counted in the driver (drizzle's query logger) on PGlite.
 * Target: every read 1, every write at most 2.
 */
import { pathToFileURL } from 'node:url';
import { createClipRepository } from '#shared/clips/repository.ts';
import { StatementCounter } from '#shared/db/database.ts';
import { openPglite } from '#shared/db/drivers/pglite.ts';
import { migrate } from '#shared/db/migrate.ts';
import { createJobRepository } from '#shared/jobs/repository.ts';
import { createProjectRepository } from '#shared/projects/repository.ts';
import { createTemplateRepository } from '#shared/templates/repository.ts';
import { createReservationRepository } from '#shared/uploads/reservations.ts';
import { createUserRepository } from '#shared/users/repository.ts';

export async function measureStatements(): Promise<
  { call: string; kind: 'read' | 'write'; statements: number }[]
> {
  const counter = new StatementCounter();
  const handle = await openPglite({ counter });
  await migrate(handle.db);
  const db = handle.db;
  const users = createUserRepository(db);
  const projects = createProjectRepository(db);
  const clips = createClipRepository(db);
  const jobs = createJobRepository(db);
  const templates = createTemplateRepository(db);
  const reservations = createReservationRepository(db);
  const rows: { call: string; kind: 'read' | 'write'; statements: number }[] = [];
  async function count<T>(call: string, kind: 'read' | 'write', fn: () => Promise<T>): Promise<T> {
    counter.reset();
    const result = await fn();
    rows.push({ call, kind, statements: counter.count });
    return result;
  }
  const u = await count('users.create', 'write', () =>
    users.create({ email: 'b@example.com', username: 'bench' }),
  );
  await count('users.getById', 'read', () => users.getById(u.id));
  await count('users.findByEmail', 'read', () => users.findByEmail(u.email));
  await count('users.updateUsername', 'write', () => users.updateUsername(u.id, 'bench_2'));
  await count('users.changeTier', 'write', () => users.changeTier(u.id, 'PRO'));
  // If-Match: the version read with the row, then the write conditioned on it.
  const uv = await count('users.getVersionedById', 'read', () => users.getVersionedById(u.id));
  await count('users.updateUsername (If-Match)', 'write', () =>
    users.updateUsername(u.id, 'bench_3', uv.version),
  );
  const p = await count('projects.create', 'write', () => projects.create(u.id, { title: 'p' }));
  await count('projects.get', 'read', () => projects.get(u.id, p.id));
  await count('projects.update', 'write', () => projects.update(u.id, p.id, { title: 'q' }));
  const pv = await count('projects.getVersioned', 'read', () => projects.getVersioned(u.id, p.id));
  await count('projects.update (If-Match)', 'write', () =>
    projects.update(u.id, p.id, { title: 'r' }, pv.version),
  );
  await count('projects.list', 'read', () => projects.list(u.id, { q: 'q', status: 'DRAFT' }));
  const clipArgs = {
    userId: u.id,
    projectId: p.id,
    title: 'c',
    duration: 1,
    fileUrl: 'k',
    fileSize: 1,
    resolution: '1280x720',
    format: 'mp4',
  };
  const c = await count('clips.register', 'write', () => clips.register(clipArgs));
  await count('clips.get', 'read', () => clips.get(u.id, c.id));
  await count('clips.update', 'write', () => clips.update(u.id, c.id, { title: 'd' }));
  const cv = await count('clips.getVersioned', 'read', () => clips.getVersioned(u.id, c.id));
  await count('clips.update (If-Match)', 'write', () => clips.update(u.id, c.id, { title: 'e' }, cv.version));
  await count('clips.listByProject', 'read', () => clips.listByProject(u.id, p.id));
  await count('clips.getMany', 'read', () => clips.getMany(u.id, [c.id]));
  const t = await count('templates.create', 'write', () =>
    templates.create(u.id, { name: 't', category: 'general', prompt: 'p', isPublic: true }),
  );
  await count('templates.get', 'read', () => templates.get(u.id, t.id));
  await count('templates.list', 'read', () => templates.list(u.id, { category: 'general' }));
  await count('templates.update', 'write', () => templates.update(u.id, t.id, { name: 'u' }));
  const tv = await count('templates.getVersioned', 'read', () => templates.getVersioned(u.id, t.id));
  await count('templates.update (If-Match)', 'write', () =>
    templates.update(u.id, t.id, { name: 'v' }, tv.version),
  );
  await count('templates.recordUse', 'write', () => templates.recordUse(u.id, t.id));
  const j = await count('jobs.create', 'write', () =>
    jobs.create({
      userId: u.id,
      projectId: p.id,
      jobType: 'EDIT',
      prompt: 'x',
      parameters: {},
      sourceClipIds: [c.id],
      templateId: t.id,
      concurrentLimit: 10,
      // As the job service sends it (FREE's jobs per minute): the statement also counts the last minute's jobs.
      jobsPerMinute: 60,
    }),
  );
  await count('jobs.get', 'read', () => jobs.get(u.id, j.id));
  await count('jobs.getForPipeline', 'read', () => jobs.getForPipeline(j.id));
  await count('jobs.list', 'read', () => jobs.list(u.id, p.id, { status: 'QUEUED' }));
  await count('jobs.markProcessing', 'write', () => jobs.markProcessing(j.id));
  await count('jobs.reportProgress', 'write', () => jobs.reportProgress(j.id, 50));
  await count('clips.register (completes job)', 'write', () =>
    clips.register({ ...clipArgs, fileUrl: 'k2', jobId: j.id }),
  );
  const j2 = await jobs.create({
    userId: u.id,
    projectId: p.id,
    jobType: 'GENERATE',
    prompt: 'x',
    parameters: {},
    concurrentLimit: 10,
  });
  await count('jobs.cancel', 'write', () => jobs.cancel(u.id, j2.id));
  const j3 = await jobs.create({
    userId: u.id,
    projectId: p.id,
    jobType: 'GENERATE',
    prompt: 'x',
    parameters: {},
    concurrentLimit: 10,
  });
  await count('jobs.markFailed', 'write', () => jobs.markFailed(j3.id, 'x'));
  await count('jobs.listActive', 'read', () => jobs.listActive());
  await count('jobs.listQueuedAdmitted', 'read', () => jobs.listQueuedAdmitted(new Date(), 100));
  const upload = { userId: u.id, projectId: p.id, bytes: 1000, ttlSeconds: 900 };
  const r1 = crypto.randomUUID();
  await count('reservations.create', 'write', () => reservations.create({ ...upload, id: r1 }));
  await count('reservations.find', 'read', () => reservations.find(r1));
  await count('reservations.hold', 'write', () => reservations.hold({ ...upload, id: r1 }));
  await count('reservations.release', 'write', () => reservations.release(r1));
  const r2 = crypto.randomUUID();
  await reservations.create({ ...upload, id: r2 });
  await reservations.hold({ ...upload, id: r2 });
  await count('jobs.create (upload, waits for a slot)', 'write', () =>
    jobs.create({
      id: r2,
      userId: u.id,
      projectId: p.id,
      jobType: 'TRANSCODE',
      prompt: 'x',
      parameters: {},
      concurrentLimit: 0,
      whenFull: 'wait',
    }),
  );
  await count('jobs.admitNextWaiting', 'write', () =>
    jobs.admitNextWaiting(u.id, { FREE: 10, BASIC: 10, PRO: 10, ENTERPRISE: 10 }),
  );
  await count('jobs.markFailed (releases the reservation)', 'write', () => jobs.markFailed(r2, 'x'));
  await count('jobs.recordFailed', 'write', () =>
    jobs.recordFailed({
      id: crypto.randomUUID(),
      userId: u.id,
      projectId: p.id,
      jobType: 'TRANSCODE',
      prompt: 'x',
      parameters: {},
      errorMessage: 'x',
    }),
  );
  const c2 = await clips.register({ ...clipArgs, fileUrl: 'k3' });
  const c2v = (await clips.getVersioned(u.id, c2.id)).version;
  await count('clips.remove (If-Match)', 'write', () => clips.remove(u.id, c2.id, c2v));
  await count('clips.remove', 'write', () => clips.remove(u.id, c.id));
  const t2 = await templates.create(u.id, { name: 't2', category: 'general', prompt: 'p' });
  const t2v = (await templates.getVersioned(u.id, t2.id)).version;
  await count('templates.remove (If-Match)', 'write', () => templates.remove(u.id, t2.id, t2v));
  await count('templates.remove', 'write', () => templates.remove(u.id, t.id));
  const p2 = await projects.create(u.id, { title: 'p2' });
  const p2v = (await projects.getVersioned(u.id, p2.id)).version;
  await count('projects.remove (If-Match)', 'write', () => projects.remove(u.id, p2.id, p2v));
  await count('projects.remove', 'write', () => projects.remove(u.id, p.id));
  await handle.close();
  return rows;
}

export async function run(): Promise<string> {
  const rows = await measureStatements();
  const over = rows.filter((r) => r.statements > (r.kind === 'read' ? 1 : 2));
  return [
    '## Statements per repository call (PGlite, counted in the driver)',
    '',
    'Target: reads 1, writes at most 2.',
    '',
    '| call | kind | statements |',
    '|---|---|---|',
    ...rows.map((r) => `| ${r.call} | ${r.kind} | ${r.statements} |`),
    '',
    over.length ? `Over target: ${over.map((r) => r.call).join(', ')}` : 'Every call meets the target.',
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(await run());
