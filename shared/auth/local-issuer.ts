import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
} from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exportJWK, type JWK, jwtVerify, SignJWT } from 'jose';
import { ConflictError, UnauthorizedError } from '../errors.ts';
import { releaseStaleEmail } from '../users/email-holder.ts';
import type { UserRepository } from '../users/repository.ts';
import { DUMMY_HASH, hashPassword, verifyPassword } from './password.ts';
import type { IdentityProvider, Profile, SignUpInput, Tokens } from './port.ts';

/** The local issuer, which also does what a user does with Cognito directly (changing the email). */
export interface LocalIdentityProvider extends IdentityProvider {
  /** As Cognito's UpdateUserAttributes with the new address's code confirmed: the sign-in email moves. */
  changeEmail(userId: string, email: string): Promise<void>;
}

/** The claims of a local access token, shaped like Cognito's. */
export function accessTokenClaims(user: { id: string; email: string; username: string }) {
  return {
    sub: user.id,
    token_use: 'access',
    client_id: LOCAL_CLIENT_ID,
    username: user.username,
    // Cognito answers GetUser for this; the local issuer has only the token (see profile()).
    email: user.email,
    scope: 'aws.cognito.signin.user.admin',
  };
}

export const LOCAL_CLIENT_ID = 'local-client';
const ACCESS_TTL_SECONDS = 3600;
const REFRESH_TTL_SECONDS = 30 * 24 * 3600;
const BAD_CREDENTIALS = 'Incorrect email or password.';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** Loads the RS256 key pair from `dir` (creating it on first use) so tokens survive restarts. */
export async function loadOrCreateSigningKey(dir?: string): Promise<SigningKey> {
  const file = dir ? path.join(dir, 'signing-key.pem') : undefined;
  if (file) {
    const pem = await readFile(file, 'utf8').catch(() => undefined);
    if (pem) {
      const privateKey = createPrivateKey(pem);
      const publicKey = createPublicKey(privateKey);
      return { kid: kidOf(publicKey), privateKey, publicKey };
    }
  }
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  if (file && dir) {
    await mkdir(dir, { recursive: true });
    await writeFile(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  return { kid: kidOf(publicKey), privateKey, publicKey };
}

function kidOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return Buffer.from(der).subarray(-16).toString('base64url');
}

export async function jwksOf(key: SigningKey): Promise<{ keys: JWK[] }> {
  const jwk = await exportJWK(key.publicKey);
  return { keys: [{ ...jwk, kid: key.kid, alg: 'RS256', use: 'sig' }] };
}

/**
 * The identity provider of the embedded environment: passwords hashed with scrypt in users.password_hash,
 * tokens shaped like Cognito's (sub, token_use, client_id, username) signed with RS256.
 */
export function createLocalIdentityProvider(options: {
  users: UserRepository;
  key: SigningKey;
  issuer: string;
  /** Where erased accounts are remembered across restarts (in memory only when absent). */
  erasedFile?: string;
  /** Where changed emails are kept across restarts (in memory only when absent). */
  emailsFile?: string;
}): LocalIdentityProvider {
  const { users, key, issuer } = options;
  // Accounts erased within an access token's life. Their tokens stay valid for up to an hour, and a
  // missing users row is otherwise recreated from a token (as after a failed Cognito trigger), also by
  // the next run of the server.
  const erased = erasedAccounts(options.erasedFile);
  // An account's email is its users row's until changeEmail moves it, as Cognito's is the sign-up's until a
  // new address is confirmed; the row follows at the next sign-in, as it does deployed.
  const emails = changedEmails(options.emailsFile);
  const identityOf = async <U extends { id: string; email: string }>(user: U): Promise<U> => ({
    ...user,
    email: (await emails.of(user.id)) ?? user.email,
  });
  /** The row of the account that signs in with `email` now. */
  async function holderOf(email: string) {
    const moved = await emails.holder(email);
    if (moved && (await currentEmail(moved)) !== undefined) return users.findById(moved);
    const user = await users.findByEmail(email);
    if (!user) return undefined;
    const current = await emails.of(user.id);
    return current === undefined || current === email ? user : undefined;
  }
  async function currentEmail(userId: string): Promise<string | undefined> {
    if (await erased.has(userId)) return undefined;
    const user = await users.findById(userId);
    // Without a password hash no one signs in as the row: the account is gone (deleteAccount).
    if (!user?.passwordHash) return undefined;
    return (await emails.of(userId)) ?? user.email;
  }

  async function sign(
    claims: Record<string, unknown>,
    ttlSeconds: number,
    issuedAt?: number,
  ): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setIssuedAt(issuedAt)
      .setExpirationTime(`${ttlSeconds}s`)
      .setJti(randomUUID())
      .sign(key.privateKey);
  }

  /** Tokens for a sign-in at `authTime` (seconds): now for a login, the login's time for a refresh. */
  async function issue(
    user: { id: string; email: string; username: string },
    authTime: number | undefined,
  ): Promise<Tokens> {
    const withRefresh = authTime === undefined;
    const auth_time = authTime ?? Math.floor(Date.now() / 1000);
    const accessToken = await sign({ ...accessTokenClaims(user), auth_time }, ACCESS_TTL_SECONDS);
    const idToken = await sign(
      {
        sub: user.id,
        token_use: 'id',
        aud: LOCAL_CLIENT_ID,
        email: user.email,
        email_verified: true,
        preferred_username: user.username,
      },
      ACCESS_TTL_SECONDS,
    );
    const tokens: Tokens = { accessToken, idToken, expiresIn: ACCESS_TTL_SECONDS, tokenType: 'Bearer' };
    if (withRefresh)
      tokens.refreshToken = await sign(
        { sub: user.id, token_use: 'refresh' },
        REFRESH_TTL_SECONDS,
        auth_time,
      );
    return tokens;
  }

  return {
    async signUp(input: SignUpInput) {
      const passwordHash = await hashPassword(input.password);
      const create = () => users.create({ email: input.email, username: input.username, passwordHash });
      try {
        // An address an account changed to is taken, though no row may hold it yet.
        if ((await emails.holder(input.email)) && (await holderOf(input.email))) {
          throw new ConflictError('taken');
        }
        const user = await create();
        return { userId: user.id, confirmed: true };
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        // Whether the email has an account is never told (as Cognito's prevent-user-existence-errors):
        // a taken username is refused whoever owns the email, a taken email alone answers like a new one.
        if (await users.isUsernameTaken(input.username)) {
          throw new ConflictError('This username is taken; choose another.');
        }
        // The row holding the email may be of an account that changed its address since (provisionUser
        // does the same deployed, where the users row is created at confirmation).
        if (!(await holderOf(input.email)) && (await releaseStaleEmail(users, currentEmail, input.email))) {
          const user = await create().catch((again: unknown) => {
            if (again instanceof ConflictError) return undefined;
            throw again;
          });
          if (user) return { userId: user.id, confirmed: true };
        }
        return { userId: randomUUID(), confirmed: true };
      }
    },

    async confirm() {
      // Local accounts are confirmed at sign-up; every email gets the same answer, known or not.
    },

    async login(email: string, password: string) {
      const user = await holderOf(email);
      const valid = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
      if (!user || !valid) throw new UnauthorizedError(BAD_CREDENTIALS);
      return issue(await identityOf(user), undefined);
    },

    currentEmail,

    async changeEmail(userId: string, newEmail: string) {
      const email = newEmail.toLowerCase();
      const holder = await holderOf(email);
      if (holder && holder.id !== userId)
        throw new ConflictError('An account with this email already exists.');
      if (!(await currentEmail(userId))) throw new UnauthorizedError('The account no longer exists.');
      await emails.set(userId, email);
    },

    async profile(accessToken: string): Promise<Profile> {
      try {
        const { payload } = await jwtVerify(accessToken, key.publicKey, { issuer, algorithms: ['RS256'] });
        // A token of an account erased by this process names no one (Cognito's GetUser fails alike).
        const erasedSub = typeof payload.sub === 'string' && (await erased.has(payload.sub));
        if (!erasedSub && payload.token_use === 'access' && typeof payload.email === 'string') {
          return {
            email: payload.email,
            ...(typeof payload.username === 'string' ? { username: payload.username } : {}),
          };
        }
      } catch {
        // answered below
      }
      throw new UnauthorizedError('The access token does not name an account; sign in again.');
    },

    async deleteAccount(userId: string) {
      await erased.add(userId);
      await users.clearPassword(userId);
    },

    async refresh(refreshToken: string) {
      let sub: string | undefined;
      let authTime: number | undefined;
      try {
        const { payload } = await jwtVerify(refreshToken, key.publicKey, { issuer, algorithms: ['RS256'] });
        // A refresh token is issued by a sign-in: its own iat is when that was.
        if (payload.token_use === 'refresh' && typeof payload.iat === 'number') {
          sub = payload.sub;
          authTime = payload.iat;
        }
      } catch {
        sub = undefined;
      }
      if (!sub) throw new UnauthorizedError('The refresh token is not valid; sign in again.');
      const user = await users.getById(sub).catch(() => undefined);
      if (!user || authTime === undefined)
        throw new UnauthorizedError('The refresh token is not valid; sign in again.');
      return issue(await identityOf(user), authTime);
    },
  };
}

