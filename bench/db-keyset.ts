/**
 * Keyset pagination over 1,000,000 clips of one project on a real PostgreSQL (DATABASE_URL): time of a page
 * at depth 10,000 divided by the first page's, measured in the same run, plus the plan of the deep page.
 * Target ratio ≤ 1.5, with index scans and no sort of the whole table.
 */
import { pathToFileURL } from 'node:url';
import { sql } from 'drizzle-orm';
import { clipListScope, createClipRepository } from '#shared/clips/repository.ts';
import { openNodePostgres } from '#shared/db/drivers/node-postgres.ts';
import { migrate } from '#shared/db/migrate.ts';
import { encodeCursor } from '#shared/db/pagination.ts';
import { rawRows } from '#shared/db/sql.ts';
import { createProjectRepository } from '#shared/projects/repository.ts';
import { createUserRepository } from '#shared/users/repository.ts';
import { freshServerDatabase } from '../test/support/db-drivers.ts';

const CLIPS = Number(process.env.BENCH_CLIPS ?? 1_000_000);
const DEPTH = 10_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export async function run(): Promise<string> {
  if (!process.env.DATABASE_URL)
    return '## Keyset pagination\n\nskipped: set DATABASE_URL to a PostgreSQL server.';
  const fresh = await freshServerDatabase();
  const handle = openNodePostgres({ url: fresh.url });
  try {
    await migrate(handle.db);
    const user = await createUserRepository(handle.db).create({ email: 'k@example.com', username: 'keyset' });
    await handle.db.execute(sql`UPDATE users SET storage_limit = 1e15 WHERE id = ${user.id}::uuid`);
    const project = await createProjectRepository(handle.db).create(user.id, { title: 'big' });
    const loadStart = performance.now();
    await handle.db.execute(sql`
      INSERT INTO video_clips (project_id, user_id, title, duration, file_url, file_size, resolution, format, created_at)
      SELECT ${project.id}::uuid, ${user.id}::uuid, 'clip ' || i, 6, 'k/' || i, 1000, '1280x720', 'mp4',
             now() - (i * interval '1 millisecond')
      FROM generate_series(1, ${CLIPS}::int) AS i`);
    await handle.db.execute(sql`ANALYZE video_clips`);
    const loadSeconds = (performance.now() - loadStart) / 1000;

    const [deep] = await rawRows<{ created_at: string; id: string }>(
      handle.db,
      sql`SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at, id::text AS id
          FROM video_clips WHERE project_id = ${project.id}::uuid
          ORDER BY created_at DESC, id DESC OFFSET ${DEPTH - 1}::int LIMIT 1`,
    );
    const cursor = encodeCursor(
      { createdAt: new Date(deep!.created_at), id: deep!.id },
      clipListScope(user.id, project.id),
    );
    const clips = createClipRepository(handle.db);
    const time = async (c: string | undefined) => {
      const t0 = performance.now();
      const page = await clips.listByProject(user.id, project.id, { limit: 20, cursor: c });
      if (page.items.length !== 20) throw new Error('short page');
      return performance.now() - t0;
    };
    for (let i = 0; i < 20; i += 1) {
      await time(undefined);
      await time(cursor);
    }
    const first: number[] = [];
    const deepTimes: number[] = [];
    for (let i = 0; i < 200; i += 1) {
      first.push(await time(undefined));
      deepTimes.push(await time(cursor));
    }
    const ratio = median(deepTimes) / median(first);
    // The same statement the repository sends, captured from drizzle, explained with its parameters inlined.
    const query = clips.listByProjectQuery(user.id, project.id, { limit: 20, cursor }).toSQL();
    const explain = await handle.pool.query({
      text: `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${query.sql}`,
      values: query.params,
    });
    const plan = (explain.rows as { 'QUERY PLAN': string }[]).map((r) => r['QUERY PLAN']).join('\n');
    return [
      `## Keyset pagination over ${CLIPS.toLocaleString('en')} clips (PostgreSQL, node-postgres)`,
      '',
      `Bulk load: ${loadSeconds.toFixed(1)} s. Medians of 200 alternating runs, page size 20.`,
      '',
      '| page | median ms |',
      '|---|---|',
      `| first | ${median(first).toFixed(3)} |`,
      `| depth ${DEPTH.toLocaleString('en')} | ${median(deepTimes).toFixed(3)} |`,
      '',
      `Ratio deep / first: **${ratio.toFixed(2)}** (target ≤ 1.5). Plan of the deep page:`,
      '',
      '```',
      plan,
      '```',
    ].join('\n');
  } finally {
    await handle.close();
    await fresh.drop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(await run());
