import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { users as usersTable } from '#shared/db/tables.ts';
import { ConflictError } from '#shared/errors.ts';
import { AccountRecordConflictError, fallbackUsername, provisionUser } from '#shared/users/provision.ts';
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
    const rows = await Promise.all([1, 2, 3, 4, 5].map(() => provisionUser(users, input)));
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set([id]));
    expect(rows[0]).toMatchObject({ email: input.email, username: input.username, subscriptionTier: 'FREE' });
    const stored = await t.db.select({ id: usersTable.id }).from(usersTable).where(eq(usersTable.id, id));
    expect(stored).toHaveLength(1);
  });

  it('gives a username from the id when the chosen one is taken or unusable', async () => {
    const taken = await users.create({ email: `t${tag()}@example.com`, username: `taken_${tag()}` });
    const id = randomUUID();
    const row = await provisionUser(users, {
      id,
      email: `q${tag()}@example.com`,
      username: taken.username.toUpperCase(),
    });
    expect(row.username).toBe(fallbackUsername(id));
    const cognitoName = await provisionUser(users, {
      id: randomUUID(),
      email: `r${tag()}@example.com`,
      username: randomUUID(),
    });
    expect(cognitoName.username).toMatch(/^user_[0-9a-f]{20}$/);
  });

  it('answers a clear conflict when another row holds the email', async () => {
    const holder = await users.create({ email: `h${tag()}@example.com`, username: `h_${tag()}` });
    const attempt = provisionUser(users, { id: randomUUID(), email: holder.email, username: `n_${tag()}` });
    await expect(attempt).rejects.toBeInstanceOf(AccountRecordConflictError);
    await expect(attempt).rejects.toMatchObject({ status: 409 });
  });
});
