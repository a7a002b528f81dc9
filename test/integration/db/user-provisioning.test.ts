import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { users as usersTable } from '#shared/db/tables.ts';
import { ConflictError } from '#shared/errors.ts';
import { followSignInEmail } from '#shared/users/email-holder.ts';
import { AccountRecordConflictError, fallbackUsername, provisionUser } from '#shared/users/provision.ts';
import { releasedEmail } from '#shared/users/repository.ts';
import { describeEachDriver, type TestDatabase } from '#test/support/db-drivers.ts';
import { type Repositories, repositoriesFor } from '#test/support/repositories.ts';

describeEachDriver('users on', (driver) => {
  let t: TestDatabase;
  let users: Repositories['users'];
  beforeAll(async () => {
    t = await driver.open();
    ({ users } = repositoriesFor(t.db));
  });
  afterAll(async () => {
    await t?.close();
  });
  /** An identity provider that knows no account: every other row's account is gone. */
  const nobody = async () => undefined;
  const tag = () => randomUUID().replaceAll('-', '').slice(0, 10);

  it('keeps usernames unique whatever their case', async () => {
    const name = `Grace_${tag()}`;
    await users.create({ email: `a${tag()}@example.com`, username: name });
    await expect(
      users.create({ email: `b${tag()}@example.com`, username: name.toLowerCase() }),
    ).rejects.toThrow(/username is taken/);
    const other = await users.create({ email: `c${tag()}@example.com`, username: `other_${tag()}` });
    await expect(users.updateUsername(other.id, name.toUpperCase())).rejects.toBeInstanceOf(ConflictError);
    expect(await users.isUsernameTaken(name.toUpperCase())).toBe(true);
    expect(await users.isUsernameTaken(`free_${tag()}`)).toBe(false);
  });

  it('creates a missing row once, whoever asks first (idempotent under parallel requests)', async () => {
    const id = randomUUID();
    const input = { id, email: `p${tag()}@example.com`, username: `p_${tag()}` };
    const rows = await Promise.all([1, 2, 3, 4, 5].map(() => provisionUser(users, nobody, input)));
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set([id]));
    expect(rows[0]).toMatchObject({ email: input.email, username: input.username, subscriptionTier: 'FREE' });
    const stored = await t.db.select({ id: usersTable.id }).from(usersTable).where(eq(usersTable.id, id));
    expect(stored).toHaveLength(1);
  });

  it('gives a username from the id when the chosen one is taken or unusable', async () => {
    const taken = await users.create({ email: `t${tag()}@example.com`, username: `taken_${tag()}` });
    const id = randomUUID();
    const row = await provisionUser(users, nobody, {
      id,
      email: `q${tag()}@example.com`,
      username: taken.username.toUpperCase(),
    });
    expect(row.username).toBe(fallbackUsername(id));
    const cognitoName = await provisionUser(users, nobody, {
      id: randomUUID(),
      email: `r${tag()}@example.com`,
      username: randomUUID(),
    });
    expect(cognitoName.username).toMatch(/^user_[0-9a-f]{20}$/);
  });

  it('answers a clear conflict when another row holds the email and its account still signs in with it', async () => {
    const holder = await users.create({ email: `h${tag()}@example.com`, username: `h_${tag()}` });
    const stillHolds = vi.fn(async () => holder.email.toUpperCase());
    const attempt = provisionUser(users, stillHolds, {
      id: randomUUID(),
      email: holder.email,
      username: `n_${tag()}`,
    });
    await expect(attempt).rejects.toBeInstanceOf(AccountRecordConflictError);
    await expect(attempt).rejects.toMatchObject({ status: 409 });
    expect(stillHolds).toHaveBeenCalledWith(holder.id);
    expect((await users.getById(holder.id)).email).toBe(holder.email);
  });

  it('takes the email from a row whose account moved to another address, which the row then gets', async () => {
    const stale = await users.create({ email: `old${tag()}@example.com`, username: `s_${tag()}` });
    const moved = `new${tag()}@example.com`;
    const id = randomUUID();
    const row = await provisionUser(users, async (userId) => (userId === stale.id ? moved : undefined), {
      id,
      email: stale.email,
      username: `b_${tag()}`,
    });
    expect(row).toMatchObject({ id, email: stale.email });
    expect((await users.getById(stale.id)).email).toBe(moved);
  });

  it('frees the email of a row whose account is gone from the identity provider, keeping the row', async () => {
    const gone = await users.create({ email: `gone${tag()}@example.com`, username: `g_${tag()}` });
    const row = await provisionUser(users, nobody, { id: randomUUID(), email: gone.email });
    expect(row.email).toBe(gone.email);
    expect(await users.getById(gone.id)).toMatchObject({
      email: releasedEmail(gone.id),
      username: gone.username,
    });
  });

  it('gives a moved row a placeholder when its new address is held by a third row', async () => {
    const third = await users.create({ email: `third${tag()}@example.com`, username: `t_${tag()}` });
    const stale = await users.create({ email: `was${tag()}@example.com`, username: `w_${tag()}` });
    await provisionUser(users, async () => third.email, { id: randomUUID(), email: stale.email });
    expect((await users.getById(stale.id)).email).toBe(releasedEmail(stale.id));
    expect((await users.getById(third.id)).email).toBe(third.email);
  });

  it('follows the email a sign-in gives, writing nothing when it is the stored one', async () => {
    const user = await users.create({ email: `f${tag()}@example.com`, username: `f_${tag()}` });
    await followSignInEmail(users, nobody, { userId: user.id, email: user.email });
    expect((await users.getById(user.id)).updatedAt).toEqual(user.updatedAt);
    const next = `Moved${tag()}@Example.com`;
    await followSignInEmail(users, nobody, { userId: user.id, email: next });
    expect((await users.getById(user.id)).email).toBe(next.toLowerCase());
  });

  it('frees the address a sign-in gives from a stale row, and leaves a row whose account still holds it', async () => {
    const stale = await users.create({ email: `st${tag()}@example.com`, username: `st_${tag()}` });
    const user = await users.create({ email: `u${tag()}@example.com`, username: `u_${tag()}` });
    await followSignInEmail(users, nobody, { userId: user.id, email: stale.email });
    expect((await users.getById(user.id)).email).toBe(stale.email);
    expect((await users.getById(stale.id)).email).toBe(releasedEmail(stale.id));

    const holder = await users.create({ email: `ho${tag()}@example.com`, username: `ho_${tag()}` });
    await followSignInEmail(users, async () => holder.email, { userId: user.id, email: holder.email });
    expect((await users.getById(holder.id)).email).toBe(holder.email);
    expect((await users.getById(user.id)).email).toBe(stale.email);
  });
});
