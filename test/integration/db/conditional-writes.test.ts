/**
 * Writes conditioned on a row version (If-Match): a version read before another writer changed the row no
 * longer holds, so the write is refused with 412 and changes nothing; the version read last still holds.
 * Every writer counts, including those that leave updated_at alone (a template's use count, a user's stored
 * bytes).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NotFoundError, PreconditionFailedError } from '#shared/errors.ts';
import type { NewJob } from '#shared/jobs/repository.ts';
import { describeEachDriver } from '#test/support/db-drivers.ts';
import { newOwner, newTestUser, suiteDatabase } from '#test/support/repositories.ts';

describeEachDriver('writes conditioned on a row version on', (driver) => {
  const { repos } = suiteDatabase(driver);

  const clipOf = (userId: string, projectId: string) =>
    repos.clips.register({
      userId,
      projectId,
      title: 'clip',
      duration: 6,
      fileUrl: `users/${userId}/projects/${projectId}/clips/${randomUUID()}/video.mp4`,
      fileSize: 100,
      resolution: '1280x720',
      format: 'mp4',
    });

  describe('projects', () => {
    it('updates at the version read, and refuses a version another write replaced', async () => {
      const { user, project } = await newOwner(repos, 'cwp');
      const read = await repos.projects.getVersioned(user.id, project.id);
      expect(read.row).toEqual(project);
      // Someone else's write between the read and ours: the version read no longer holds.
      await repos.projects.update(user.id, project.id, { title: 'theirs' });
      await expect(
        repos.projects.update(user.id, project.id, { title: 'mine' }, read.version),
      ).rejects.toBeInstanceOf(PreconditionFailedError);
      expect((await repos.projects.get(user.id, project.id)).title).toBe('theirs');
      const again = await repos.projects.getVersioned(user.id, project.id);
      expect(again.version).not.toBe(read.version);
      const mine = await repos.projects.update(user.id, project.id, { title: 'mine' }, again.version);
      expect(mine.title).toBe('mine');
      // Its own write moved the version on too.
      await expect(
        repos.projects.update(user.id, project.id, { title: 'twice' }, again.version),
      ).rejects.toBeInstanceOf(PreconditionFailedError);
    });

    it('deletes at the version read; a stale one ends no job and deletes nothing', async () => {
      const { user, project } = await newOwner(repos, 'cwd');
      const clip = await clipOf(user.id, project.id);
      const job: NewJob = {
        userId: user.id,
        projectId: project.id,
        jobType: 'GENERATE',
        prompt: 'a fox',
        parameters: { model: 'local', durationSeconds: 6 },
        concurrentLimit: 10,
      };
      const queued = await repos.jobs.create(job);
      const stale = await repos.projects.getVersioned(user.id, project.id);
      await repos.projects.update(user.id, project.id, { description: 'changed' });
      await expect(repos.projects.remove(user.id, project.id, stale.version)).rejects.toBeInstanceOf(
        PreconditionFailedError,
      );
      expect((await repos.jobs.get(user.id, queued.id)).status).toBe('QUEUED');
      expect((await repos.clips.get(user.id, clip.id)).id).toBe(clip.id);
      expect((await repos.users.getById(user.id)).storageUsed).toBe(100);

      const current = await repos.projects.getVersioned(user.id, project.id);
      const deleted = await repos.projects.remove(user.id, project.id, current.version);
      expect(deleted.endedJobIds).toEqual([queued.id]);
      expect(deleted.freedBytes).toBe(100);
      await expect(repos.projects.get(user.id, project.id)).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('clips', () => {
    it('updates and deletes only at the version read', async () => {
      const { user, project } = await newOwner(repos, 'cwc');
      const clip = await clipOf(user.id, project.id);
      const read = await repos.clips.getVersioned(user.id, clip.id);
      expect(read.row).toEqual(clip);
      await repos.clips.update(user.id, clip.id, { metadata: { by: 'them' } });
      await expect(
        repos.clips.update(user.id, clip.id, { title: 'mine' }, read.version),
      ).rejects.toBeInstanceOf(PreconditionFailedError);
      await expect(repos.clips.remove(user.id, clip.id, read.version)).rejects.toBeInstanceOf(
        PreconditionFailedError,
      );
      expect(await repos.clips.get(user.id, clip.id)).toMatchObject({
        title: 'clip',
        metadata: { by: 'them' },
      });
      expect((await repos.users.getById(user.id)).storageUsed).toBe(100);

      const current = await repos.clips.getVersioned(user.id, clip.id);
      expect((await repos.clips.update(user.id, clip.id, { title: 'mine' }, current.version)).title).toBe(
        'mine',
      );
      const latest = await repos.clips.getVersioned(user.id, clip.id);
      expect((await repos.clips.remove(user.id, clip.id, latest.version)).freedBytes).toBe(100);
      expect((await repos.users.getById(user.id)).storageUsed).toBe(0);
    });
  });

  describe('templates', () => {
    it('counts a use as a change, and reads only the caller’s own for a conditional write', async () => {
      const owner = await newTestUser(repos, 'cwt');
      const other = await newTestUser(repos, 'cwt');
      const template = await repos.templates.create(owner.id, {
        name: 'Dusk',
        category: 'general',
        prompt: 'p',
        isPublic: true,
      });
      await expect(repos.templates.getVersioned(other.id, template.id)).rejects.toBeInstanceOf(NotFoundError);
      const read = await repos.templates.getVersioned(owner.id, template.id);
      // A job made from it counts a use: the usage count (in its ETag) changes, updated_at does not.
      await repos.templates.recordUse(other.id, template.id);
      await expect(
        repos.templates.update(owner.id, template.id, { name: 'Night' }, read.version),
      ).rejects.toBeInstanceOf(PreconditionFailedError);
      await expect(repos.templates.remove(owner.id, template.id, read.version)).rejects.toBeInstanceOf(
        PreconditionFailedError,
      );
      expect(await repos.templates.get(owner.id, template.id)).toMatchObject({ name: 'Dusk', usageCount: 1 });

      const current = await repos.templates.getVersioned(owner.id, template.id);
      expect(
        (await repos.templates.update(owner.id, template.id, { name: 'Night' }, current.version)).name,
      ).toBe('Night');
      const latest = await repos.templates.getVersioned(owner.id, template.id);
      await repos.templates.remove(owner.id, template.id, latest.version);
      await expect(repos.templates.get(owner.id, template.id)).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('users', () => {
    it('counts a change of stored bytes as a change of the account', async () => {
      const { user, project } = await newOwner(repos, 'cwu');
      const read = await repos.users.getVersionedById(user.id);
      expect(read.row).toEqual(await repos.users.getById(user.id));
      await clipOf(user.id, project.id);
      await expect(
        repos.users.updateUsername(user.id, `${user.username}_x`, read.version),
      ).rejects.toBeInstanceOf(PreconditionFailedError);
      expect((await repos.users.getById(user.id)).username).toBe(user.username);
      const current = await repos.users.getVersionedById(user.id);
      expect(
        (await repos.users.updateUsername(user.id, `${user.username}_x`, current.version)).username,
      ).toBe(`${user.username}_x`);
    });
  });
});
