import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';
import { captureOutput } from '#test/support/output.ts';

let api: LocalApi;
const lines: string[] = [];
beforeAll(async () => {
  process.env.LOG_LEVEL = 'DEBUG';
  captureOutput(lines);
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