/**
 * The emails accounts changed to (Cognito's UpdateUserAttributes, its code confirmed), by account id, in
 * `file` when given.
 */
function changedEmails(file: string | undefined) {
  let loaded: Promise<Record<string, string>> | undefined;
  const entries = () => {
    loaded ??= file
      ? readFile(file, 'utf8')
          .then((text) => JSON.parse(text) as Record<string, string>)
          .catch(() => ({}))
      : Promise.resolve({});
    return loaded;
  };
  return {
    async of(userId: string): Promise<string | undefined> {
      return (await entries())[userId];
    },
    async holder(email: string): Promise<string | undefined> {
      return Object.entries(await entries()).find(([, e]) => e === email)?.[0];
    },
    async set(userId: string, email: string): Promise<void> {
      const current = { ...(await entries()), [userId]: email };
      loaded = Promise.resolve(current);
      if (file) {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, JSON.stringify(current), { mode: 0o600 });
      }
    },
  };
}

/**
 * Erased account ids as SHA-256 digests with the time of erasure, in `file` when given. An entry is
 * dropped once it is older than an access token's life: no token of the account can be valid then.
 */
function erasedAccounts(file: string | undefined) {
  const digest = (userId: string) => createHash('sha256').update(userId).digest('base64url');
  const live = (entries: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(entries).filter(([, at]) => Date.now() - at < ACCESS_TTL_SECONDS * 1000),
    );
  let loaded: Promise<Record<string, number>> | undefined;
  const entries = () => {
    loaded ??= file
      ? readFile(file, 'utf8')
          .then((text) => live(JSON.parse(text) as Record<string, number>))
          .catch(() => ({}))
      : Promise.resolve({});
    return loaded;
  };
  return {
    async has(userId: string): Promise<boolean> {
      const at = (await entries())[digest(userId)];
      return at !== undefined && Date.now() - at < ACCESS_TTL_SECONDS * 1000;
    },
    async add(userId: string): Promise<void> {
      const current = live(await entries());
      current[digest(userId)] = Date.now();
      loaded = Promise.resolve(current);
      if (file) {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, JSON.stringify(current), { mode: 0o600 });
      }
    },
  };
}
