/**
 * Checks every request makes before any route sees it, so that no input reaches a parser, a recursive
 * walk or the database in a shape that would fail there (as a 500) instead of here (as a 4xx naming the
 * field): the body size, the nesting depth of a JSON body, and the NUL character, which PostgreSQL cannot
 * store in text (`invalid byte sequence for encoding "UTF8": 0x00`).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type FieldIssue, ValidationError } from '../errors.ts';
import { ContentTooLargeError } from './problem.ts';

/**
 * The largest request body the API takes: 1 MiB. The largest legitimate body (an EDIT of 150 clips with
 * 16 KiB of parameters) is far below it; API Gateway's own limit (10 MB) and Lambda's invocation payload
 * (6 MB) are above it, so this is the limit a client meets.
 */
export const MAX_BODY_BYTES = 1024 * 1024;

/** The deepest nesting of arrays and objects a JSON body may have. */
export const MAX_JSON_DEPTH = 32;

const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';

/** Throws a 413 or a 400 naming the field when the request cannot be taken as it is. */
export function guardRequest(event: APIGatewayProxyEventV2): void {
  const issues: FieldIssue[] = [];
  for (const [name, value] of Object.entries(event.pathParameters ?? {})) {
    if (value?.includes('\0')) issues.push({ path: `path.${printable(name)}`, message: NUL_MESSAGE });
  }
  if (!issues.length && /%00/i.test(event.rawPath ?? '')) issues.push({ path: 'path', message: NUL_MESSAGE });
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (name.includes('\0') || value?.includes('\0'))
      issues.push({ path: `query.${printable(name)}`, message: NUL_MESSAGE });
  }
  if (event.body) {
    const bytes = event.isBase64Encoded
      ? Math.floor((event.body.length * 3) / 4)
      : Buffer.byteLength(event.body, 'utf8');
    if (bytes > MAX_BODY_BYTES) throw new ContentTooLargeError(MAX_BODY_BYTES);
    const type = event.headers?.['content-type'] ?? '';
    if (!event.isBase64Encoded && /^application\/(.+\+)?json\b/i.test(type)) {
      if (jsonDepthExceeds(event.body, MAX_JSON_DEPTH)) {
        throw new ValidationError('The body is nested too deeply.', [
          { path: 'body', message: `must nest arrays and objects at most ${MAX_JSON_DEPTH} deep` },
        ]);
      }
      // JSON.parse failures are left to the route, which answers 400 "invalid JSON".
      if (event.body.includes('\0') || event.body.includes('\\u0000')) {
        const path = nulPath(safeParse(event.body), 'body');
        if (path !== undefined) issues.push({ path, message: NUL_MESSAGE });
      }
    }
  }
  if (issues.length) throw new ValidationError('The request contains a NUL character; see errors.', issues);
}

/**
 * Whether the JSON text nests arrays and objects deeper than `max`, read in one pass without parsing (so
 * a body nested 100,000 deep costs no recursion anywhere).
 */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
  return false;
}

/** The dotted path of the first key or string value holding U+0000, walking without recursion. */
export function nulPath(value: unknown, root: string): string | undefined {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length) {
    const [current, path] = stack.pop() as [unknown, string];
    if (typeof current === 'string') {
      if (current.includes('\0')) return path;
    } else if (Array.isArray(current)) {
      current.forEach((item, i) => {
        stack.push([item, `${path}.${i}`]);
      });
    } else if (current && typeof current === 'object') {
      for (const [key, item] of Object.entries(current)) {
        if (key.includes('\0')) return path;
        stack.push([item, `${path}.${key}`]);
      }
    }
  }
  return undefined;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function printable(name: string): string {
  return name.replaceAll('\0', '\\u0000');
}
