import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { Profile } from '#shared/auth/port.ts';
import { UnauthorizedError } from '#shared/errors.ts';
import { createUserRowGuard, isMissingUserRow } from '#shared/users/provision.ts';
import { MissingUserRowError, type User, type UserRepository } from '#shared/users/repository.ts';

/** A driver error as node-postgres and PGlite give it (drizzle wraps it in `cause`). */
const fkViolation = (constraint: string) =>
  Object.assign(new Error('Failed query: insert into …'), {
    cause: Object.assign(new Error(`violates foreign key constraint "${constraint}"`), {
      code: '23503',
      constraint,
    }),
  });

function setup(profile: (token: string) => Promise<Profile> = async () => ({ email: 'ada@example.com' })) {
  const rows = new Map<string, User>();
  const users = {
    insertIfAbsent: vi.fn(async (input: { id: string; email: string; username: string }) => {
      const row = { ...input } as unknown as User;
      rows.set(input.id, row);
      return { row };
    }),
  } as unknown as UserRepository;
  const profileSpy = vi.fn(profile);
  return {
    rows,
    users,
    profile: profileSpy,
    guard: createUserRowGuard({ users, profile: profileSpy, currentEmail: async () => undefined }),
  };
}

describe('isMissingUserRow', () => {
  it('knows a foreign key to users, from the driver or from a Data API message, and the row read', () => {
    expect(isMissingUserRow(fkViolation('video_projects_user_id_users_id_fk'))).toBe(true);
    expect(isMissingUserRow(fkViolation('templates_created_by_users_id_fk'))).toBe(true);
    const dataApi = new Error(
      'ERROR: insert or update on table "api_keys" violates foreign key constraint "api_keys_user_id_users_id_fk"; SQLState: 23503',
    );
    expect(isMissingUserRow(dataApi)).toBe(true);
    expect(isMissingUserRow(new MissingUserRowError())).toBe(true);
  });

  it('leaves other failures alone', () => {
    expect(isMissingUserRow(fkViolation('video_clips_project_id_video_projects_id_fk'))).toBe(false);
    expect(
      isMissingUserRow(Object.assign(new Error('duplicate'), { code: '23505', constraint: 'users_id_fk' })),
    ).toBe(false);
    expect(isMissingUserRow(new Error('connection reset'))).toBe(false);
  });
});

describe('the users-row guard', () => {
  const caller = { userId: randomUUID() };

  it('costs nothing when the route needs no row or finds it', async () => {
    const { guard, profile, users } = setup();
    await expect(guard.withRow(caller, 'token', async () => 'page')).resolves.toBe('page');
    expect(profile).not.toHaveBeenCalled();
    expect(users.insertIfAbsent).not.toHaveBeenCalled();
  });

  it('creates the missing row from the profile and runs the route once more', async () => {
    const { guard, profile, rows } = setup(async () => ({ email: 'Late@Example.com', username: 'late_one' }));
    const work = vi.fn(async () => {
      if (!rows.has(caller.userId)) throw fkViolation('video_projects_user_id_users_id_fk');
      return 'created';
    });
    await expect(guard.withRow(caller, 'the-token', work)).resolves.toBe('created');
    expect(profile).toHaveBeenCalledWith('the-token');
    expect(work).toHaveBeenCalledTimes(2);
    expect(rows.get(caller.userId)).toMatchObject({ email: 'late@example.com', username: 'late_one' });
  });

  it('runs the route at most twice', async () => {
    const { guard } = setup();
    const work = vi.fn(async () => {
      throw new MissingUserRowError();
    });
    await expect(guard.withRow(caller, 't', work)).rejects.toBeInstanceOf(MissingUserRowError);
    expect(work).toHaveBeenCalledTimes(2);
  });

  it('creates nothing for an account the identity provider no longer knows', async () => {
    const { guard, users } = setup(async () => {
      throw new UnauthorizedError('gone');
    });
    const work = vi.fn(async () => {
      throw fkViolation('api_keys_user_id_users_id_fk');
    });
    await expect(guard.withRow(caller, 't', work)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(work).toHaveBeenCalledTimes(1);
    expect(users.insertIfAbsent).not.toHaveBeenCalled();
  });

  it('does not retry other failures', async () => {
    const { guard, profile } = setup();
    const work = vi.fn(async () => {
      throw fkViolation('generation_jobs_project_id_video_projects_id_fk');
    });
    await expect(guard.withRow(caller, 't', work)).rejects.toThrow(/Failed query/);
    expect(work).toHaveBeenCalledTimes(1);
    expect(profile).not.toHaveBeenCalled();
  });

  it('refuses an account erased here with 401, and only that one', () => {
    const { guard } = setup();
    const other = randomUUID();
    expect(() => guard.refuseErased(caller.userId)).not.toThrow();
    guard.erase(caller.userId);
    expect(() => guard.refuseErased(caller.userId)).toThrow(UnauthorizedError);
    expect(() => guard.refuseErased(other)).not.toThrow();
  });
});
