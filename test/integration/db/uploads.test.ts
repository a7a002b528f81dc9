/**
 * Upload reservations, the upload ingest and the concurrent-job slots, on every driver (with DATABASE_URL,
 * also on a real PostgreSQL server where the races bite). The object store and the workflow are in-memory
 * fakes; the database is real.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rawRows } from '#shared/db/sql.ts';
import { NotFoundError, QuotaExceededError, TooManyRequestsError } from '#shared/errors.ts';
import { createProjectService } from '#shared/projects/service.ts';
import { uploadKey } from '#shared/storage/keys.ts';
import type { ObjectStore, StoredObject } from '#shared/storage/port.ts';
import { createUploadIngest, UPLOAD_NOT_STARTED } from '#shared/uploads/ingest.ts';
import { MAX_UPLOADS_IN_PROGRESS } from '#shared/uploads/reservations.ts';
import { currentMonth, monthlyUsage } from '#shared/usage/usage.ts';
import type { JobExecutionInput } from '#shared/workflow/port.ts';
import { describeEachDriver } from '#test/support/db-drivers.ts';
import { newOwner, suiteDatabase } from '#test/support/repositories.ts';

const MiB = 1024 ** 2;
const GiB = 1024 * MiB;

function memoryStore(): ObjectStore & { objects: Map<string, number> } {
  const objects = new Map<string, number>();
  const list = async (prefix: string): Promise<StoredObject[]> =>
    [...objects].filter(([k]) => k.startsWith(prefix)).map(([key, size]) => ({ key, size }));
  return {
    bucket: 'test',
    objects,
    putFile: async () => {
      throw new Error('unused');
    },
    putBytes: async (key, body) => {
      objects.set(key, body.length);
      return { key, size: body.length };
    },
    downloadToFile: async () => undefined,
    head: async (key) => (objects.has(key) ? { key, size: objects.get(key)! } : null),
    readBytes: async () => null,
    list,
    deleteKeys: async (keys) => {
      for (const k of keys) objects.delete(k);
    },
    deletePrefix: async (prefix) => {
      const keys = (await list(prefix)).map((o) => o.key);
      for (const k of keys) objects.delete(k);
      return keys.length;
    },
  };
}

describeEachDriver('uploads on', (driver) => {
  const { t, repos } = suiteDatabase(driver);

  async function owner() {
    const { user: u, project: p } = await newOwner(repos, 'up', 'uploads');
    return { u, p };
  }

  /** What the counters say next to what the rows say. */
  async function counters(userId: string) {
    const [row] = await rawRows<{ active: number; counted: number; reserved: string; summed: string }>(
      t.db,
      sql`SELECT u.active_jobs AS active,
                 (SELECT count(*)::int FROM generation_jobs j
                  WHERE j.user_id = u.id AND j.admitted AND j.status IN ('QUEUED', 'PROCESSING')) AS counted,
                 u.storage_reserved::text AS reserved,
                 (SELECT COALESCE(sum(bytes), 0) FROM upload_reservations r WHERE r.user_id = u.id)::text AS summed
          FROM users u WHERE u.id = ${userId}::uuid`,
    );
    return {
      active: row!.active,
      counted: row!.counted,
      reserved: Number(row!.reserved),
      summed: Number(row!.summed),
    };
  }

  function harness(options: { failedStarts?: number } = {}) {
    const store = memoryStore();
    const started: JobExecutionInput[] = [];
    let failures = options.failedStarts ?? 0;
    const ingest = createUploadIngest({
      users: repos.users,
      jobs: repos.jobs,
      reservations: repos.reservations,
      store,
      workflow: {
        start: async (input) => {
          if (failures > 0) {
            failures -= 1;
            throw new Error('StartExecution refused');
          }
          started.push(input);
          return 'started';
        },
        stop: async () => undefined,
      },
    });
    return { store, started, ingest };
  }

  async function presigned(userId: string, projectId: string, bytes: number) {
    const id = randomUUID();
    await repos.reservations.create({ id, userId, projectId, bytes, ttlSeconds: 900 });
    return { id, key: uploadKey(userId, projectId, id, 'clip.mp4') };
  }

  it('reserves declared bytes against the quota, so presigned uploads together never exceed it', async () => {
    const { u, p } = await owner();
    await presigned(u.id, p.id, 600 * MiB);
    await expect(presigned(u.id, p.id, 500 * MiB)).rejects.toBeInstanceOf(QuotaExceededError);
    await expect(presigned(u.id, p.id, 500 * MiB)).rejects.toMatchObject({ remaining: 424 * MiB });
    await presigned(u.id, p.id, 424 * MiB);
    expect(await counters(u.id)).toMatchObject({ reserved: GiB, summed: GiB });
    // Reservations count against clips too: nothing more fits.
    await expect(
      repos.clips.register({
        userId: u.id,
        projectId: p.id,
        title: 'c',
        duration: 1,
        fileUrl: 'k',
        fileSize: 1,
        resolution: '1280x720',
        format: 'mp4',
      }),
    ).rejects.toBeInstanceOf(QuotaExceededError);
  });

  it('ignores and sweeps expired reservations (an upload that never came)', async () => {
    const { u, p } = await owner();
    const stale = randomUUID();
    await repos.reservations.create({
      id: stale,
      userId: u.id,
      projectId: p.id,
      bytes: 900 * MiB,
      ttlSeconds: 900,
    });
    await t.db.execute(
      sql`UPDATE upload_reservations SET expires_at = now() - interval '1 second' WHERE id = ${stale}::uuid`,
    );
    expect(await repos.reservations.remaining(u.id)).toBe(GiB);
    await presigned(u.id, p.id, 500 * MiB);
    expect(await repos.reservations.find(stale)).toBeUndefined();
    expect(await counters(u.id)).toMatchObject({ reserved: 500 * MiB, summed: 500 * MiB });
  });

  it('sweeps the reservations of a deleted project', async () => {
    const { u, p } = await owner();
    await presigned(u.id, p.id, 900 * MiB);
    await repos.projects.remove(u.id, p.id);
    const other = await repos.projects.create(u.id, { title: 'other' });
    expect(await repos.reservations.remaining(u.id)).toBe(GiB);
    await presigned(u.id, other.id, 500 * MiB);
    expect(await counters(u.id)).toMatchObject({ reserved: 500 * MiB, summed: 500 * MiB });
  });

  it('converts the reservation into the charge when the clip registers: nothing counted twice', async () => {
    const { u, p } = await owner();
    const { store, started, ingest } = harness();
    const { id, key } = await presigned(u.id, p.id, 700 * MiB);
    await store.putBytes(key, new Uint8Array(1000), 'video/mp4');
    expect(await ingest.ingest(key, 1000)).toBe(id);
    expect(started.map((s) => s.jobId)).toEqual([id]);
    await repos.jobs.markProcessing(id);
    // The clip is larger than the upload, and only fits because the upload's reservation is converted.
    await repos.clips.register({
      id,
      jobId: id,
      userId: u.id,
      projectId: p.id,
      title: 'c',
      duration: 1,
      fileUrl: 'k',
      fileSize: 900 * MiB,
      resolution: '1280x720',
      format: 'mp4',
    });
    expect(await repos.users.getById(u.id)).toMatchObject({ storageUsed: 900 * MiB, storageReserved: 0 });
    expect(await counters(u.id)).toEqual({ active: 0, counted: 0, reserved: 0, summed: 0 });
  });

  it('refuses a file larger than declared: FAILED with a message, deleted, reservation released', async () => {
    const { u, p } = await owner();
    const { store, started, ingest } = harness();
    const { id, key } = await presigned(u.id, p.id, 1000);
    await store.putBytes(key, new Uint8Array(1001), 'video/mp4');
    expect(await ingest.ingest(key, 1001)).toBe(id);
    expect(started).toEqual([]);
    expect(await repos.jobs.get(u.id, id)).toMatchObject({ status: 'FAILED', jobType: 'TRANSCODE' });
    expect((await repos.jobs.get(u.id, id)).errorMessage).toMatch(/larger than the .* declared/);
    expect(store.objects.size).toBe(0);
    expect(await counters(u.id)).toEqual({ active: 0, counted: 0, reserved: 0, summed: 0 });
  });

  it('a start that fails leaves the upload for the retries: the next try starts it, nothing deleted', async () => {
    const { u, p } = await owner();
    const { store, started, ingest } = harness({ failedStarts: 2 });
    const { id, key } = await presigned(u.id, p.id, 1000);
    await store.putBytes(key, new Uint8Array(1000), 'video/mp4');
    await expect(ingest.ingest(key, 1000)).rejects.toThrow('StartExecution refused');
    expect(await repos.jobs.get(u.id, id)).toMatchObject({ status: 'QUEUED', admitted: true });
    expect(store.objects.size).toBe(1);
    await expect(ingest.ingest(key, 1000)).rejects.toThrow('StartExecution refused');
    expect(await ingest.ingest(key, 1000)).toBe(id);
    expect(started.map((s) => s.jobId)).toEqual([id]);
    expect(store.objects.size).toBe(1);
    expect(await counters(u.id)).toEqual({ active: 1, counted: 1, reserved: 1000, summed: 1000 });
  });

  it('an upload whose processing cannot start after every retry ends FAILED, released and deleted', async () => {
    const { u, p } = await owner();
    const { store, ingest } = harness({ failedStarts: 3 });
    const { id, key } = await presigned(u.id, p.id, 1000);
    await store.putBytes(key, new Uint8Array(1000), 'video/mp4');
    for (let attempt = 0; attempt < 3; attempt += 1)
      await expect(ingest.ingest(key, 1000)).rejects.toThrow('StartExecution refused');
    expect(await ingest.abandon(key, 1000)).toBe(id);
    expect(await repos.jobs.get(u.id, id)).toMatchObject({
      status: 'FAILED',
      errorMessage: UPLOAD_NOT_STARTED,
    });
    expect(store.objects.size).toBe(0);
    expect(await counters(u.id)).toEqual({ active: 0, counted: 0, reserved: 0, summed: 0 });
  });

  it('a duplicate event delivered at the same time makes one job, started once', async () => {
    const { u, p } = await owner();
    const { store, started, ingest } = harness();
    const { id, key } = await presigned(u.id, p.id, 1000);
    await store.putBytes(key, new Uint8Array(1000), 'video/mp4');
    const ids = await Promise.all([ingest.ingest(key, 1000), ingest.ingest(key, 1000)]);
    expect(ids).toEqual([id, id]);
    expect(started.filter((s) => s.jobId === id).length).toBeGreaterThanOrEqual(1);
    expect(await repos.jobs.get(u.id, id)).toMatchObject({ status: 'QUEUED', admitted: true });
    expect(await counters(u.id)).toMatchObject({ active: 1, counted: 1, reserved: 1000, summed: 1000 });
  });

  it('deletes a file sent again with the same POST after its job ended; one still in use is kept', async () => {
    const { u, p } = await owner();
    const { store, started, ingest } = harness();
    const { id, key } = await presigned(u.id, p.id, 1000);
    await store.putBytes(key, new Uint8Array(1000), 'video/mp4');
    expect(await ingest.ingest(key, 1000)).toBe(id);
    // The same event again while the job runs: the file is its source.
    expect(await ingest.ingest(key, 1000)).toBe(id);
    expect(store.objects.has(key)).toBe(true);
    // The job fails (its cleanup deleted the file); the POST, still valid, sends the file once more.
    await repos.jobs.markFailed(id, 'The uploaded file is not a video.');
    await store.deleteKeys([key]);
    await store.putBytes(key, new Uint8Array(1000), 'video/mp4');
    const starts = started.length;
    expect(await ingest.ingest(key, 1000)).toBe(id);
    expect(store.objects.size).toBe(0);
    expect(started).toHaveLength(starts);
    expect(await repos.jobs.get(u.id, id)).toMatchObject({ status: 'FAILED' });
    expect(await counters(u.id)).toEqual({ active: 0, counted: 0, reserved: 0, summed: 0 });
  });

  it('the dead-letter path records a FAILED job for an upload that never got one', async () => {
    const { u, p } = await owner();
    const { store, ingest } = harness();
    const { id, key } = await presigned(u.id, p.id, 1000);
    await store.putBytes(key, new Uint8Array(1000), 'video/mp4');
    expect(await ingest.abandon(key, 1000)).toBe(id);
    expect(await repos.jobs.get(u.id, id)).toMatchObject({
      status: 'FAILED',
      errorMessage: UPLOAD_NOT_STARTED,
    });
    expect(store.objects.size).toBe(0);
    expect(await counters(u.id)).toEqual({ active: 0, counted: 0, reserved: 0, summed: 0 });
    // A job that already ended keeps its ending.
    await ingest.abandon(key, 1000);
    expect((await repos.jobs.get(u.id, id)).errorMessage).toBe(UPLOAD_NOT_STARTED);
  });

  /** users.upload_count, kept by the trigger on upload_reservations. */
  async function uploadCount(userId: string) {
    const [row] = await rawRows<{ n: number }>(
      t.db,
      sql`SELECT upload_count AS n FROM users WHERE id = ${userId}::uuid`,
    );
    return row!.n;
  }

  it('cancelling an upload gives its bytes and its place among the uploads in progress back at once', async () => {
    const { u, p } = await owner();
    const { id } = await presigned(u.id, p.id, 600 * MiB);
    await expect(presigned(u.id, p.id, 500 * MiB)).rejects.toBeInstanceOf(QuotaExceededError);
    expect(await uploadCount(u.id)).toBe(1);
    expect(await repos.reservations.cancel(u.id, id)).toBe('cancelled');
    expect(await counters(u.id)).toMatchObject({ reserved: 0, summed: 0 });
    expect(await uploadCount(u.id)).toBe(0);
    await presigned(u.id, p.id, 1000 * MiB);
    expect(await counters(u.id)).toMatchObject({ reserved: 1000 * MiB, summed: 1000 * MiB });
    // A cancel sent again finds it cancelled and gives nothing back twice; an id the user never had is unknown.
    expect(await repos.reservations.cancel(u.id, id)).toBe('cancelled');
    expect(await counters(u.id)).toMatchObject({ reserved: 1000 * MiB, summed: 1000 * MiB });
    expect(await repos.reservations.cancel(u.id, randomUUID())).toBe('unknown');
  });

  it('lets a user at the most uploads in progress make a new one as soon as one is cancelled', async () => {
    const { u, p } = await owner();
    const ids: string[] = [];
    for (let i = 0; i < MAX_UPLOADS_IN_PROGRESS; i += 1) ids.push((await presigned(u.id, p.id, 1)).id);
    const refused = await presigned(u.id, p.id, 1).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TooManyRequestsError);
    expect((refused as Error).message).toContain('DELETE /v1/uploads/{uploadId} cancels one');
    expect(await repos.reservations.cancel(u.id, ids[0]!)).toBe('cancelled');
    await presigned(u.id, p.id, 1);
    expect(await uploadCount(u.id)).toBe(MAX_UPLOADS_IN_PROGRESS);
  });

  it('forgets a cancellation once its file could no longer come, at the next reservation', async () => {
    const { u, p } = await owner();
    const { id } = await presigned(u.id, p.id, 1000);
    await repos.reservations.cancel(u.id, id);
    await presigned(u.id, p.id, 1000);
    expect(await repos.reservations.wasCancelled(id)).toBe(true);
    await t.db.execute(
      sql`UPDATE cancelled_uploads SET expires_at = now() - interval '1 second' WHERE id = ${id}::uuid`,
    );
    await presigned(u.id, p.id, 1000);
    expect(await repos.reservations.wasCancelled(id)).toBe(false);
  });

  it('keeps a cancellation while the file’s event may still be retried, past the reservation’s expiry', async () => {
    const { u, p } = await owner();
    const { store, started, ingest } = harness();
    const { id, key } = await presigned(u.id, p.id, 1000);
    // The file landed as its link expired and was cancelled then; its event is still being retried (for up
    // to an hour, then dead-lettered) when the reservation lapses.
    await store.putBytes(key, new Uint8Array(1000), 'video/mp4');
    await t.db.execute(
      sql`UPDATE upload_reservations SET expires_at = now() - interval '1 second' WHERE id = ${id}::uuid`,
    );
    expect(await repos.reservations.cancel(u.id, id)).toBe('cancelled');
    // The user's next upload sweeps what has lapsed; the cancellation is kept.
    await presigned(u.id, p.id, 1000);
    expect(await ingest.ingest(key, 1000)).toBeNull();
    expect(await ingest.abandon(key, 1000)).toBeNull();
    await expect(repos.jobs.get(u.id, id)).rejects.toBeInstanceOf(NotFoundError);
    expect(started).toEqual([]);
    expect(store.objects.size).toBe(0);
    expect(await counters(u.id)).toMatchObject({ reserved: 1000, summed: 1000 });
  });

  it('a dead-letter redrive after the cancellation was forgotten records no job: the reservation decides', async () => {
    const { u, p } = await owner();
    const { store, started, ingest } = harness();
    const { id, key } = await presigned(u.id, p.id, 1000);
    expect(await repos.reservations.cancel(u.id, id)).toBe('cancelled');
    await store.putBytes(key, new Uint8Array(1000), 'video/mp4');
    // Its event failed every attempt and sat in the dead-letter queue; someone redrives it days later,
    // when the cancellation's record is long forgotten.
    await t.db.execute(
      sql`UPDATE cancelled_uploads SET expires_at = now() - interval '1 second' WHERE id = ${id}::uuid`,
    );
    const next = await presigned(u.id, p.id, 1000);
    expect(await repos.reservations.wasCancelled(id)).toBe(false);
    expect(await ingest.abandon(key, 1000)).toBeNull();
    await expect(repos.jobs.get(u.id, id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await monthlyUsage(t.db, u.id, currentMonth())).jobs).toMatchObject({ failed: 0 });
    expect(store.objects.has(key)).toBe(false);
    expect(await counters(u.id)).toMatchObject({ reserved: 1000, summed: 1000 });
    // An upload that was not cancelled still has its reservation, lapsed or not, until the next sweep: it
    // ends FAILED as before, and its bytes come back.
    await t.db.execute(
      sql`UPDATE upload_reservations SET expires_at = now() - interval '1 second' WHERE id = ${next.id}::uuid`,
    );
    await store.putBytes(next.key, new Uint8Array(1000), 'video/mp4');
    expect(await ingest.abandon(next.key, 1000)).toBe(next.id);
    expect(await repos.jobs.get(u.id, next.id)).toMatchObject({
      status: 'FAILED',
      errorMessage: UPLOAD_NOT_STARTED,
    });
    expect(store.objects.size).toBe(0);
    expect(started).toEqual([]);
    expect(await counters(u.id)).toMatchObject({ reserved: 0, summed: 0 });
  });

  it("finds nothing to cancel in another user's upload, and leaves it alone", async () => {
    const { u, p } = await owner();
    const { u: other } = await owner();
    const { id } = await presigned(u.id, p.id, 1000);
    expect(await repos.reservations.cancel(other.id, id)).toBe('unknown');
    expect(await counters(u.id)).toMatchObject({ reserved: 1000, summed: 1000 });
    // Nor does a cancelled upload answer as cancelled to anyone else.
    expect(await repos.reservations.cancel(u.id, id)).toBe('cancelled');
    expect(await repos.reservations.cancel(other.id, id)).toBe('unknown');
  });

  it('refuses to cancel an upload whose file has arrived: it is a job now', async () => {
    const { u, p } = await owner();
    const { store, ingest } = harness();
    const { id, key } = await presigned(u.id, p.id, 1000);
    await store.putBytes(key, new Uint8Array(1000), 'video/mp4');
    expect(await ingest.ingest(key, 1000)).toBe(id);
    expect(await repos.reservations.cancel(u.id, id)).toBe('arrived');
    expect(await repos.jobs.get(u.id, id)).toMatchObject({ status: 'QUEUED' });
    expect(await counters(u.id)).toMatchObject({ reserved: 1000, summed: 1000 });
    // Held but its job not yet made (the moment between the hold and the job's insert): still refused.
    const second = await presigned(u.id, p.id, 1000);
    await repos.reservations.hold({
      id: second.id,
      userId: u.id,
      projectId: p.id,
      bytes: 1000,
      ttlSeconds: 60,
    });
    expect(await repos.reservations.cancel(u.id, second.id)).toBe('arrived');
    // A refused file's FAILED job (its reservation already released) is what the upload became, too.
    const third = await presigned(u.id, p.id, 10);
    await ingest.ingest(third.key, 11);
    expect(await repos.reservations.cancel(u.id, third.id)).toBe('arrived');
  });

  it("finds no upload in a job that was never one (a GENERATE, a clip's TRANSCODE): unknown, not arrived", async () => {
    const { u, p } = await owner();
    for (const jobType of ['GENERATE', 'TRANSCODE'] as const) {
      const job = await repos.jobs.create({
        userId: u.id,
        projectId: p.id,
        jobType,
        prompt: 'not an upload',
        parameters: {},
        concurrentLimit: 10,
      });
      expect(await repos.reservations.cancel(u.id, job.id), jobType).toBe('unknown');
    }
  });

  it('an arrived upload whose job went with its deleted project is unknown to cancel, and leaves nothing', async () => {
    const { u, p } = await owner();
    const { store, ingest } = harness();
    const { id, key } = await presigned(u.id, p.id, 1000);
    await store.putBytes(key, new Uint8Array(1000), 'video/mp4');
    expect(await ingest.ingest(key, 1000)).toBe(id);
    // The deletion ends the upload's job with the project and gives its held reservation back.
    const projects = createProjectService({
      projects: repos.projects,
      store,
      workflow: { start: async () => 'started', stop: async () => undefined },
    });
    await projects.remove(u.id, p.id);
    await expect(repos.jobs.get(u.id, id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await repos.reservations.cancel(u.id, id)).toBe('unknown');
    expect(await repos.reservations.find(id)).toBeUndefined();
    expect(await repos.reservations.wasCancelled(id)).toBe(false);
    expect(await counters(u.id)).toEqual({ active: 0, counted: 0, reserved: 0, summed: 0 });
    expect(await uploadCount(u.id)).toBe(0);
    expect(store.objects.size).toBe(0);
  });

  it('an awaited upload of a deleted project is unknown to cancel; its bytes come back, nothing is recorded', async () => {
    const { u, p } = await owner();
    const { store, started, ingest } = harness();
    const { id, key } = await presigned(u.id, p.id, 1000);
    await repos.projects.remove(u.id, p.id);
    expect(await repos.reservations.cancel(u.id, id)).toBe('unknown');
    expect(await repos.reservations.find(id)).toBeUndefined();
    expect(await repos.reservations.wasCancelled(id)).toBe(false);
    expect(await counters(u.id)).toMatchObject({ reserved: 0, summed: 0 });
    // Its file, still sent with the POST, finds no project: deleted, no job.
    await store.putBytes(key, new Uint8Array(1000), 'video/mp4');
    expect(await ingest.ingest(key, 1000)).toBeNull();
    expect(started).toEqual([]);
    expect(store.objects.size).toBe(0);
    expect(await counters(u.id)).toMatchObject({ reserved: 0, summed: 0 });
  });

  it('deletes a file that lands after its upload was cancelled: no job, no clip, no charge', async () => {
    const { u, p } = await owner();
    const { store, started, ingest } = harness();
    const { id, key } = await presigned(u.id, p.id, 1000);
    expect(await repos.reservations.cancel(u.id, id)).toBe('cancelled');
    await store.putBytes(key, new Uint8Array(1000), 'video/mp4');
    expect(await ingest.ingest(key, 1000)).toBeNull();
    expect(started).toEqual([]);
    await expect(repos.jobs.get(u.id, id)).rejects.toBeInstanceOf(NotFoundError);
    expect(store.objects.size).toBe(0);
    expect(await counters(u.id)).toEqual({ active: 0, counted: 0, reserved: 0, summed: 0 });
    expect(await repos.users.getById(u.id)).toMatchObject({ storageUsed: 0, storageReserved: 0 });
    // Larger than declared, or through the dead-letter path: still no FAILED job for a cancelled upload.
    const big = await presigned(u.id, p.id, 1000);
    await repos.reservations.cancel(u.id, big.id);
    await store.putBytes(big.key, new Uint8Array(2000), 'video/mp4');
    expect(await ingest.ingest(big.key, 2000)).toBeNull();
    expect(await ingest.abandon(big.key, 2000)).toBeNull();
    await expect(repos.jobs.get(u.id, big.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(store.objects.size).toBe(0);
    expect(await counters(u.id)).toMatchObject({ reserved: 0, summed: 0 });
  });

  it('a cancel that lands while a too-large file is refused leaves no FAILED job: usage counts nothing', async () => {
    const { u, p } = await owner();
    const store = memoryStore();
    // The cancel commits just after the ingest read the declared size, before it refuses the file.
    const reservations = {
      ...repos.reservations,
      find: async (id: string) => {
        const row = await repos.reservations.find(id);
        expect(await repos.reservations.cancel(u.id, id)).toBe('cancelled');
        return row;
      },
    };
    const ingest = createUploadIngest({
      users: repos.users,
      jobs: repos.jobs,
      reservations,
      store,
      workflow: { start: async () => 'started', stop: async () => undefined },
    });
    const { id, key } = await presigned(u.id, p.id, 1000);
    await store.putBytes(key, new Uint8Array(2000), 'video/mp4');
    expect(await ingest.ingest(key, 2000)).toBeNull();
    await expect(repos.jobs.get(u.id, id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await monthlyUsage(t.db, u.id, currentMonth())).jobs).toEqual({
      completed: 0,
      failed: 0,
      cancelled: 0,
    });
    expect(store.objects.size).toBe(0);
    expect(await counters(u.id)).toMatchObject({ reserved: 0, summed: 0 });
  });

  it('a cancel that commits just as the refusal records its FAILED job still leaves no job', async () => {
    const { u, p } = await owner();
    const store = memoryStore();
    let asked = 0;
    // The cancel commits right after the refusal asked (the ingest asks first, the refusal second).
    const reservations = {
      ...repos.reservations,
      wasCancelled: async (id: string) => {
        const answer = await repos.reservations.wasCancelled(id);
        asked += 1;
        if (asked === 2) expect(await repos.reservations.cancel(u.id, id)).toBe('cancelled');
        return answer;
      },
    };
    const ingest = createUploadIngest({
      users: repos.users,
      jobs: repos.jobs,
      reservations,
      store,
      workflow: { start: async () => 'started', stop: async () => undefined },
    });
    const { id, key } = await presigned(u.id, p.id, 1000);
    await store.putBytes(key, new Uint8Array(2000), 'video/mp4');
    await ingest.ingest(key, 2000);
    expect(asked).toBe(2);
    await expect(repos.jobs.get(u.id, id)).rejects.toBeInstanceOf(NotFoundError);
    expect(store.objects.size).toBe(0);
    expect(await counters(u.id)).toMatchObject({ reserved: 0, summed: 0 });
  });

  it("lists a project's uploads in progress: awaited and arrived, not cancelled nor lapsed nor another project's", async () => {
    const { u, p } = await owner();
    const { store, ingest } = harness();
    const other = await repos.projects.create(u.id, { title: 'other' });
    const awaited = await presigned(u.id, p.id, 1000);
    const arrived = await presigned(u.id, p.id, 2000);
    const cancelled = await presigned(u.id, p.id, 3000);
    const lapsedOne = await presigned(u.id, p.id, 4000);
    await presigned(u.id, other.id, 5000);
    await store.putBytes(arrived.key, new Uint8Array(2000), 'video/mp4');
    await ingest.ingest(arrived.key, 2000);
    await repos.reservations.cancel(u.id, cancelled.id);
    await t.db.execute(
      sql`UPDATE upload_reservations SET expires_at = now() - interval '1 second' WHERE id = ${lapsedOne.id}::uuid`,
    );
    const page = await repos.reservations.listInProgress(u.id, p.id);
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((r) => [r.id, r.bytes, r.arrivedAt !== null]).sort()).toEqual(
      [
        [awaited.id, 1000, false],
        [arrived.id, 2000, true],
      ].sort(),
    );
    // Page by page, newest first.
    const first = await repos.reservations.listInProgress(u.id, p.id, { limit: 1 });
    const second = await repos.reservations.listInProgress(u.id, p.id, {
      limit: 1,
      cursor: first.nextCursor,
    });
    expect([...first.items, ...second.items].map((r) => r.id)).toEqual(page.items.map((r) => r.id));
    expect(second.nextCursor).toBeNull();
    const { u: stranger } = await owner();
    await expect(repos.reservations.listInProgress(stranger.id, p.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a cancel racing the arrival of the file: exactly one of them wins, every time', async () => {
    for (let round = 0; round < 30; round += 1) {
      const { u, p } = await owner();
      const { store, started, ingest } = harness();
      const { id, key } = await presigned(u.id, p.id, 1000);
      await store.putBytes(key, new Uint8Array(1000), 'video/mp4');
      // The cancel starts after a varying number of turns of the event loop, or a pause of up to 9 ms, so
      // it meets the ingest at different statements; either outcome is correct, both are checked.
      const cancel = (async () => {
        if (round < 10) for (let i = 0; i < round; i += 1) await new Promise((r) => setImmediate(r));
        else await new Promise((r) => setTimeout(r, Math.floor((round - 10) / 2)));
        return repos.reservations.cancel(u.id, id);
      })();
      const [cancelled, ingested] = await Promise.all([cancel, ingest.ingest(key, 1000)]);
      const job = await repos.jobs.get(u.id, id).catch(() => null);
      if (cancelled === 'cancelled') {
        expect(ingested, `round ${round}`).toBeNull();
        expect(job).toBeNull();
        expect(started).toEqual([]);
        expect(store.objects.size).toBe(0);
        expect(await counters(u.id)).toMatchObject({ reserved: 0, summed: 0 });
      } else {
        expect(cancelled, `round ${round}`).toBe('arrived');
        expect(ingested).toBe(id);
        expect(job).toMatchObject({ status: 'QUEUED', admitted: true });
        expect(store.objects.has(key)).toBe(true);
        expect(await counters(u.id)).toMatchObject({ reserved: 1000, summed: 1000 });
      }
    }
  });

  it("a job's end admits waiting uploads up to the owner's tier limit without reading its user row first", async () => {
    const { u, p } = await owner();
    await t.db.execute(sql`UPDATE users SET subscription_tier = 'BASIC' WHERE id = ${u.id}::uuid`);
    for (let i = 0; i < 6; i += 1) {
      await repos.jobs.create({
        id: randomUUID(),
        userId: u.id,
        projectId: p.id,
        jobType: 'TRANSCODE',
        prompt: `Upload ${i}.mp4`,
        parameters: { upload: { key: `uploads/x/${i}.mp4`, fileName: `${i}.mp4`, size: 10 } },
        concurrentLimit: 0,
        whenFull: 'wait',
      });
    }
    let userReads = 0;
    const ingest = createUploadIngest({
      users: new Proxy(repos.users, {
        get: (target, name: keyof typeof repos.users) => {
          if (name === 'getById') userReads += 1;
          return target[name];
        },
      }),
      jobs: repos.jobs,
      reservations: repos.reservations,
      store: memoryStore(),
      workflow: { start: async () => 'started', stop: async () => undefined },
    });
    // BASIC runs 4 jobs at once.
    expect(await ingest.startWaiting(u.id)).toHaveLength(4);
    expect(await counters(u.id)).toMatchObject({ active: 4, counted: 4 });
    expect(userReads).toBe(0);
    // An owner that is gone has nothing to admit.
    expect(await ingest.startWaiting(randomUUID())).toEqual([]);
  });

  it('uploads wait for a slot and start when one frees; never more admitted than the limit', async () => {
    const { u, p } = await owner();
    const { store, started, ingest } = harness();
    const uploads = await Promise.all(Array.from({ length: 6 }, () => presigned(u.id, p.id, 1000)));
    for (const up of uploads) await store.putBytes(up.key, new Uint8Array(1000), 'video/mp4');
    await Promise.all(uploads.map((up) => ingest.ingest(up.key, 1000)));
    expect(started.length).toBe(2);
    expect(await counters(u.id)).toMatchObject({ active: 2, counted: 2 });
    const list = async () => (await repos.jobs.list(u.id, p.id)).items;
    expect((await list()).filter((j) => j.status === 'QUEUED').length).toBe(6);
    // A repeated event for a waiting upload does not start it.
    const waiting = uploads.find((up) => !started.some((s) => s.jobId === up.id))!;
    await ingest.ingest(waiting.key, 1000);
    expect(started.length).toBe(2);
    // Every ending path frees the slot, and the next waiting upload takes it.
    await repos.jobs.markFailed(started[0]!.jobId, 'x');
    expect(await ingest.startWaiting(u.id)).toHaveLength(1);
    await repos.jobs.cancel(u.id, started[1]!.jobId);
    expect(await ingest.startWaiting(u.id)).toHaveLength(1);
    await repos.jobs.markProcessing(started[2]!.jobId);
    await repos.clips.register({
      id: started[2]!.jobId,
      jobId: started[2]!.jobId,
      userId: u.id,
      projectId: p.id,
      title: 'c',
      duration: 1,
      fileUrl: 'k',
      fileSize: 10,
      resolution: '1280x720',
      format: 'mp4',
    });
    expect(await ingest.startWaiting(u.id)).toHaveLength(1);
    expect(await ingest.startWaiting(u.id)).toHaveLength(0);
    expect(started.length).toBe(5);
    expect(await counters(u.id)).toMatchObject({ active: 2, counted: 2 });
    // Deleting the project (a cascade) gives its jobs' slots back too.
    await repos.projects.remove(u.id, p.id);
    expect(await counters(u.id)).toMatchObject({ active: 0, counted: 0 });
  });

  if (driver.realServer)
    describe('races on a real PostgreSQL server', () => {
      it('never lets 50 parallel presigns reserve more than the quota', async () => {
        const { u, p } = await owner();
        const size = Math.floor(GiB / 20) + 1; // only 19 fit
        const results = await Promise.allSettled(
          Array.from({ length: 50 }, () => presigned(u.id, p.id, size)),
        );
        const ok = results.filter((r) => r.status === 'fulfilled').length;
        for (const r of results) {
          if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(QuotaExceededError);
        }
        expect(ok).toBe(19);
        expect(await counters(u.id)).toMatchObject({ reserved: 19 * size, summed: 19 * size });
      });

      it('keeps used + reserved within the quota while a registration converts a reservation among parallel presigns', async () => {
        for (let round = 0; round < 5; round += 1) {
          const { u, p } = await owner();
          const { store, ingest } = harness();
          const { id, key } = await presigned(u.id, p.id, 300 * MiB);
          await store.putBytes(key, new Uint8Array(10), 'video/mp4');
          await ingest.ingest(key, 10);
          await repos.jobs.markProcessing(id);
          const results = await Promise.allSettled([
            repos.clips.register({
              id,
              jobId: id,
              userId: u.id,
              projectId: p.id,
              title: 'c',
              duration: 1,
              fileUrl: 'k',
              fileSize: 400 * MiB,
              resolution: '1280x720',
              format: 'mp4',
            }),
            ...Array.from({ length: 30 }, () => presigned(u.id, p.id, 100 * MiB)),
          ]);
          for (const r of results) {
            if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(QuotaExceededError);
          }
          const c = await counters(u.id);
          expect(c.reserved).toBe(c.summed);
          const user = await repos.users.getById(u.id);
          expect(user.storageUsed + user.storageReserved).toBeLessThanOrEqual(user.storageLimit);
          const presignsOk = results.slice(1).filter((r) => r.status === 'fulfilled').length;
          const registered = results[0]!.status === 'fulfilled';
          expect(user.storageUsed).toBe(registered ? 400 * MiB : 0);
          expect(c.reserved).toBe(presignsOk * 100 * MiB + (registered ? 0 : 300 * MiB));
          // Whatever the interleaving, every byte of the quota that could be given out was given out.
          expect(GiB - user.storageUsed - user.storageReserved).toBeLessThan(100 * MiB);
        }
      });

      it('admits exactly the limit among 50 parallel uploads, and keeps the counter exact as jobs end', async () => {
        const { u, p } = await owner();
        const { store, started, ingest } = harness();
        const uploads = await Promise.all(Array.from({ length: 50 }, () => presigned(u.id, p.id, 100)));
        for (const up of uploads) await store.putBytes(up.key, new Uint8Array(100), 'video/mp4');
        await Promise.all(uploads.map((up) => ingest.ingest(up.key, 100)));
        expect(started.length).toBe(2);
        // Jobs end while new slots are claimed in parallel: never more than 2 admitted at any time.
        for (let round = 0; round < 10; round += 1) {
          const running = started.slice(-2).map((s) => s.jobId);
          await Promise.all([
            ...running.map((id) => repos.jobs.markFailed(id, 'done')),
            ...Array.from({ length: 5 }, () => ingest.startWaiting(u.id)),
          ]);
          const c = await counters(u.id);
          expect(c.active).toBe(c.counted);
          expect(c.active).toBeLessThanOrEqual(2);
          await ingest.startWaiting(u.id);
          expect((await counters(u.id)).active).toBe(2);
        }
        expect(new Set(started.map((s) => s.jobId)).size).toBe(started.length);
      });
    });
});
