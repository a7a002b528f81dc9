/**
 * A clip deleted while its project is being deleted gives its bytes back once. The project's deletion frees
 * the bytes of the clips it deletes; summed from its own snapshot, it also counted a clip whose deletion
 * committed while it waited for the owner's row, so that clip's bytes were freed twice (the owner's
 * storage_used fell below what the remaining clips use, or under zero, failing the deletion). Only a real
 * server runs statements at once, so only the PostgreSQL case runs this.
 */
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { rawRows } from '#shared/db/sql.ts';
import { DRIVER_CASES } from '#test/support/db-drivers.ts';
import { newOwner, suiteDatabase } from '#test/support/repositories.ts';

const nodePostgres = DRIVER_CASES.find((d) => d.name === 'node-postgres')!;

describe.skipIf(nodePostgres.skipReason !== undefined)(
  `a clip deleted during its project's deletion on node-postgres${nodePostgres.skipReason ? ` (skipped: ${nodePostgres.skipReason})` : ''}`,
  () => {
    const { t, repos } = suiteDatabase(nodePostgres);

    const clip = (userId: string, projectId: string, bytes: number) =>
      repos.clips.register({
        userId,
        projectId,
        title: 'c',
        duration: 1,
        fileUrl: `users/${userId}/${projectId}/c.mp4`,
        fileSize: bytes,
        resolution: '640x360',
        format: 'mp4',
      });

    it('is freed once: the owner keeps paying for the clips of their other project, no more, no less', async () => {
      const { user, project } = await newOwner(repos, 'pdr', 'doomed');
      const other = await repos.projects.create(user.id, { title: 'kept' });
      const racing = await clip(user.id, project.id, 1_000);
      await clip(user.id, project.id, 2_000);
      await clip(user.id, other.id, 4_000);

      const pool = (t.db as unknown as { $client: pg.Pool }).$client;
      const session = await pool.connect();
      try {
        // The clip's own deletion, as clips.remove does it, not yet committed.
        await session.query('BEGIN');
        await session.query('SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE', [user.id]);
        await session.query('DELETE FROM video_clips WHERE id = $1', [racing.id]);
        await session.query('UPDATE users SET storage_used = storage_used - 1000 WHERE id = $1', [user.id]);
        const removal = repos.projects.remove(user.id, project.id).then(
          (r) => r,
          (error: unknown) => error,
        );
        await someoneWaitsForALock(pool);
        await session.query('COMMIT');
        expect(await removal).toMatchObject({ freedBytes: 2_000 });
      } finally {
        await session.query('ROLLBACK').catch(() => {});
        session.release();
      }
      const [owner] = await rawRows<{ used: string }>(
        t.db,
        sql`SELECT storage_used::text AS used FROM users WHERE id = ${user.id}::uuid`,
      );
      expect(owner?.used).toBe('4000');
    });

    it('takes the owner before the clip when a clip is deleted, as the project deletion does', async () => {
      const { user, project } = await newOwner(repos, 'pdo', 'locks');
      const held = await clip(user.id, project.id, 1_000);
      const pool = (t.db as unknown as { $client: pg.Pool }).$client;
      const session = await pool.connect();
      try {
        // A project deletion that holds the owner's row and has yet to reach the clips.
        await session.query('BEGIN');
        await session.query('SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE', [user.id]);
        const removal = repos.clips.remove(user.id, held.id).then(
          (r) => r,
          (error: unknown) => error,
        );
        await someoneWaitsForALock(pool);
        // The waiting clip deletion holds no lock on the clip: the project deletion can go on to it.
        await session.query('SELECT id FROM video_clips WHERE id = $1 FOR UPDATE NOWAIT', [held.id]);
        await session.query('COMMIT');
        expect(await removal).toMatchObject({ freedBytes: 1_000 });
      } finally {
        await session.query('ROLLBACK').catch(() => {});
        session.release();
      }
    });
  },
);

/** Returns once a session of this database waits for a lock (the statement under test has reached it). */
async function someoneWaitsForALock(pool: pg.Pool): Promise<void> {
  for (;;) {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (rows[0]!.n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
