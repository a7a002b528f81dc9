import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { writeAccountExport } from '#shared/account/export-writer.ts';
import {
  ABANDONED_EXPORT,
  EXPORT_WRITE_LIMIT_MINUTES,
  exportStatus,
  MAX_EXPORTS_PER_DAY,
} from '#shared/account/exports.ts';
import { ownedRowQueries, readOwnedRows, tablesWithUserId } from '#shared/account/owned-rows.ts';
import { newApiKey } from '#shared/api-keys/secret.ts';
import { rawRows } from '#shared/db/sql.ts';
import { ConflictError, TooManyRequestsError } from '#shared/errors.ts';
import type { ObjectStore } from '#shared/storage/port.ts';
import { currentMonth, monthlyUsage } from '#shared/usage/usage.ts';
import { describeEachDriver } from '#test/support/db-drivers.ts';
import { dirStore } from '#test/support/dir-store.ts';
import { newOwner, suiteDatabase } from '#test/support/repositories.ts';

describeEachDriver('account data on', (driver) => {
  const { t, repos } = suiteDatabase(driver);

  /** A user with a project, a completed GENERATE job and its clip, a cancelled job, a template, a key. */
  async function populatedUser() {
    const { jobs } = repos;
    const { user, project } = await newOwner(repos, 'acct', 'p');
    const job = await jobs.create({
      userId: user.id,
      projectId: project.id,
      jobType: 'GENERATE',
      prompt: 'x',
      parameters: { model: 'luma-ray2', durationSeconds: 5 },
      concurrentLimit: 5,
    });
    await jobs.markProcessing(job.id);
    const clip = await repos.clips.register({
      userId: user.id,
      projectId: project.id,
      jobId: job.id,
      title: 'c',
      duration: 5,
      fileUrl: `users/${user.id}/projects/${project.id}/clips/x/video.mp4`,
      fileSize: 1000,
      resolution: '1280x720',
      format: 'mp4',
    });
    const cancelled = await jobs.create({
      userId: user.id,
      projectId: project.id,
      jobType: 'EDIT',
      prompt: 'y',
      parameters: {},
      sourceClipIds: [clip.id],
      concurrentLimit: 5,
    });
    await jobs.cancel(user.id, cancelled.id);
    await repos.templates.create(user.id, {
      name: 'pub',
      category: 'general',
      prompt: 'p',
      isPublic: true,
    });
    const secret = newApiKey();
    const key = await repos.apiKeys.create(user.id, {
      name: 'k',
      scopes: ['read', 'write'],
      prefix: secret.prefix,
      hash: secret.hash,
    });
    return { user, project, clip, key, secret };
  }

  it('stores, finds, touches, lists and deletes API keys by hash only', async () => {
    const { user, key, secret } = await populatedUser();
    const keys = repos.apiKeys;
    const found = await keys.findByHash(secret.hash);
    expect(found).toMatchObject({ id: key.id, userId: user.id, scopes: ['read', 'write'], lastUsedAt: null });
    await keys.touch(key.id);
    expect((await keys.findByHash(secret.hash))?.lastUsedAt).toBeInstanceOf(Date);
    expect((await keys.list(user.id)).items.map((k) => k.id)).toEqual([key.id]);
    await keys.remove(user.id, key.id);
    expect(await keys.findByHash(secret.hash)).toBeUndefined();
  });

  it('sums the month’s usage in one grouped statement', async () => {
    const { user } = await populatedUser();
    const usage = await monthlyUsage(t.db, user.id, currentMonth());
    expect(usage.jobs).toEqual({ completed: 1, failed: 0, cancelled: 1 });
    expect(usage.generatedSeconds.byModel).toEqual({ 'luma-ray2': 5 });
    expect(usage.transcodedMinutes).toBeCloseTo(5 / 60, 4);
    expect(usage.storageBytes).toBe(1000);
    // Luma Ray2 at 720p: $1.50 a second.
    expect(usage.estimatedCostUsd.bedrock).toBeCloseTo(7.5, 6);
  });

  it('counts a job in the UTC month it ended, up to the last month PostgreSQL bounds can be written for (9999-12)', async () => {
    const { user } = await populatedUser();
    const endAt = (at: string) =>
      t.db.execute(sql`UPDATE generation_jobs SET completed_at = ${at}::timestamptz
                       WHERE user_id = ${user.id}::uuid AND status = 'COMPLETED'`);
    await endAt('2026-10-31T23:59:59.999Z');
    expect((await monthlyUsage(t.db, user.id, '2026-10')).jobs.completed).toBe(1);
    expect((await monthlyUsage(t.db, user.id, '2026-11')).jobs.completed).toBe(0);
    await endAt('2026-11-01T00:00:00.000Z');
    expect((await monthlyUsage(t.db, user.id, '2026-10')).jobs.completed).toBe(0);
    expect((await monthlyUsage(t.db, user.id, '2026-11')).jobs.completed).toBe(1);
    await endAt('9999-12-31T23:59:59.999Z');
    const last = await monthlyUsage(t.db, user.id, '9999-12');
    expect(last.month).toBe('9999-12');
    expect(last.jobs.completed).toBe(1);
  });

  it('reads every owned row of every entity without credential hashes, and one export at a time', async () => {
    const { user, project, clip } = await populatedUser();
    const queries = await ownedRowQueries(t.db, user.id);
    const rows: Record<string, Record<string, unknown>[]> = {};
    for (const [table, query] of Object.entries(queries)) rows[table] = await readOwnedRows(t.db, query);
    expect(rows.users).toEqual([expect.objectContaining({ id: user.id })]);
    expect(rows.video_projects).toEqual([expect.objectContaining({ id: project.id })]);
    expect(rows.video_clips).toEqual([expect.objectContaining({ id: clip.id })]);
    expect(rows.generation_jobs).toHaveLength(2);
    expect(rows.job_source_clips).toEqual([expect.objectContaining({ clip_id: clip.id })]);
    expect(rows.templates).toHaveLength(1);
    expect(rows.api_keys).toHaveLength(1);
    // The month the clip was registered in, with the bytes held after it.
    expect(rows.storage_months).toEqual([expect.objectContaining({ closing_bytes: 1000 })]);
    expect(rows.job_usage).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ outcome: 'completed', seconds: 5 }),
        expect.objectContaining({ outcome: 'cancelled', seconds: 0 }),
      ]),
    );
    expect(JSON.stringify(rows)).not.toMatch(/key_hash|password_hash/);

    const exportsRepo = repos.exports;
    const first = await exportsRepo.create(user.id);
    await expect(exportsRepo.create(user.id)).rejects.toBeInstanceOf(ConflictError);
    await exportsRepo.complete(first.id, `exports/${user.id}/${first.id}.zip`, 10);
    expect((await exportsRepo.get(user.id, first.id)).status).toBe('COMPLETED');
  });

  it('starts one export of many asked for at once (a double submit gives one PENDING export)', async () => {
    const { user } = await populatedUser();
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => repos.exports.create(user.id)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
    }
    const [pending] = await rawRows<{ n: number }>(
      t.db,
      sql`SELECT count(*)::int AS n FROM account_exports WHERE user_id = ${user.id}::uuid AND status = 'PENDING'`,
    );
    expect(pending?.n).toBe(1);
  });

  it('starts at most MAX_EXPORTS_PER_DAY exports a day, then 429 until the oldest of them is a day old', async () => {
    const { user } = await populatedUser();
    const started: string[] = [];
    for (let i = 0; i < MAX_EXPORTS_PER_DAY; i += 1) {
      const row = await repos.exports.create(user.id);
      started.push(row.id);
      await repos.exports.complete(row.id, `exports/${user.id}/${row.id}.zip`, 10);
    }
    const refused = await repos.exports.create(user.id).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TooManyRequestsError);
    expect((refused as TooManyRequestsError).message).toContain(
      `You already started ${MAX_EXPORTS_PER_DAY} exports in the last 24 hours`,
    );
    // The first was started just now: about a day to wait.
    expect((refused as TooManyRequestsError).retryAfterSeconds).toBeGreaterThan(23 * 3600);
    await t.db.execute(
      sql`UPDATE account_exports SET created_at = now() - interval '25 hours' WHERE id = ${started[0]}::uuid`,
    );
    expect((await repos.exports.create(user.id)).status).toBe('PENDING');
  });

  it('lets a new export start once a PENDING one has outlived any worker that could still write it', async () => {
    const { user } = await populatedUser();
    const stuck = await repos.exports.create(user.id);
    await expect(repos.exports.create(user.id)).rejects.toBeInstanceOf(ConflictError);
    expect(exportStatus(await repos.exports.get(user.id, stuck.id)).status).toBe('PENDING');
    // Its worker was killed (a Lambda timeout records nothing) past the time any export may take.
    expect(EXPORT_WRITE_LIMIT_MINUTES).toBeLessThan(31);
    await t.db.execute(
      sql`UPDATE account_exports SET created_at = now() - interval '31 minutes' WHERE id = ${stuck.id}::uuid`,
    );
    expect(exportStatus(await repos.exports.get(user.id, stuck.id))).toMatchObject({
      status: 'FAILED',
      errorMessage: ABANDONED_EXPORT,
    });
    // Its event comes back late (Lambda keeps a throttled one for hours): nothing is written any more.
    const untouched = new Proxy({} as ObjectStore, {
      get: (_, name) => () => Promise.reject(new Error(`the store was used (${String(name)})`)),
    });
    await writeAccountExport({ db: t.db, store: untouched, exports: repos.exports }, user.id, stuck.id);
    const next = await repos.exports.create(user.id);
    expect(next.status).toBe('PENDING');
    expect(await repos.exports.get(user.id, stuck.id)).toMatchObject({
      status: 'FAILED',
      errorMessage: ABANDONED_EXPORT,
    });
  });

  it('removes a zip finished after the account was erased, which nothing would fetch', async () => {
    const { user } = await populatedUser();
    const started = await repos.exports.create(user.id);
    const root = await mkdtemp(path.join(tmpdir(), 'export-'));
    try {
      const bucket = dirStore(root);
      // The erasure runs while the zip is being written: it empties the folder before the zip lands.
      const store: ObjectStore = {
        ...bucket,
        async putBytes(key, body, type) {
          await t.db.execute(sql`DELETE FROM users WHERE id = ${user.id}::uuid`);
          return bucket.putBytes(key, body, type);
        },
      };
      await writeAccountExport({ db: t.db, store, exports: repos.exports }, user.id, started.id);
      expect(await bucket.list(`exports/${user.id}/`)).toEqual([]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('deletes every row that names the user, in every table with a user_id, when the users row goes', async () => {
    const { user } = await populatedUser();
    const other = await populatedUser();
    await repos.exports.create(user.id);
    const tables = await tablesWithUserId(t.db);
    expect(tables).toEqual(
      expect.arrayContaining([
        'account_exports',
        'api_keys',
        'generation_jobs',
        'job_usage',
        'storage_months',
        'video_clips',
        'video_projects',
      ]),
    );
    await t.db.execute(sql`DELETE FROM users WHERE id = ${user.id}::uuid`);
    for (const table of [...tables, 'templates']) {
      const column = table === 'templates' ? 'created_by' : 'user_id';
      const count = async (id: string) =>
        (
          await rawRows<{ n: number }>(
            t.db,
            sql`SELECT count(*)::int AS n FROM ${sql.identifier(table)} WHERE ${sql.identifier(column)} = ${id}::uuid`,
          )
        )[0]?.n;
      expect(await count(user.id), table).toBe(0);
      if (['video_projects', 'api_keys', 'templates'].includes(table))
        expect(await count(other.user.id)).toBe(1);
    }
  });
});
