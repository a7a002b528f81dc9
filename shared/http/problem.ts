import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { $ZodError } from 'zod/v4/core';
import {
  DomainError,
  type FieldIssue,
  findInCauses,
  ServiceUnavailableError,
  TooManyRequestsError,
  ValidationError,
} from '../errors.ts';
import { zodIssues } from '../schema/issues.ts';

/** RFC 9457 problem details. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldIssue[];
  correlationId?: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** [413] The request body is larger than the API takes (see MAX_BODY_BYTES). */
export class ContentTooLargeError extends DomainError {
  readonly status = 413;
  readonly code = 'content-too-large';
  constructor(limitBytes: number) {
    super(`The request body must be at most ${limitBytes} bytes.`);
  }
}

const TYPE_BASE = 'https://ai-video.dev/problems/';

export function problemResponse(
  problem: Problem,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(problem),
  };
}

export function problem(status: number, code: string, detail: string, extra: Partial<Problem> = {}): Problem {
  return { type: `${TYPE_BASE}${code}`, title: TITLES[status] ?? 'Error', status, detail, ...extra };
}

/** Extra response headers a domain error asks for (Retry-After of a 429 or a 503). */
function problemHeaders(error: DomainError): Record<string, string> {
  if (error instanceof TooManyRequestsError || error instanceof ServiceUnavailableError)
    return { 'retry-after': String(error.retryAfterSeconds) };
  return {};
}

/** Maps any thrown value to a problem response; unknown errors become a bare 500 with the correlation id. */
export function toProblemResponse(error: unknown, correlationId: string, instance?: string) {
  // drizzle wraps what the driver throws in `Error("Failed query: …")`; a database that stayed unavailable
  // through its retry budget is a 503 wherever it sits in the chain.
  const unavailable = findInCauses(error, ServiceUnavailableError);
  if (unavailable) error = unavailable;
  if (error instanceof $ZodError) {
    return problemResponse(
      problem(400, 'validation-error', 'The request is not valid; see errors.', {
        errors: zodIssues(error),
        instance,
      }),
    );
  }
  if (error instanceof DomainError) {
    const extra: Partial<Problem> = { instance };
    if (error instanceof ValidationError && error.issues.length) extra.errors = error.issues;
    if (error instanceof ContentTooLargeError) extra.errors = [{ path: 'body', message: error.message }];
    return problemResponse(problem(error.status, error.code, error.message, extra), problemHeaders(error));
  }
  return problemResponse(
    problem(
      500,
      'internal-error',
      'Something went wrong on our side. Quote the correlation id if you report it.',
      {
        correlationId,
        instance,
      },
    ),
  );
}
