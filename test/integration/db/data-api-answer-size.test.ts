/**
 * The RDS Data API answers at most 1 MiB per call ("Limitations for the Amazon RDS Data API"). A page of
 * jobs can be larger (an EDIT of 150 trimmed clips keeps about 12 KiB of parameters, so 100 of them are
 * over the limit): a page is cut short of its limit before that, with a cursor to the rest. The source
 * clips of an EDIT are read without their user metadata, which 150 clips could carry past the limit. Runs
 * on the Data API driver over the double, which enforces the documented limits.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { ownedRowQueries, readOwnedRows } from '#shared/account/owned-rows.ts';
import { DRIVER_CASES } from '#test/support/db-drivers.ts';
import { newTestUser, suiteDatabase } from '#test/support/repositories.ts';

const dataApi = DRIVER_CASES.find((d) => d.name.startsWith('data-api (PGlite'))!;
const { t, repos } = suiteDatabase(dataApi);

const editParameters = () => ({
  clips: Array.from({ length: 150 }, () => ({ clipId: randomUUID(), start: 1234.567, end: 2345.678 })),
  resolution: '1920x1080',
});

/** Every item of a list, page by page (at most `maxPages`), and how many items each page held. */
async function allPages<T>(
  list: (cursor: string | null) => Promise<{ items: T[]; nextCursor: string | null }>,
  maxPages = 10,
): Promise<{ items: T[]; pages: number; sizes: number[] }> {
  const items: T[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  do {
    const page = await list(cursor);
    items.push(...page.items);
    sizes.push(page.items.length);
    cursor = page.nextCursor;
  } while (cursor && sizes.length < maxPages);
  return { items, pages: sizes.length, sizes };
}

it('lists 100 EDIT jobs of 150 clips each, in pages that fit the Data API response', async () => {
  const user = await newTestUser(repos, 'editor');
  const project = await repos.projects.create(user.id, { title: 'Montages' });
  // One clock for every row: with now() per statement, a loaded machine taking over a second between two
  // inserts reversed their order.
  const base = new Date().toISOString();
  for (let i = 0; i < 100; i += 1) {
    await t.db.execute(sql`
      INSERT INTO generation_jobs (project_id, user_id, job_type, prompt, parameters, created_at)
      VALUES (${project.id}::uuid, ${user.id}::uuid, 'EDIT', ${`montage ${i}`},
              ${JSON.stringify(editParameters())}::jsonb, ${base}::timestamptz - ${`${i} seconds`}::interval)`);
  }
  const { items, pages, sizes } = await allPages((cursor) =>
    repos.jobs.list(user.id, project.id, { limit: 100, cursor }),
  );
  expect(pages).toBeGreaterThan(1);
  expect(Math.min(...sizes)).toBeGreaterThan(0);
  expect(items.map((j) => j.prompt)).toEqual(Array.from({ length: 100 }, (_, i) => `montage ${i}`));
});

it('lists 100 clips with 15 KiB of metadata each, in pages that fit the Data API response', async () => {
  const user = await newTestUser(repos, 'archivist');
  const project = await repos.projects.create(user.id, { title: 'Annotated' });
  for (let i = 0; i < 100; i += 1) {
    await repos.clips.register({
      userId: user.id,
      projectId: project.id,
      title: `clip ${i}`,
      duration: 6,
      fileUrl: `users/${user.id}/projects/${project.id}/clips/${randomUUID()}/video.mp4`,
      fileSize: 10,
      resolution: '1280x720',
      format: 'mp4',
      metadata: { notes: 'n'.repeat(15 * 1024) },
    });
  }
  const { items, pages, sizes } = await allPages((cursor) =>
    repos.clips.listByProject(user.id, project.id, { limit: 100, cursor }),
  );
  expect(Math.min(...sizes)).toBeGreaterThan(0);
  const seen = new Set(items.map((clip) => clip.id));
  expect(pages).toBeGreaterThan(1);
  expect(seen.size).toBe(100);
});

it('reads the 150 source clips of an EDIT in one answer even when each carries 15 KiB of metadata', async () => {
  const user = await newTestUser(repos, 'stitcher');
  const project = await repos.projects.create(user.id, { title: 'Stitch' });
  const ids: string[] = [];
  for (let i = 0; i < 150; i += 1) {
    const clip = await repos.clips.register({
      userId: user.id,
      projectId: project.id,
      title: `clip ${i}`,
      duration: 6,
      fileUrl: `users/${user.id}/projects/${project.id}/clips/${randomUUID()}/video.mp4`,
      fileSize: 10,
      resolution: '1280x720',
      format: 'mp4',
      metadata: { notes: 'n'.repeat(15 * 1024) },
    });
    ids.push(clip.id);
  }
  const sources = await repos.clips.getMany(user.id, ids);
  expect(sources.map((c) => c.id).sort()).toEqual([...ids].sort());
  expect(sources.every((c) => c.duration === 6 && c.resolution === '1280x720')).toBe(true);
});

it('lists 100 projects with 15 KiB of settings each, in pages that fit, with and without a filter', async () => {
  const user = await newTestUser(repos, 'planner');
  for (let i = 0; i < 100; i += 1) {
    await repos.projects.create(user.id, { title: `Film ${i}`, settings: { notes: 's'.repeat(15 * 1024) } });
  }
  for (const filter of [{}, { q: 'Film' }]) {
    const { items, pages, sizes } = await allPages((cursor) =>
      repos.projects.list(user.id, { ...filter, limit: 100, cursor }),
    );
    expect(pages).toBeGreaterThan(1);
    expect(Math.min(...sizes)).toBeGreaterThan(0);
    expect(new Set(items.map((project) => project.id)).size).toBe(100);
  }
});

it('lists 100 templates with 15 KiB of parameters each, in pages that fit', async () => {
  const user = await newTestUser(repos, 'author');
  for (let i = 0; i < 100; i += 1) {
    await repos.templates.create(user.id, {
      name: `Template ${i}`,
      category: 'nature',
      prompt: 'a river at dawn',
      parameters: { notes: 'p'.repeat(15 * 1024) },
    });
  }
  const { items, pages } = await allPages(
    (cursor) => repos.templates.list(user.id, { limit: 100, cursor }),
    20,
  );
  expect(pages).toBeGreaterThan(1);
  expect(new Set(items.filter((t) => t.createdBy === user.id).map((t) => t.id)).size).toBe(100);
});

it('exports 100 EDIT jobs and 100 clips of 15 KiB metadata each, reading them in answers that fit', async () => {
  // The export reads every row the user owns; a fixed 100 rows a call passes the 1 MiB answer here.
  const user = await newTestUser(repos, 'exporter');
  const project = await repos.projects.create(user.id, { title: 'Everything' });
  for (let i = 0; i < 100; i += 1) {
    await t.db.execute(sql`
      INSERT INTO generation_jobs (project_id, user_id, job_type, prompt, parameters)
      VALUES (${project.id}::uuid, ${user.id}::uuid, 'EDIT', ${`montage ${i}`},
              ${JSON.stringify(editParameters())}::jsonb)`);
    await repos.clips.register({
      userId: user.id,
      projectId: project.id,
      title: `clip ${i}`,
      duration: 6,
      fileUrl: `users/${user.id}/projects/${project.id}/clips/${randomUUID()}/video.mp4`,
      fileSize: 10,
      resolution: '1280x720',
      format: 'mp4',
      metadata: { notes: 'n'.repeat(15 * 1024) },
    });
  }
  const queries = await ownedRowQueries(t.db, user.id);
  const jobs = await readOwnedRows(t.db, queries.generation_jobs!);
  const clips = await readOwnedRows(t.db, queries.video_clips!);
  expect(new Set(jobs.map((row) => row.id)).size).toBe(100);
  expect(new Set(clips.map((row) => row.id)).size).toBe(100);
  expect(jobs.map((row) => row.prompt).sort()).toEqual(
    Array.from({ length: 100 }, (_, i) => `montage ${i}`).sort(),
  );
});

it('reads the stuck-job sweep’s candidates, 100 waiting and 100 overrunning EDITs, in answers that fit', async () => {
  // The sweep pages through every user's admitted QUEUED jobs and long-PROCESSING ones, 100 at a time.
  const user = await newTestUser(repos, 'backlog');
  const project = await repos.projects.create(user.id, { title: 'Backlog' });
  for (const status of ['QUEUED', 'PROCESSING']) {
    for (let i = 0; i < 100; i += 1) {
      await t.db.execute(sql`
        INSERT INTO generation_jobs (project_id, user_id, job_type, status, prompt, parameters, started_at,
                                     created_at)
        VALUES (${project.id}::uuid, ${user.id}::uuid, 'EDIT', ${status}, ${`montage ${i}`},
                ${JSON.stringify(editParameters())}::jsonb,
                ${status === 'PROCESSING' ? sql`now() - interval '1 day'` : sql`NULL`},
                now() - interval '1 hour')`);
    }
  }
  const before = new Date();
  const queued = await repos.jobs.listQueuedAdmitted(before, 100);
  const running = await repos.jobs.listProcessingStartedBefore(before, 100);
  expect(queued.map((j) => [j.userId, j.projectId, j.jobType])).toEqual(
    Array.from({ length: 100 }, () => [user.id, project.id, 'EDIT']),
  );
  expect(new Set(running.map((j) => j.id)).size).toBe(100);
  expect(running.every((j) => j.startedAt instanceof Date)).toBe(true);
});
