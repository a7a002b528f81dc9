import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLocalIdentityProvider, loadOrCreateSigningKey } from '#shared/auth/local-issuer.ts';
import { hashPassword } from '#shared/auth/password.ts';
import { UnauthorizedError } from '#shared/errors.ts';
import type { UserRepository } from '#shared/users/repository.ts';

describe('the local identity provider', () => {
  it('gives no profile for an account erased by an earlier run of the server, whose tokens outlive it', async () => {
    const user = {
      id: '5d0c2b9a-6a6e-4f0e-9d3c-0f5b3b7a1e21',
      email: 'erased@example.com',
      username: 'erased',
      passwordHash: await hashPassword('Secret123'),
    };
    const users = {
      findByEmail: async () => user,
      clearPassword: async () => undefined,
    } as unknown as UserRepository;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'local-identity-'));
    const options = {
      users,
      key: await loadOrCreateSigningKey(),
      issuer: 'http://127.0.0.1:1',
      erasedFile: path.join(dir, 'erased-accounts.json'),
    };
    const first = createLocalIdentityProvider(options);
    const { accessToken } = await first.login(user.email, 'Secret123');
    expect(await first.profile(accessToken)).toMatchObject({ email: user.email });
    await first.deleteAccount(user.id);
    await expect(first.profile(accessToken)).rejects.toBeInstanceOf(UnauthorizedError);

    const restarted = createLocalIdentityProvider(options);
    await expect(restarted.profile(accessToken)).rejects.toBeInstanceOf(UnauthorizedError);
    // What is kept names no one: a digest of the id, dropped once no token of the account can be valid.
    expect(await readFile(options.erasedFile, 'utf8')).not.toContain(user.id);
  });
});
