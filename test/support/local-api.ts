/** The local server and embedded environment for end-to-end tests, with a small HTTP client. */
import { randomUUID } from 'node:crypto';
import type { StreamSettings } from '#functions/api/events.ts';
import {
  type LocalEnvironment,
  type LocalEnvironmentOptions,
  startLocalEnvironment,
} from '#infra/local/environment.ts';
import { startApiServer } from '#infra/local/server.ts';
import { keepingLogger } from './failure-logs.ts';
import { templateOption } from './pglite-template.ts';

export interface ApiResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected freely in tests
  body: any;
  text: string;
}

export interface LocalApi {
  url: string;
  env: LocalEnvironment;
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<ApiResponse>;
  /** Signs up and logs in a fresh user; returns its id and access token. */
  newUser(): Promise<{
    userId: string;
    token: string;
    email: string;
    password: string;
    refreshToken: string;
  }>;
  stop(): Promise<void>;
}

export async function startLocalApi(
  options: Omit<Partial<LocalEnvironmentOptions>, 'issuer'> = {},
  server: { consoleDir?: string; stream?: StreamSettings } = {},
): Promise<LocalApi> {
  let jwks: { keys: object[] } = { keys: [] };
  const api = await startApiServer({ port: 0, jwks: () => jwks, ...server });
  const env = await startLocalEnvironment({
    issuer: api.url,
    ...(await templateOption()),
    logger: keepingLogger(),
    // Every test user signs up and logs in from 127.0.0.1; the limiter's own tests set real budgets.
    rateLimits: { signUpsPerAddress: 100_000, loginFailuresPerAddress: 100_000 },
    ...(process.env.E2E_DATABASE_URL ? { databaseUrl: process.env.E2E_DATABASE_URL } : {}),
    ...options,
  });
  jwks = env.jwks;

  const call: LocalApi['call'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${api.url}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  };

  return {
    url: api.url,
    env,
    call,
    async newUser() {
      const tag = randomUUID().replaceAll('-', '').slice(0, 12);
      const email = `user${tag}@example.com`;
      const password = `Pw${tag}A1`;
      const signUp = await call('POST', '/v1/auth/signup', {
        body: { email, username: `u_${tag}`, password },
      });
      if (signUp.status !== 201) throw new Error(`signup failed: ${signUp.text}`);
      const login = await call('POST', '/v1/auth/login', { body: { email, password } });
      if (login.status !== 200) throw new Error(`login failed: ${login.text}`);
      return {
        userId: signUp.body.userId,
        token: login.body.accessToken,
        refreshToken: login.body.refreshToken,
        email,
        password,
      };
    },
    async stop() {
      await api.close();
      await env.stop();
    },
  };
}
