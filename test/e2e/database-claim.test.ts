/**
 * `npm start` on a PostgreSQL database another local server uses (DATABASE_URL, another data directory):
 * refused before it touches the first server's jobs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalEnvironment } from '#infra/local/environment.ts';
import { DATABASE_URL, freshServerDatabase } from '#test/support/db-drivers.ts';
import { bareEnvironmentOptions } from '#test/support/local-environment.ts';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});
const server = async (databaseUrl: string) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'database-claim-'));
  dirs.push(dir);
  return { ...(await bareEnvironmentOptions(dir)), databaseUrl, claimDatabase: true };
};

describe.skipIf(!DATABASE_URL)(
  `a database another local server uses${DATABASE_URL ? '' : ' (skipped: DATABASE_URL is not set)'}`,
  () => {
    it('is refused, and the running server keeps its jobs', async () => {
      const database = await freshServerDatabase();
      try {
        const first = await startLocalEnvironment(await server(database.url));
        let running: string;
        let userId: string;
        try {
          const user = await first.ctx.users.create({ email: 'c@example.com', username: 'claim_user' });
          const project = await first.ctx.projects.create(user.id, { title: 'claim' });
          const job = await first.ctx.jobs.create({
            userId: user.id,
            projectId: project.id,
            jobType: 'GENERATE',
            prompt: 'running',
            parameters: { model: 'local', durationSeconds: 1, resolution: '640x360' },
            concurrentLimit: 10,
          });
          // As the first server's execution holds it.
          await first.ctx.jobs.markProcessing(job.id);
          running = job.id;
          userId = user.id;

          await expect(startLocalEnvironment(await server(database.url))).rejects.toThrow(
            /The database .* is in use by another local server/,
          );
          // The refused start took none of the first server's jobs for ones a crash left behind.
          expect((await first.ctx.jobs.get(user.id, job.id)).status).toBe('PROCESSING');
        } finally {
          await first.stop();
        }
        // Stopped, the first gives the database back.
        const next = await startLocalEnvironment(await server(database.url));
        try {
          await next.idle();
          expect((await next.ctx.jobs.get(userId, running)).status).toBe('FAILED');
        } finally {
          await next.stop();
        }
      } finally {
        await database.drop();
      }
    });
  },
);
