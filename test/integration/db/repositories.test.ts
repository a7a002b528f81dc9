import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeCursor } from '#shared/db/pagination.ts';
import {
  ConflictError,
  InvalidCursorError,
  NotFoundError,
  QuotaExceededError,
  TooManyRequestsError,
  ValidationError,
} from '#shared/errors.ts';
import { describeEachDriver, PAUSED_CALLS } from '#test/support/db-drivers.ts';
import { newTestUser, suiteDatabase } from '#test/support/repositories.ts';

describeEachDriver('repositories on', (driver) => {
  const { t, repos } = suiteDatabase(driver);

  const newUser = () => newTestUser(repos, 'user');
  const clipInput = (userId: string, projectId: string, fileSize: number, jobId?: string) => ({
    userId,
    projectId,
    title: 'clip',
    duration: 6,
    fileUrl: `users/${userId}/projects/${projectId}/clips/${randomUUID()}/video.mp4`,
    thumbnailUrl: 'thumb.jpg',
    fileSize,
    resolution: '1280x720',
    format: 'mp4',
    ...(jobId ? { jobId } : {}),
  });

  if (driver.name.startsWith('data-api'))
    it('answers although the cluster starts paused: the first calls meet DatabaseResumingException', async () => {
      expect(t.double?.resumingErrors).toBe(0);
      const u = await newUser();
      expect(await repos.users.getById(u.id)).toMatchObject({ id: u.id });
      expect(t.double?.resumingErrors).toBe(PAUSED_CALLS);
    });

  describe('users', () => {
    it('creates FREE users with the tier storage limit and refuses duplicates by email and username', async () => {
      const u = await newUser();
      expect(u).toMatchObject({ subscriptionTier: 'FREE', storageUsed: 0, storageLimit: 1024 ** 3 });
      await expect(repos.users.create({ email: u.email, username: 'someone_else' })).rejects.toThrow(
        /email already exists/,
      );
      await expect(
        repos.users.create({ email: 'x@example.com', username: u.username }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect((await repos.users.findByEmail(u.email))?.id).toBe(u.id);
      expect(await repos.users.findByEmail('nobody@example.com')).toBeUndefined();
    });

    it('renames, changes tier, and refuses a downgrade below what is stored', async () => {
      const u = await newUser();
      const renamed = await repos.users.updateUsername(u.id, `r_${u.username}`.slice(0, 30));
      expect(renamed.username).toBe(`r_${u.username}`.slice(0, 30));
      const pro = await repos.users.changeTier(u.id, 'PRO');
      expect(pro.storageLimit).toBe(100 * 1024 ** 3);
      const p = await repos.projects.create(u.id, { title: 'big' });
      await repos.clips.register(clipInput(u.id, p.id, 2 * 1024 ** 3));
      await expect(repos.users.changeTier(u.id, 'FREE')).rejects.toBeInstanceOf(ConflictError);
      await expect(repos.users.getById(randomUUID())).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('projects', () => {
    it('creates, reads, updates, lists with filters and keyset pages, and deletes', async () => {
      const u = await newUser();
      const created = [];
      for (let i = 0; i < 5; i += 1) {
        created.push(await repos.projects.create(u.id, { title: `Holiday ${i}`, description: 'd' }));
      }
      await repos.projects.create(u.id, { title: 'Other 100%' });
      const first = created[0]!;
      expect(await repos.projects.get(u.id, first.id)).toMatchObject({ title: 'Holiday 0', status: 'DRAFT' });
      const updated = await repos.projects.update(u.id, first.id, { status: 'COMPLETED', title: 'Renamed' });
      expect(updated).toMatchObject({ status: 'COMPLETED', title: 'Renamed' });

      const page1 = await repos.projects.list(u.id, { limit: 2, q: 'holiday' });
      expect(page1.items).toHaveLength(2);
      expect(page1.nextCursor).not.toBeNull();
      const page2 = await repos.projects.list(u.id, { limit: 2, q: 'holiday', cursor: page1.nextCursor });
      expect(page2.items).toHaveLength(2);
      expect(page2.nextCursor).toBeNull();
      const seen = [...page1.items, ...page2.items].map((p) => p.title);
      expect(new Set(seen).size).toBe(4);
      expect((await repos.projects.list(u.id, { q: '100%' })).items.map((p) => p.title)).toEqual([
        'Other 100%',
      ]);
      expect((await repos.projects.list(u.id, { q: '_' })).items).toHaveLength(0);
      expect((await repos.projects.list(u.id, { status: 'COMPLETED' })).items.map((p) => p.id)).toEqual([
        first.id,
      ]);

      await repos.projects.remove(u.id, first.id);
      await expect(repos.projects.get(u.id, first.id)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('pages through a list from its unfiltered first page, newest first, and reads only the owner’s', async () => {
      const u = await newUser();
      const other = await newUser();
      const mine = [];
      for (let i = 0; i < 3; i += 1) mine.push(await repos.projects.create(u.id, { title: `Mine ${i}` }));
      const theirs = await repos.projects.create(other.id, { title: 'Theirs' });
      // Newest first, ties (creation times are kept to the millisecond) broken by id, as the keyset orders.
      const newestFirst = [...mine].sort(
        (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (b.id > a.id ? 1 : -1),
      );
      const first = await repos.projects.list(u.id, { limit: 2 });
      expect(first.items.map((p) => p.id)).toEqual(newestFirst.slice(0, 2).map((p) => p.id));
      expect(first.items[0]).toEqual(await repos.projects.get(u.id, newestFirst[0]!.id));
      const rest = await repos.projects.list(u.id, { limit: 2, cursor: first.nextCursor });
      expect(rest).toEqual({
        items: [expect.objectContaining({ id: newestFirst[2]!.id })],
        nextCursor: null,
      });
      expect((await repos.projects.list(u.id)).items).toHaveLength(3);
      expect((await repos.projects.list(randomUUID())).items).toEqual([]);
      await expect(repos.projects.get(u.id, theirs.id)).rejects.toBeInstanceOf(NotFoundError);
      const clip = await repos.clips.register(clipInput(u.id, mine[0]!.id, 10));
      expect(await repos.clips.get(u.id, clip.id)).toMatchObject({ id: clip.id, projectId: mine[0]!.id });
      await expect(repos.clips.get(other.id, clip.id)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('rejects a bad cursor and a bad limit', async () => {
      const u = await newUser();
      await expect(repos.projects.list(u.id, { cursor: 'garbage' })).rejects.toBeInstanceOf(
        InvalidCursorError,
      );
      await expect(repos.projects.list(u.id, { limit: 0 })).rejects.toBeInstanceOf(ValidationError);
      await expect(repos.projects.list(u.id, { limit: 101 })).rejects.toBeInstanceOf(ValidationError);
      expect(() => decodeCursor(Buffer.from('["x","y"]').toString('base64url'), `projects:${u.id}`)).toThrow(
        InvalidCursorError,
      );
    });

    it('deleting a project frees the storage of its clips and returns their media keys', async () => {
      const u = await newUser();
      const p = await repos.projects.create(u.id, { title: 'to delete' });
      const keep = await repos.projects.create(u.id, { title: 'keep' });
      // The quota is charged and refunded every rendition's bytes, not only the MP4's.
      await repos.clips.register({ ...clipInput(u.id, p.id, 100), storageBytes: 1000 });
      await repos.clips.register({ ...clipInput(u.id, p.id, 50), storageBytes: 500 });
      await repos.clips.register(clipInput(u.id, keep.id, 7));
      expect((await repos.users.getById(u.id)).storageUsed).toBe(1507);
      const deleted = await repos.projects.remove(u.id, p.id);
      expect(deleted.freedBytes).toBe(1500);
      expect(deleted.mediaKeys.filter((k) => k.endsWith('video.mp4'))).toHaveLength(2);
      expect((await repos.users.getById(u.id)).storageUsed).toBe(7);
      const empty = await repos.projects.create(u.id, { title: 'empty' });
      expect(await repos.projects.remove(u.id, empty.id)).toEqual({
        mediaKeys: [],
        freedBytes: 0,
        endedJobIds: [],
      });
    });
  });

  describe('ownership', () => {
    it("never lets a second user read, change or delete the first user's rows", async () => {
      const owner = await newUser();
      const intruder = await newUser();
      const p = await repos.projects.create(owner.id, { title: 'secret' });
      const clip = await repos.clips.register(clipInput(owner.id, p.id, 10));
      const job = await repos.jobs.create({
        userId: owner.id,
        projectId: p.id,
        jobType: 'GENERATE',
        prompt: 'x',
        parameters: {},
        concurrentLimit: 2,
      });
      const tpl = await repos.templates.create(owner.id, { name: 'mine', category: 'general', prompt: 'p' });

      const attempts: (() => Promise<unknown>)[] = [
        () => repos.projects.get(intruder.id, p.id),
        () => repos.projects.update(intruder.id, p.id, { title: 'pwned' }),
        () => repos.projects.remove(intruder.id, p.id),
        () => repos.clips.get(intruder.id, clip.id),
        () => repos.clips.update(intruder.id, clip.id, { title: 'pwned' }),
        () => repos.clips.remove(intruder.id, clip.id),
        () => repos.clips.listByProject(intruder.id, p.id),
        () => repos.clips.register(clipInput(intruder.id, p.id, 1)),
        () => repos.jobs.get(intruder.id, job.id),
        () => repos.jobs.cancel(intruder.id, job.id),
        () =>
          repos.jobs.create({
            userId: intruder.id,
            projectId: p.id,
            jobType: 'GENERATE',
            prompt: 'x',
            parameters: {},
            concurrentLimit: 2,
          }),
        () => repos.templates.get(intruder.id, tpl.id),
        () => repos.templates.update(intruder.id, tpl.id, { name: 'pwned' }),
        () => repos.templates.remove(intruder.id, tpl.id),
        () => repos.templates.recordUse(intruder.id, tpl.id),
      ];
      for (const attempt of attempts) await expect(attempt()).rejects.toBeInstanceOf(NotFoundError);
      await expect(repos.jobs.list(intruder.id, p.id)).rejects.toBeInstanceOf(NotFoundError);

      expect(await repos.projects.get(owner.id, p.id)).toMatchObject({ title: 'secret' });
      expect(await repos.clips.get(owner.id, clip.id)).toMatchObject({ title: 'clip' });
      expect(await repos.jobs.get(owner.id, job.id)).toMatchObject({ status: 'QUEUED' });
      expect(await repos.templates.get(owner.id, tpl.id)).toMatchObject({ name: 'mine', usageCount: 0 });
      expect((await repos.users.getById(owner.id)).storageUsed).toBe(10);
      expect((await repos.users.getById(intruder.id)).storageUsed).toBe(0);
    });
  });

  describe('clips', () => {
    it('keeps the MP4 bytes apart from the charged bytes, and system facts apart from user metadata', async () => {
      const u = await newUser();
      const p = await repos.projects.create(u.id, { title: 'sizes' });
      const clip = await repos.clips.register({
        ...clipInput(u.id, p.id, 300),
        storageBytes: 1200,
        metadata: { mine: 1 },
        system: { jobType: 'GENERATE', hasHls: true, hasPoster: true, hasAudio: false },
      });
      expect(clip).toMatchObject({ fileSize: 300, storageBytes: 1200, metadata: { mine: 1 } });
      expect((await repos.users.getById(u.id)).storageUsed).toBe(1200);
      // A patch carrying system-looking keys changes the user's metadata only.
      const patched = await repos.clips.update(u.id, clip.id, {
        metadata: { hlsPlaylist: 'users/x/hls/index.m3u8', hasAudio: true },
        ...({ system: { hasAudio: true }, storageBytes: 0, fileUrl: 'elsewhere' } as object),
      });
      expect(patched.system).toEqual({ jobType: 'GENERATE', hasHls: true, hasPoster: true, hasAudio: false });
      expect(patched).toMatchObject({ storageBytes: 1200, fileUrl: clip.fileUrl });
      expect((await repos.clips.remove(u.id, clip.id)).freedBytes).toBe(1200);
      expect((await repos.users.getById(u.id)).storageUsed).toBe(0);
    });

    it('registers within quota, refuses beyond it, lists, updates and deletes with refunds', async () => {
      const u = await newUser();
      const p = await repos.projects.create(u.id, { title: 'clips' });
      const limit = 1024 ** 3;
      const big = await repos.clips.register(clipInput(u.id, p.id, limit - 100));
      await expect(repos.clips.register(clipInput(u.id, p.id, 101))).rejects.toBeInstanceOf(
        QuotaExceededError,
      );
      const exact = await repos.clips.register(clipInput(u.id, p.id, 100));
      expect((await repos.users.getById(u.id)).storageUsed).toBe(limit);

      const listed = await repos.clips.listByProject(u.id, p.id, { limit: 1 });
      expect(listed.items.map((c) => c.id)).toEqual([exact.id]);
      const rest = await repos.clips.listByProject(u.id, p.id, { limit: 1, cursor: listed.nextCursor });
      expect(rest.items.map((c) => c.id)).toEqual([big.id]);
      expect(rest.nextCursor).toBeNull();

      expect((await repos.clips.update(u.id, big.id, { title: 'renamed' })).title).toBe('renamed');
      const removed = await repos.clips.remove(u.id, big.id);
      expect(removed.freedBytes).toBe(limit - 100);
      expect(removed.projectId).toBe(p.id);
      expect((await repos.users.getById(u.id)).storageUsed).toBe(100);
      await expect(repos.clips.register({ ...clipInput(u.id, p.id, 1), duration: 0 })).rejects.toBeInstanceOf(
        ValidationError,
      );
      const empty = await repos.projects.create(u.id, { title: 'empty' });
      expect(await repos.clips.listByProject(u.id, empty.id)).toEqual({ items: [], nextCursor: null });
    });
  });

  describe('jobs', () => {
    it('creates QUEUED jobs with ordered sources, enforces the concurrent limit and moves only legally', async () => {
      const u = await newUser();
      const p = await repos.projects.create(u.id, { title: 'jobs' });
      const c1 = await repos.clips.register(clipInput(u.id, p.id, 1));
      const c2 = await repos.clips.register(clipInput(u.id, p.id, 1));
      const base = {
        userId: u.id,
        projectId: p.id,
        prompt: 'a cat',
        parameters: { model: 'local' },
        concurrentLimit: 2,
      };
      const edit = await repos.jobs.create({ ...base, jobType: 'EDIT', sourceClipIds: [c2.id, c1.id] });
      expect(edit).toMatchObject({ status: 'QUEUED', progress: 0, sourceClipIds: [c2.id, c1.id] });
      await expect(
        repos.jobs.create({ ...base, jobType: 'EDIT', sourceClipIds: [c1.id, randomUUID()] }),
      ).rejects.toBeInstanceOf(NotFoundError);
      const gen = await repos.jobs.create({ ...base, jobType: 'GENERATE' });
      await expect(repos.jobs.create({ ...base, jobType: 'GENERATE' })).rejects.toBeInstanceOf(
        TooManyRequestsError,
      );

      await expect(repos.jobs.markFailed(gen.id, 'boom')).resolves.toMatchObject({ status: 'FAILED' });
      expect(await repos.jobs.markFailed(gen.id, 'again')).toBeUndefined();
      await expect(repos.jobs.markProcessing(gen.id)).rejects.toBeInstanceOf(ConflictError);

      const running = await repos.jobs.markProcessing(edit.id);
      expect(running.startedAt).toBeInstanceOf(Date);
      await repos.jobs.reportProgress(edit.id, 40);
      await repos.jobs.reportProgress(edit.id, 20);
      await repos.jobs.reportProgress(edit.id, 250);
      expect((await repos.jobs.get(u.id, edit.id)).progress).toBe(100);

      const clip = await repos.clips.register(clipInput(u.id, p.id, 5, edit.id));
      const done = await repos.jobs.get(u.id, edit.id);
      expect(done).toMatchObject({ status: 'COMPLETED', clipId: clip.id, progress: 100 });
      await expect(repos.clips.register(clipInput(u.id, p.id, 5, edit.id))).rejects.toBeInstanceOf(
        ConflictError,
      );
      expect((await repos.users.getById(u.id)).storageUsed).toBe(7);
      await expect(repos.jobs.cancel(u.id, edit.id)).rejects.toBeInstanceOf(ConflictError);

      const filtered = await repos.jobs.list(u.id, p.id, { status: 'FAILED' });
      expect(filtered.items.map((j) => j.id)).toEqual([gen.id]);
      expect((await repos.jobs.list(u.id, p.id, { jobType: 'EDIT' })).items.map((j) => j.id)).toEqual([
        edit.id,
      ]);
      expect((await repos.jobs.getForPipeline(edit.id)).userId).toBe(u.id);
    });

    it('cancels active jobs and lists active jobs for recovery', async () => {
      const u = await newUser();
      const p = await repos.projects.create(u.id, { title: 'cancel' });
      const job = await repos.jobs.create({
        userId: u.id,
        projectId: p.id,
        jobType: 'GENERATE',
        prompt: 'x',
        parameters: {},
        concurrentLimit: 5,
      });
      expect((await repos.jobs.listActive()).map((j) => j.id)).toContain(job.id);
      const cancelled = await repos.jobs.cancel(u.id, job.id);
      expect(cancelled).toMatchObject({ status: 'FAILED', errorMessage: 'Cancelled by user.' });
      expect((await repos.jobs.listActive()).map((j) => j.id)).not.toContain(job.id);
    });

    it('returns from create, cancel and markFailed the job exactly as a read of it gives it', async () => {
      const u = await newUser();
      const p = await repos.projects.create(u.id, { title: 'as read' });
      const c1 = await repos.clips.register(clipInput(u.id, p.id, 1));
      const c2 = await repos.clips.register(clipInput(u.id, p.id, 1));
      const base = { userId: u.id, projectId: p.id, prompt: 'a cat', concurrentLimit: 5 } as const;
      const edit = await repos.jobs.create({
        ...base,
        jobType: 'EDIT',
        parameters: { clips: [{ clipId: c2.id }, { clipId: c1.id, start: 2 }], note: 'ü "quoted"' },
        sourceClipIds: [c2.id, c1.id],
      });
      expect(edit.createdAt).toBeInstanceOf(Date);
      expect(edit).toEqual(await repos.jobs.get(u.id, edit.id));
      await repos.jobs.markProcessing(edit.id);
      await repos.jobs.reportProgress(edit.id, 30);
      const cancelled = await repos.jobs.cancel(u.id, edit.id);
      expect(cancelled).toMatchObject({ status: 'FAILED', progress: 30, sourceClipIds: [c2.id, c1.id] });
      expect(cancelled.completedAt).toBeInstanceOf(Date);
      expect(cancelled).toEqual(await repos.jobs.get(u.id, edit.id));
      const gen = await repos.jobs.create({ ...base, jobType: 'GENERATE', parameters: { model: 'local' } });
      expect(gen).toEqual(await repos.jobs.get(u.id, gen.id));
      const failed = await repos.jobs.markFailed(gen.id, 'boom');
      expect(failed).toEqual(await repos.jobs.getForPipeline(gen.id));
    });
  });

  describe('templates', () => {
    it('shows public templates to all and private ones only to their creator', async () => {
      const a = await newUser();
      const b = await newUser();
      const pub = await repos.templates.create(a.id, {
        name: 'Sunset',
        category: 'nature',
        prompt: 'a {{place}} at dusk',
        isPublic: true,
      });
      const priv = await repos.templates.create(a.id, { name: 'Private', category: 'travel', prompt: 'p' });
      await expect(
        repos.templates.create(a.id, { name: 'Sunset', category: 'general', prompt: 'p' }),
      ).rejects.toThrow(/already have a template/);
      const bSame = await repos.templates.create(b.id, { name: 'Sunset', category: 'general', prompt: 'p' });
      expect(bSame.name).toBe('Sunset');

      expect((await repos.templates.get(b.id, pub.id)).id).toBe(pub.id);
      await expect(repos.templates.get(b.id, priv.id)).rejects.toBeInstanceOf(NotFoundError);
      const bList = (await repos.templates.list(b.id, { limit: 100 })).items.map((x) => x.id);
      expect(bList).toContain(pub.id);
      expect(bList).toContain(bSame.id);
      expect(bList).not.toContain(priv.id);
      const nature = (await repos.templates.list(b.id, { category: 'nature', limit: 100 })).items;
      expect(nature.every((x) => x.category === 'nature')).toBe(true);
      const publicOnly = (await repos.templates.list(null, { limit: 100 })).items;
      expect(publicOnly.every((x) => x.isPublic)).toBe(true);

      await expect(repos.templates.update(b.id, pub.id, { name: 'stolen' })).rejects.toBeInstanceOf(
        NotFoundError,
      );
      expect((await repos.templates.update(a.id, priv.id, { isPublic: true })).isPublic).toBe(true);
      expect((await repos.templates.recordUse(b.id, pub.id)).usageCount).toBe(1);
      await repos.templates.remove(a.id, priv.id);
      await expect(repos.templates.get(a.id, priv.id)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('takes names that differ only by case as the same name, for creations and renames', async () => {
      const a = await newUser();
      const b = await newUser();
      const intro = await repos.templates.create(a.id, { name: 'Intro', category: 'general', prompt: 'p' });
      const outro = await repos.templates.create(a.id, { name: 'Outro', category: 'general', prompt: 'p' });
      for (const name of ['intro', 'INTRO', 'iNtRo']) {
        const refused = repos.templates.create(a.id, { name, category: 'general', prompt: 'p' });
        await expect(refused).rejects.toBeInstanceOf(ConflictError);
        await expect(refused).rejects.toThrow(
          'You already have a template with this name; names that differ only in case are the same name.',
        );
      }
      await expect(repos.templates.update(a.id, outro.id, { name: 'iNTRO' })).rejects.toBeInstanceOf(
        ConflictError,
      );
      // Not ASCII alone: accented and Greek capitals too.
      await repos.templates.create(a.id, { name: 'École Σ', category: 'general', prompt: 'p' });
      await expect(
        repos.templates.create(a.id, { name: 'ÉCOLE σ', category: 'general', prompt: 'p' }),
      ).rejects.toBeInstanceOf(ConflictError);
      // A template may change the case of its own name, and another user may take any case of it.
      expect((await repos.templates.update(a.id, intro.id, { name: 'INTRO' })).name).toBe('INTRO');
      expect(
        (await repos.templates.create(b.id, { name: 'intro', category: 'general', prompt: 'p' })).name,
      ).toBe('intro');
    });

    it('counts a template use when a job made from it completes, not when it is submitted or fails', async () => {
      const u = await newUser();
      const p = await repos.projects.create(u.id, { title: 'tpl' });
      const tpl = await repos.templates.create(u.id, { name: 'T', category: 'general', prompt: 'p' });
      const base = {
        userId: u.id,
        projectId: p.id,
        jobType: 'GENERATE' as const,
        prompt: 'x',
        parameters: {},
      };
      const job = await repos.jobs.create({ ...base, templateId: tpl.id, concurrentLimit: 1 });
      expect(job.templateId).toBe(tpl.id);
      await expect(
        repos.jobs.create({ ...base, templateId: tpl.id, concurrentLimit: 1 }),
      ).rejects.toBeInstanceOf(TooManyRequestsError);
      expect((await repos.templates.get(u.id, tpl.id)).usageCount).toBe(0);
      // Submit and cancel: no use.
      await repos.jobs.cancel(u.id, job.id);
      expect((await repos.templates.get(u.id, tpl.id)).usageCount).toBe(0);
      // Submit and complete: one use, counted by the statement that registers the clip.
      const done = await repos.jobs.create({ ...base, templateId: tpl.id, concurrentLimit: 1 });
      await repos.jobs.markProcessing(done.id);
      await repos.clips.register(clipInput(u.id, p.id, 10, done.id));
      expect((await repos.templates.get(u.id, tpl.id)).usageCount).toBe(1);
      await expect(
        repos.jobs.create({ ...base, templateId: randomUUID(), concurrentLimit: 5 }),
      ).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  // Concurrency properties only mean something with real connections (PGlite has one).
  if (driver.realServer)
    describe('concurrency on a real PostgreSQL server', () => {
      it('never lets 50 parallel clip registrations exceed the quota', async () => {
        const u = await newUser();
        const p = await repos.projects.create(u.id, { title: 'race' });
        const size = Math.floor(1024 ** 3 / 20) + 1; // only 19 fit
        const results = await Promise.allSettled(
          Array.from({ length: 50 }, () => repos.clips.register(clipInput(u.id, p.id, size))),
        );
        const ok = results.filter((r) => r.status === 'fulfilled').length;
        expect(ok).toBe(19);
        for (const r of results) {
          if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(QuotaExceededError);
        }
        const user = await repos.users.getById(u.id);
        expect(user.storageUsed).toBe(ok * size);
        expect(user.storageUsed).toBeLessThanOrEqual(user.storageLimit);
      });

      it('counts exactly 50 parallel uses of one template', async () => {
        const u = await newUser();
        const tpl = await repos.templates.create(u.id, {
          name: 'popular',
          category: 'general',
          prompt: 'p',
          isPublic: true,
        });
        const users = await Promise.all(Array.from({ length: 5 }, () => newUser()));
        const projects = await Promise.all(users.map((x) => repos.projects.create(x.id, { title: 'uses' })));
        const jobs = [];
        for (let i = 0; i < 50; i += 1) {
          const job = await repos.jobs.create({
            userId: users[i % 5]!.id,
            projectId: projects[i % 5]!.id,
            jobType: 'GENERATE',
            prompt: 'x',
            parameters: {},
            templateId: tpl.id,
            concurrentLimit: 100,
          });
          await repos.jobs.markProcessing(job.id);
          jobs.push(job);
        }
        expect((await repos.templates.get(u.id, tpl.id)).usageCount).toBe(0);
        // A use counts when its job completes: 50 completions in parallel.
        await Promise.all(
          jobs.map((job, i) =>
            repos.clips.register(clipInput(users[i % 5]!.id, projects[i % 5]!.id, 10, job.id)),
          ),
        );
        expect((await repos.templates.get(u.id, tpl.id)).usageCount).toBe(50);
      });
    });
});
