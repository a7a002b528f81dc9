import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

let api: LocalApi;
const lines: string[] = [];
beforeAll(async () => {
  process.env.LOG_LEVEL = 'DEBUG';
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
      lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return (write as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write);
  }
  api = await startLocalApi();
  api.env.ctx.logger.setLogLevel('DEBUG');
});
afterAll(async () => {
  vi.restoreAllMocks();
  await api?.stop();
});

it('never writes tokens or passwords to the logs', async () => {
  const user = await api.newUser();
  await api.call('GET', '/v1/me', { token: user.token });
  await api.call('POST', '/v1/auth/login', { body: { email: user.email, password: 'WrongPass1' } });
  await api.call('POST', '/v1/auth/refresh', { body: { refreshToken: user.refreshToken } });
  await api.call('GET', '/v1/projects/not-a-uuid', { token: user.token });
  const logged = lines.join('\n');
  expect(logged).toContain('"path":"/v1/me"');
  for (const secret of [user.token, user.refreshToken, user.password, 'WrongPass1']) {
    expect(logged).not.toContain(secret);
  }
});
