/**
 * The account export reads each entity in calls of at most 100 rows. A user with hundreds of jobs, clips,
 * job sources, events and webhook deliveries is read in several calls, every row once, and no call sorts
 * the user's whole set to find where it starts, or walks other users' rows: the owner is a condition of
 * the index it reads, not a filter on what it reads.
 */
import { type SQL, sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { ownedRowQueries, readOwnedRows } from '#shared/account/owned-rows.ts';
import type { Database } from '#shared/db/database.ts';
import { rawRows } from '#shared/db/sql.ts';
import { describeEachDriver } from '#test/support/db-drivers.ts';
import { newOwner, suiteDatabase } from '#test/support/repositories.ts';

const MANY = 230;

interface PlanNode {
  'Node Type': string;
  'Index Cond'?: string;
  Filter?: string;
  Plans?: PlanNode[];
}

/** Every node of a plan, depth first. */
function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/**
 * The nodes found under a LIMIT of the statement's plan, with full sorts and sequential scans off wherever
 * avoidable (so that a few hundred rows are planned as many would be).
 */
async function nodesUnderLimit(db: Database, statement: SQL): Promise<PlanNode[]> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL enable_sort = off`);
    await tx.execute(sql`SET LOCAL enable_seqscan = off`);
    const [row] = await rawRows<Record<string, string>>(
      tx as unknown as Database,
      sql`EXPLAIN (FORMAT JSON) ${statement}`,
    );
    const value = Object.values(row ?? {})[0] as unknown;
    const [{ Plan }] = (typeof value === 'string' ? JSON.parse(value) : value) as [{ Plan: PlanNode }];
    return nodes(Plan)
      .filter((n) => n['Node Type'] === 'Limit')
      .flatMap((n) => nodes(n).slice(1));
  });
}

describeEachDriver('account export pages on', (driver) => {
  const { t, repos } = suiteDatabase(driver);

  it('reads every owned row exactly once in several calls, none of which sorts the whole set', async () => {
    const { user, project } = await newOwner(repos, 'many', 'p');
    // Someone else's rows sit among them and must stay out.
    const other = await newOwner(repos, 'other', 'p');
    for (const owner of [other, { user, project }]) {
      const [u, p] = [sql`${owner.user.id}::uuid`, sql`${owner.project.id}::uuid`];
      // Each job's job.created event is delivered to this endpoint: a webhook delivery per job.
      await t.db.execute(sql`
        INSERT INTO webhook_endpoints (user_id, url, secret) VALUES (${u}, 'https://example.com/hook', 's')`);
      // One created_at for all, so only the id tells rows apart where created_at leads the order.
      await t.db.execute(sql`
        INSERT INTO generation_jobs (project_id, user_id, job_type, prompt, parameters, created_at)
        SELECT ${p}, ${u}, 'EDIT', 'job ' || n, '{}'::jsonb, '2026-01-01T00:00:00Z'
        FROM generate_series(1, ${MANY}) n`);
      await t.db.execute(sql`
        INSERT INTO video_clips (project_id, user_id, title, duration, file_url, file_size, resolution, format,
                                 created_at)
        SELECT ${p}, ${u}, 'clip ' || n, 5, 'users/x/clips/' || n || '/video.mp4', 10, '1280x720', 'mp4',
               '2026-01-01T00:00:00Z'
        FROM generate_series(1, ${MANY}) n`);
      await t.db.execute(sql`
        INSERT INTO job_source_clips (job_id, position, clip_id)
        SELECT j.id, n, NULL FROM generation_jobs j, generate_series(0, 1) n WHERE j.user_id = ${u}`);
    }

    const pages: SQL[] = [];
    const recording = new Proxy(t.db, {
      get(target, name, receiver) {
        if (name !== 'execute') return Reflect.get(target, name, receiver);
        return (statement: SQL) => {
          pages.push(statement);
          return target.execute(statement);
        };
      },
    });
    const id = sql`${user.id}::uuid`;
    const expected: Record<string, SQL> = {
      generation_jobs: sql`SELECT row_to_json(t)::text AS row FROM generation_jobs t WHERE t.user_id = ${id}`,
      video_clips: sql`SELECT row_to_json(t)::text AS row FROM video_clips t WHERE t.user_id = ${id}`,
      job_source_clips: sql`SELECT row_to_json(t)::text AS row FROM job_source_clips t
        JOIN generation_jobs j ON j.id = t.job_id WHERE j.user_id = ${id}`,
      events: sql`SELECT row_to_json(t)::text AS row FROM events t WHERE t.user_id = ${id}`,
      webhook_deliveries: sql`SELECT row_to_json(t)::text AS row FROM webhook_deliveries t WHERE t.user_id = ${id}`,
    };
    const queries = await ownedRowQueries(t.db, user.id);
    for (const [table, reference] of Object.entries(expected)) {
      pages.length = 0;
      const rows = await readOwnedRows(recording, queries[table]!);
      const all = (await rawRows<{ row: string }>(t.db, reference)).map((r) =>
        JSON.stringify(JSON.parse(r.row)),
      );
      expect(all.length, table).toBeGreaterThanOrEqual(MANY);
      expect(rows.map((r) => JSON.stringify(r)).sort(), table).toEqual(all.sort());
      expect(pages.length, table).toBe(Math.ceil(all.length / 100) + (all.length % 100 === 0 ? 1 : 0));
      // The last call, which starts past every other row: it reads from where the previous one ended.
      const under = await nodesUnderLimit(t.db, pages.at(-1)!);
      expect(
        under.map((n) => n['Node Type']),
        table,
      ).not.toContain('Sort');
      expect(
        under.filter((n) => /user_id = /.test(n['Index Cond'] ?? '')),
        table,
      ).not.toEqual([]);
      expect(
        under.filter((n) => /user_id = /.test(n.Filter ?? '')),
        table,
      ).toEqual([]);
    }
  });
});
