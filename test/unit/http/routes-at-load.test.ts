/**
 * Every API function loads the route table at init (the request log and the redaction of secret paths
 * read it), and on Lambda the route comes from API Gateway's route key: loading it builds no expression,
 * and redacting a path builds only those of the routes that hold a secret.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the route table at load', () => {
  it('builds no route expression until one is needed, and redaction builds only the secret routes', async () => {
    vi.resetModules();
    const created: string[] = [];
    const Original = RegExp;
    vi.spyOn(globalThis, 'RegExp').mockImplementation(function (this: unknown, ...args: unknown[]) {
      created.push(String(args[0]));
      return new Original(...(args as [string, string?]));
    } as never);
    const { API_ROUTES, SECRET_PATH_PARAMS, redactPath, matchRoute } = await import('#shared/http/routes.ts');
    const routeExpressions = () => created.filter((source) => source.startsWith('^/v1/'));
    expect(routeExpressions()).toEqual([]);

    expect(redactPath('/v1/media/hls/secret-token/index.m3u8')).toBe('/v1/media/hls/{token}/index.m3u8');
    const secretRoutes = API_ROUTES.filter((r) =>
      [...SECRET_PATH_PARAMS].some((n) => r.path.includes(`{${n}}`)),
    );
    expect(secretRoutes.length).toBeGreaterThan(0);
    expect(routeExpressions()).toHaveLength(secretRoutes.length);

    expect(matchRoute('GET', '/v1/projects')?.route.path).toBe('/v1/projects');
    expect(routeExpressions()).toHaveLength(secretRoutes.length + API_ROUTES.length);
  });
});
