import { it } from 'vitest';
import { startLocalApi } from '#test/support/local-api.ts';

it('probe', async () => {
  const api = await startLocalApi();
  api.env.ctx.logger.setLogLevel('DEBUG');
  const u = await api.newUser();
  const t = u.token;
  const cases: [string, string, Record<string, unknown>][] = [
    ['POST', '/v1/projects?__proto__=', { token: t, rawBody: '{"title":"H^Gf6<c(Wewj","description":"c`8jd\\u0000c`8jd","settings":{"!:.vmV":4.5224653173598757e+195}}', headers: { 'content-type': 'application/json' } }],
    ['POST', '/v1/projects', { token: t, rawBody: '{"title":"H","settings":{"v":4.5224653173598757e+195}}', headers: { 'content-type': 'application/json' } }],
    ['POST', '/v1/projects?__proto__=', { token: t, rawBody: '{"title":"H"}', headers: { 'content-type': 'application/json' } }],
    ['POST', '/v1/projects', { token: t, rawBody: '{"title":"H","settings":{"v":"\\ud800"}}', headers: { 'content-type': 'application/json' } }],
    ['POST', '/v1/projects', { token: t, rawBody: '{"title":"H\\ud800"}', headers: { 'content-type': 'application/json' } }],
  ];
  for (const [m, path, o] of cases) {
    const r = await api.call(m, path, o as never);
    console.log(m, path.slice(0, 80), r.status, r.text.slice(0, 300));
  }
  await api.stop();
}, 120000);
