/**
 * A job's insert is one statement: when PostgreSQL picks it as a deadlock's victim (seen once on a real
 * server with 20 jobs of one owner created while others of theirs were registered and their events
 * delivered), it rolled back whole, so the submission is made again rather than answered 500.
 */
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import type { Database } from '#shared/db/database.ts';
import { rawRows } from '#shared/db/sql.ts';
import { createJobRepository } from '#shared/jobs/repository.ts';
import { describeEachDriver } from '#test/support/db-drivers.ts';
import { newOwner, suiteDatabase } from '#test/support/repositories.ts';

describeEachDriver('a job insert chosen as a deadlock victim on', (driver) => {
  const { t, repos } = suiteDatabase(driver);

  it('is made again, once, and the job exists once', async () => {
    const { user, project } = await newOwner(repos, 'dl', 'deadlock');
    let failed = 0;
    const victimOnce = new Proxy(t.db, {
      get(target, key, receiver) {
        if (key !== 'execute') return Reflect.get(target, key, receiver);
        return async (query: unknown) => {
          if (failed === 0) {
            failed += 1;
            throw Object.assign(new Error('Failed query'), {
              cause: Object.assign(new Error('deadlock detected'), { code: '40P01' }),
            });
          }
          return (target as { execute: (q: unknown) => Promise<unknown> }).execute(query);
        };
      },
    }) as Database;
    const job = await createJobRepository(victimOnce).create({
      userId: user.id,
      projectId: project.id,
      jobType: 'GENERATE',
      prompt: 'a fox',
      parameters: {},
      concurrentLimit: 10,
    });
    expect(failed).toBe(1);
    const rows = await rawRows<{ n: number }>(
      t.db,
      sql`SELECT count(*)::int AS n FROM generation_jobs WHERE user_id = ${user.id}::uuid`,
    );
    expect(rows[0]?.n).toBe(1);
    expect(job.userId).toBe(user.id);
  });
});
