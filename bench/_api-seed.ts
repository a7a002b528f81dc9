/** The API benchmarks' data: users with one project and one clip each, and an access token per user. */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import pg from 'pg';
import { accessTokenClaims, type SigningKey } from '#shared/auth/local-issuer.ts';
import { clipMediaKeys } from '#shared/clips/media-keys.ts';
import { createClipRepository } from '#shared/clips/repository.ts';
import { openNodePostgres } from '#shared/db/drivers/node-postgres.ts';
import { createProjectRepository } from '#shared/projects/repository.ts';
import { createUserRepository } from '#shared/users/repository.ts';
import type { LoadUser } from './_api-load.ts';

export const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';

/** A fresh PostgreSQL database for one benchmark run, dropped by `drop()`. */
export async function benchDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: `${PG_URL}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  return {
    url: `${PG_URL}/${name}`,
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await admin.end();
    },
  };
}

/** An access token as the local issuer makes them (see shared/auth/local-issuer.ts), for a seeded user. */
function accessToken(key: SigningKey, issuer: string, user: { id: string; email: string; username: string }) {
  return new SignJWT(accessTokenClaims(user))
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .setIssuer(issuer)
    .setIssuedAt()
    .setExpirationTime('2h')
    .setJti(randomUUID())
    .sign(key.privateKey);
}

/** The same users with new access tokens (a new jti each), which no verified-token cache has seen yet. */
export function resignUsers(
  key: SigningKey,
  issuer: string,
  users: readonly LoadUser[],
): Promise<LoadUser[]> {
  return Promise.all(
    users.map(async (u) => ({
      ...u,
      token: await accessToken(key, issuer, { id: u.userId, email: u.email, username: u.username }),
    })),
  );
}

/** Users, one project and one clip each, written straight through the repositories (no media objects). */
export async function seedUsers(
  databaseUrl: string,
  key: SigningKey,
  issuer: string,
  count: number,
): Promise<LoadUser[]> {
  const handle = openNodePostgres({ url: databaseUrl });
  try {
    const users = createUserRepository(handle.db);
    const projects = createProjectRepository(handle.db);
    const clips = createClipRepository(handle.db);
    const out: LoadUser[] = [];
    const one = async (i: number): Promise<LoadUser> => {
      const tag = `${i}${randomUUID().slice(0, 8)}`;
      const user = await users.create({ email: `bench${tag}@example.com`, username: `bench_${tag}` });
      const project = await projects.create(user.id, { title: `Project of ${tag}` });
      const clipId = randomUUID();
      const keys = clipMediaKeys({ userId: user.id, projectId: project.id, id: clipId });
      await clips.register({
        id: clipId,
        userId: user.id,
        projectId: project.id,
        title: `Clip of ${tag}`,
        duration: 6,
        fileUrl: keys.video,
        thumbnailUrl: keys.thumbnail,
        fileSize: 1000,
        resolution: '1280x720',
        format: 'mp4',
      });
      return {
        userId: user.id,
        email: user.email,
        username: user.username,
        token: await accessToken(key, issuer, user),
        projectId: project.id,
        clipId,
      };
    };
    for (let i = 0; i < count; i += 20) {
      out.push(...(await Promise.all(Array.from({ length: Math.min(20, count - i) }, (_, j) => one(i + j)))));
    }
    return out;
  } finally {
    await handle.close();
  }
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
