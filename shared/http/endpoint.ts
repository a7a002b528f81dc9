import { hash } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { $ZodType, $ZodUndefined, output } from 'zod/v4/core';
import type { AuditOutcome } from '../audit/port.ts';
import type { Caller } from '../auth/port.ts';
import { bearerToken } from '../auth/verifier.ts';
import { DomainError, ValidationError } from '../errors.ts';
import { type AppContext, getContext } from '../runtime/context.ts';
import { zodIssues } from '../schema/issues.ts';
import * as z from '../schema/zod.ts';
import { authenticate } from './authenticate.ts';
import { iJsonIssue } from './i-json.ts';
import type { HttpResult } from './responses.ts';
import { SECRET_PATH_PARAMS } from './routes.ts';
import { utf8OrUndefined } from './utf8.ts';

export interface AuditNote {
  action: string;
  resourceType: string;
  resourceIds: string[];
}

/** What the audit middleware reads after the handler ran, keyed by the event. */
export const auditNotes = new WeakMap<
  object,
  AuditNote & { userId: string | null; apiKeyId?: string | undefined }
>();

export interface Request<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  caller: Caller;
  event: APIGatewayProxyEventV2;
  ctx: AppContext;
  /** Adds resource ids (for instance of what was created) to the audit entry. */
  audit(...ids: string[]): void;
}

interface Spec<B extends $ZodType, Q extends $ZodType, P extends $ZodType> {
  action: string;
  resource: string;
  auth?: boolean;
  /** false: user access tokens only, API keys get 403 (managing keys, deleting the account). */
  apiKeys?: boolean;
  body?: B;
  query?: Q;
  params?: P;
}

function parseJsonBody(event: APIGatewayProxyEventV2): unknown {
  if (!event.body) return {};
  const type = event.headers['content-type'] ?? '';
  if (!/^application\/(.+\+)?json\b/i.test(type)) throw new UnsupportedMediaType();
  // JSON is UTF-8 (RFC 8259, 8.1) and the body is read as such: a body in another charset would be stored
  // with U+FFFD in place of its non-ASCII characters.
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(type)?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) throw new UnsupportedMediaType();
  const text = event.isBase64Encoded ? utf8Text(Buffer.from(event.body, 'base64')) : event.body;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ValidationError('The body is not valid JSON.', [{ path: 'body', message: 'invalid JSON' }]);
  }
  const issue = iJsonIssue(text, 'body');
  if (issue) throw new ValidationError('The body would not be read as it was sent; see errors.', [issue]);
  return value;
}

/** The body's bytes as text; bytes that are not UTF-8 would otherwise be stored as U+FFFD. */
function utf8Text(bytes: Buffer): string {
  const text = utf8OrUndefined(bytes);
  if (text === undefined) {
    throw new ValidationError('The body is not valid UTF-8.', [
      { path: 'body', message: 'must be UTF-8 text (RFC 8259)' },
    ]);
  }
  return text;
}

export class UnsupportedMediaType extends DomainError {
  readonly status = 415;
  readonly code = 'unsupported-media-type';
  constructor() {
    super('Send the body as application/json, in UTF-8.');
  }
}

function validate<T extends $ZodType>(schema: T | undefined, value: unknown, where: string): output<T> {
  if (!schema) return undefined as output<T>;
  const result = z.safeParse(schema, value);
  if (!result.success) {
    throw new ValidationError(
      `The request ${where} is not valid; see errors.`,
      zodIssues(result.error, where),
    );
  }
  return result.data;
}

/** One route: authenticate, validate path, query and body with zod, run, and note what to audit. */
export function endpoint<
  B extends $ZodType = $ZodUndefined,
  Q extends $ZodType = $ZodUndefined,
  P extends $ZodType = $ZodUndefined,
>(spec: Spec<B, Q, P>, fn: (req: Request<output<B>, output<Q>, output<P>>) => Promise<HttpResult>) {
  return async (event: APIGatewayProxyEventV2, _context: Context): Promise<HttpResult> => {
    const note = {
      action: spec.action,
      resourceType: spec.resource,
      resourceIds: [] as string[],
      userId: null as string | null,
      apiKeyId: undefined as string | undefined,
    };
    auditNotes.set(event, note);
    const ctx = await getContext();
    let caller: Caller = { userId: '' };
    let token = '';
    if (spec.auth !== false) {
      token = bearerToken(event.headers.authorization);
      caller = await authenticate(ctx, event, token, spec.apiKeys !== false);
      note.userId = caller.userId;
      note.apiKeyId = caller.apiKeyId;
      ctx.userRows.refuseErased(caller.userId);
    }
    const params = validate(spec.params, event.pathParameters ?? {}, 'path');
    if (params && typeof params === 'object') note.resourceIds.push(...auditedParams(params));
    const query = validate(spec.query, event.queryStringParameters ?? {}, 'query');
    const body = spec.body ? validate(spec.body, parseJsonBody(event), 'body') : (undefined as output<B>);
    const req: Request<output<B>, output<Q>, output<P>> = {
      body,
      query,
      params,
      caller,
      event,
      ctx,
      audit: (...ids) => note.resourceIds.push(...ids),
    };
    // The sign-up trigger may have failed after Cognito confirmed the account (a paused database): a route
    // that needs the users row creates it then (see createUserRowGuard). A key exists only for a users row.
    if (spec.auth === false || caller.apiKeyId) return fn(req);
    return ctx.userRows.withRow(caller, token, () => fn(req));
  };
}

/** Path parameter values for the audit entry; a credential (the HLS token) only as a fingerprint. */
function auditedParams(params: object): string[] {
  return Object.entries(params as Record<string, string>).map(([name, value]) =>
    SECRET_PATH_PARAMS.has(name) ? `${name}:sha256:${fingerprint(value)}` : value,
  );
}

function fingerprint(value: string): string {
  return hash('sha256', value, 'base64url').slice(0, 16);
}

export function outcomeOf(status: number): AuditOutcome {
  if (status < 400) return 'success';
  if (status === 401 || status === 403) return 'denied';
  if (status === 404) return 'not-found';
  if (status < 500) return 'invalid';
  return 'error';
}

/** Records a request's audit entry; a failed write is logged and never fails the request. */
export function recordAudit(
  ctx: AppContext,
  note: AuditNote & { userId: string | null; apiKeyId?: string | undefined },
  status: number,
  correlationId: string,
): void {
  try {
    ctx.audit.record({
      userId: note.userId,
      ...(note.apiKeyId ? { apiKeyId: note.apiKeyId } : {}),
      action: note.action,
      resourceType: note.resourceType,
      resourceIds: note.resourceIds,
      outcome: outcomeOf(status),
      status,
      correlationId,
      at: new Date().toISOString(),
    });
  } catch (error) {
    ctx.logger.warn('audit write failed', { correlationId, error: (error as Error).message });
  }
}
