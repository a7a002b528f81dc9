/**
 * What every authenticated API request must do whatever framework serves it, written as plainly as it can
 * be, for the benchmarks' second floor ("floor + duties"): check the bearer token (an RS256 signature
 * against the issuer's key with node:crypto, the issuer, token use, client, expiry, issue time and a UUID
 * subject, a verified token remembered until it expires, as the API's verifier does) and write the
 * request's three stdout lines in one write (its log line, its EMF metric and its audit entry). Measured
 * beside the bare floor, it tells how much of the API's cost is these duties and how much is the rest
 * (routing, validation, the middleware, the libraries that do the same duties).
 */
import { createPublicKey, type KeyObject, randomUUID, verify } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CACHE_SIZE = 5000;
const SKEW_SECONDS = 60;

export const isUuid = (value: string): boolean => UUID.test(value);

interface Jwk {
  kid?: string;
  [field: string]: unknown;
}

/** The caller's user id from an `authorization` header, or an Error for any token that fails a check. */
export function bearerUserId(options: {
  issuer: string;
  clientId: string;
  jwks: { keys: Jwk[] };
}): (authorization: string | undefined) => string {
  const keys = new Map<string, KeyObject>(
    options.jwks.keys.map((jwk) => [String(jwk.kid), createPublicKey({ key: jwk, format: 'jwk' })]),
  );
  const verified = new Map<string, { userId: string; until: number }>();
  return (authorization) => {
    if (!authorization?.startsWith('Bearer ')) throw new Error('no bearer token');
    const token = authorization.slice(7);
    const hit = verified.get(token);
    if (hit && hit.until > Date.now()) return hit.userId;
    const [head, body, signature] = token.split('.');
    if (!head || !body || !signature) throw new Error('not a JWT');
    const header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as Record<string, unknown>;
    const key = header.alg === 'RS256' ? keys.get(String(header.kid)) : undefined;
    if (!key) throw new Error('unknown key or algorithm');
    if (!verify('sha256', Buffer.from(`${head}.${body}`), key, Buffer.from(signature, 'base64url')))
      throw new Error('bad signature');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    const now = Date.now() / 1000;
    if (
      claims.iss !== options.issuer ||
      claims.token_use !== 'access' ||
      claims.client_id !== options.clientId
    )
      throw new Error('not an access token of this client');
    if (typeof claims.exp !== 'number' || claims.exp <= now) throw new Error('expired');
    if (typeof claims.iat !== 'number' || claims.iat > now + SKEW_SECONDS) throw new Error('issued later');
    if (typeof claims.sub !== 'string' || !UUID.test(claims.sub)) throw new Error('subject not a UUID');
    if (verified.size >= CACHE_SIZE) verified.delete(verified.keys().next().value as string);
    verified.set(token, { userId: claims.sub, until: claims.exp * 1000 });
    return claims.sub;
  };
}

export interface DutyRequest {
  method: string;
  path: string;
  /** The route's key, `GET /v1/projects/{projectId}`. */
  route: string;
  status: number;
  userId: string;
  action: string;
  resourceType: string;
  resourceId: string;
  startedAt: number;
}

/** The request's log line, EMF metric line and audit line, written together with one call of `write`. */
export function writeDutyLines(write: (text: string) => void, request: DutyRequest): void {
  const now = Date.now();
  const correlationId = randomUUID();
  const log = {
    level: 'INFO',
    message: 'request',
    timestamp: new Date(now).toISOString(),
    service: 'ai-video-api',
    correlationId,
    method: request.method,
    path: request.path,
    status: request.status,
    durationMs: now - request.startedAt,
  };
  const metric = {
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: 'AiVideo',
          Dimensions: [['route', 'statusClass']],
          Metrics: [{ Name: 'ApiRequests', Unit: 'Count' }],
        },
      ],
    },
    route: request.route,
    statusClass: `${Math.floor(request.status / 100)}xx`,
    ApiRequests: 1,
  };
  const audit = {
    auditRecord: 1,
    id: randomUUID(),
    entry: {
      userId: request.userId,
      action: request.action,
      resourceType: request.resourceType,
      resourceIds: [request.resourceId],
      outcome: 'success',
      status: request.status,
      correlationId,
      at: new Date(now).toISOString(),
    },
  };
  write(`${JSON.stringify(log)}\n${JSON.stringify(metric)}\n${JSON.stringify(audit)}\n`);
}
