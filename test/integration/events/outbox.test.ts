import { sql } from 'drizzle-orm';
import pg from 'pg';
import { expect, it } from 'vitest';
import { toEnvelope } from '#shared/events/envelope.ts';
import type { EventFilter } from '#shared/events/outbox.ts';
import { createJobRepository } from '#shared/jobs/repository.ts';
import { describeEachDriver, freshServerDatabase } from '#test/support/db-drivers.ts';
import { newOwner, suiteDatabase } from '#test/support/repositories.ts';
import { waitForSettledWrites } from '#test/support/settled-events.ts';

describeEachDriver('event outbox on', (driver) => {
  const { t, repos } = suiteDatabase(driver);

  const owner = () => newOwner(repos, 'ev', 'events');
  const start = { txId: 0, seq: 0 };
  /** The user's events once this test's writes are past the horizon (another file's transaction may delay them). */
  const settledEvents = async (userId: string, filter?: EventFilter) => {
    await waitForSettledWrites(t.db);
    return repos.outbox.after(userId, start, filter);
  };
  const queued = (userId: string, projectId: string) =>
    repos.jobs.create({
      userId,
      projectId,
      jobType: 'GENERATE',
      prompt: 'fox',
      parameters: {},
      concurrentLimit: 5,
    });

  it('records each job change as an event, in order, with the API view of the job and its clip', async () => {
    const { user, project } = await owner();
    const job = await queued(user.id, project.id);
    await repos.jobs.markProcessing(job.id);
    for (const p of [3, 9, 10, 15, 19, 25, 40, 41]) await repos.jobs.reportProgress(job.id, p);
    const clip = await repos.clips.register({
      userId: user.id,
      projectId: project.id,
      jobId: job.id,
      title: 'fox',
      duration: 6,
      fileUrl: `users/${user.id}/projects/${project.id}/clips/x/video.mp4`,
      fileSize: 1000,
      resolution: '1280x720',
      format: 'mp4',
    });
    await repos.clips.remove(user.id, clip.id);
    const events = (await settledEvents(user.id)).map(toEnvelope);
    const progress = events.filter((e) => e.type === 'job.progress').map((e) => e.data.progress);
    // One when it starts, then one per 10-point step crossed (10, 25 → 20s, 40); 3, 9, 15, 19, 41 add none.
    expect(progress).toEqual([0, 10, 25, 40]);
    expect(events.map((e) => e.type)).toEqual([
      'job.created',
      'job.progress',
      'job.progress',
      'job.progress',
      'job.progress',
      'job.completed',
      'clip.deleted',
    ]);
    const completed = events.find((e) => e.type === 'job.completed');
    expect(completed?.data).toMatchObject({
      id: job.id,
      status: 'COMPLETED',
      progress: 100,
      clipId: clip.id,
    });
    expect(completed?.data.clip).toMatchObject({ id: clip.id, projectId: project.id, fileSize: 1000 });
    expect(events.every((e) => /^evt_\d+_\d+$/.test(e.id))).toBe(true);
    const created = events[0];
    expect(created?.data).not.toHaveProperty('userId');
    // A waiting job's place in line is read by GET only (README, job events).
    expect(events.filter((e) => 'queuePosition' in e.data)).toEqual([]);
  });

  it('records cancellation as job.failed with its reason, and reads one job alone', async () => {
    const { user, project } = await owner();
    const a = await queued(user.id, project.id);
    const b = await queued(user.id, project.id);
    await repos.jobs.cancel(user.id, a.id);
    const forA = await settledEvents(user.id, { jobId: a.id });
    expect(forA.map((e) => e.type)).toEqual(['job.created', 'job.failed']);
    expect(toEnvelope(forA[1] as never).data).toMatchObject({
      status: 'FAILED',
      errorMessage: 'Cancelled by user.',
    });
    expect((await settledEvents(user.id, { jobId: b.id })).length).toBe(1);
  });

  it('writes no event for a change that rolled back', async () => {
    const { user, project } = await owner();
    const job = await queued(user.id, project.id);
    const before = (await settledEvents(user.id)).length;
    expect(before).toBe(1);
    await expect(
      t.db.transaction(async (tx) => {
        await createJobRepository(tx as never).markProcessing(job.id);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect((await settledEvents(user.id)).length).toBe(before);
    expect((await repos.jobs.get(user.id, job.id)).status).toBe('QUEUED');
  });

  // Only a server has other sessions; PGlite has one connection.
  if (driver.realServer)
    it('holds back an event while an older transaction anywhere on the server is open, and shows it once that ends', async () => {
      const { user, project } = await owner();
      // Another database on the same server, as another test file's would be.
      const elsewhere = await freshServerDatabase();
      const holder = new pg.Client({ connectionString: elsewhere.url });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT pg_current_xact_id()');
        await queued(user.id, project.id);
        expect(await repos.outbox.after(user.id, start)).toEqual([]);
        await holder.query('COMMIT');
        expect((await settledEvents(user.id)).map((e) => e.type)).toEqual(['job.created']);
      } finally {
        await holder.end();
        await elsewhere.drop();
      }
    });

  it("never shows one user's events to another, and fans out only to the owner's subscribed endpoints", async () => {
    const a = await owner();
    const b = await owner();
    const all = await repos.webhooks.create({
      userId: a.user.id,
      url: 'https://example.com/a',
      secret: 'whsec_x',
    });
    const failedOnly = await repos.webhooks.create({
      userId: a.user.id,
      url: 'https://example.com/b',
      events: ['job.failed'],
      secret: 'whsec_x',
    });
    await queued(a.user.id, a.project.id);
    expect(await settledEvents(b.user.id)).toEqual([]);
    expect((await repos.webhooks.deliveries(a.user.id, all.id)).items.map((d) => d.eventType)).toEqual([
      'job.created',
    ]);
    expect((await repos.webhooks.deliveries(a.user.id, failedOnly.id)).items).toEqual([]);
  });

  it('lets an account with clips, events and endpoints be deleted (every table cascades from users)', async () => {
    const { user, project } = await owner();
    await repos.webhooks.create({ userId: user.id, url: 'https://example.com/a', secret: 'whsec_x' });
    await repos.clips.register({
      userId: user.id,
      projectId: project.id,
      title: 'c',
      duration: 6,
      fileUrl: `users/${user.id}/projects/${project.id}/clips/y/video.mp4`,
      fileSize: 10,
      resolution: '1280x720',
      format: 'mp4',
    });
    await queued(user.id, project.id);
    await t.db.execute(sql`DELETE FROM users WHERE id = ${user.id}::uuid`);
    const left = await t.db.execute(
      sql`SELECT count(*)::int AS n FROM events WHERE user_id = ${user.id}::uuid`,
    );
    expect(JSON.stringify(left)).toContain('"n":0');
  });
});
