import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  accessTokenClaims,
  jwksOf,
  LOCAL_CLIENT_ID,
  loadOrCreateSigningKey,
} from '#shared/auth/local-issuer.ts';
import { bearerUserId, writeDutyLines } from '../../../bench/_floor-duties.ts';

const ISSUER = 'http://127.0.0.1:3000';
const key = await loadOrCreateSigningKey();
const other = await loadOrCreateSigningKey();
const check = bearerUserId({ issuer: ISSUER, clientId: LOCAL_CLIENT_ID, jwks: await jwksOf(key) });
const userId = randomUUID();

async function token(
  claims: Record<string, unknown> = {},
  options: { signer?: typeof key; issuer?: string; expires?: string | number; iat?: number } = {},
) {
  const signer = options.signer ?? key;
  const jwt = new SignJWT({
    ...accessTokenClaims({ id: userId, email: 'a@example.com', username: 'a' }),
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setIssuer(options.issuer ?? ISSUER)
    .setExpirationTime(options.expires ?? '1h');
  if (options.iat === undefined) jwt.setIssuedAt();
  else jwt.setIssuedAt(options.iat);
  return `Bearer ${await jwt.sign(signer.privateKey)}`;
}

// The benchmarks' second floor must refuse what the API refuses, or it would be a cheaper floor than the
// duties it claims to do.
describe('the floor + duties token check', () => {
  it('gives the subject of a valid access token, from its cache the second time', async () => {
    const t = await token();
    expect(check(t)).toBe(userId);
    expect(check(t)).toBe(userId);
  });

  it.each([
    ['no header', async () => undefined],
    ['not a bearer token', async () => (await token()).replace('Bearer ', 'Basic ')],
    ['another key', () => token({}, { signer: other })],
    ['another issuer', () => token({}, { issuer: 'https://evil.example.com' })],
    ['an ID token', () => token({ token_use: 'id' })],
    ['another client', () => token({ client_id: 'someone-else' })],
    ['an expired token', () => token({}, { expires: Math.floor(Date.now() / 1000) - 10 })],
    ['a token issued in the future', () => token({}, { iat: Math.floor(Date.now() / 1000) + 600 })],
    ['a subject that is not a UUID', () => token({ sub: 'admin' })],
  ])('refuses %s', async (_, make) => {
    const t = await make();
    expect(() => check(t)).toThrow();
  });

  it('refuses a token whose payload was changed after signing, and one with alg none', async () => {
    const [head, , signature] = (await token()).slice(7).split('.');
    const forged = Buffer.from(
      JSON.stringify({
        ...accessTokenClaims({ id: randomUUID(), email: 'b@example.com', username: 'b' }),
        iss: ISSUER,
        exp: 4e9,
        iat: 1,
      }),
    ).toString('base64url');
    expect(() => check(`Bearer ${head}.${forged}.${signature}`)).toThrow('bad signature');
    const none = Buffer.from(JSON.stringify({ alg: 'none', kid: key.kid })).toString('base64url');
    expect(() => check(`Bearer ${none}.${forged}.`)).toThrow();
  });
});

it('writes the log line, the EMF metric line and the audit line together, in one write', () => {
  const writes: string[] = [];
  writeDutyLines((text) => writes.push(text), {
    method: 'GET',
    path: '/v1/projects/x',
    route: 'GET /v1/projects/{projectId}',
    status: 200,
    userId,
    action: 'project.read',
    resourceType: 'project',
    resourceId: 'x',
    startedAt: Date.now(),
  });
  expect(writes).toHaveLength(1);
  const lines = writes[0]!
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines).toHaveLength(3);
  expect(lines[0]).toMatchObject({ level: 'INFO', status: 200, path: '/v1/projects/x' });
  expect(lines[1]).toHaveProperty('_aws.CloudWatchMetrics');
  expect(lines[2]).toMatchObject({ auditRecord: 1, entry: { userId, action: 'project.read' } });
});
