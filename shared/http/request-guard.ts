/**
 * Checks every request makes before any route sees it, so that no input reaches a parser, a recursive
 * walk or the database in a shape that would fail there (as a 500) instead of here (as a 4xx naming the
 * field): the body size, the nesting depth of a JSON body, and text PostgreSQL cannot store: the NUL
 * character (`invalid byte sequence for encoding "UTF8": 0x00`) anywhere, and, in a JSON body, an unpaired
 * surrogate escape such as `"\ud800"` (jsonb refuses it).
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
const SURROGATE_MESSAGE = 'must be well-formed Unicode (no unpaired surrogate)';
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** A JSON escape of a surrogate, or a NUL: only then is a body walked. */
const SUSPECT_ESCAPE = /\\u(0000|[dD][89a-fA-F])/;

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
    // API Gateway base64-encodes bodies whose type it does not take for text (application/merge-patch+json
    // among them); the route decodes them, so the guard does too.
    const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : undefined;
    const bytes = raw ? raw.length : Buffer.byteLength(event.body, 'utf8');
    if (bytes > MAX_BODY_BYTES) throw new ContentTooLargeError(MAX_BODY_BYTES);
    const type = event.headers?.['content-type'] ?? '';
    if (/^application\/(.+\+)?json\b/i.test(type)) {
      const text = raw ? raw.toString('utf8') : event.body;
      if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
        throw new ValidationError('The body is nested too deeply.', [
          { path: 'body', message: `must nest arrays and objects at most ${MAX_JSON_DEPTH} deep` },
        ]);
      }
      // JSON.parse failures are left to the route, which answers 400 "invalid JSON".
      if (text.includes('\0') || SUSPECT_ESCAPE.test(text)) {
        const issue = unstorableText(safeParse(text), 'body');
        if (issue) issues.push(issue);
      }
    }
  }
  if (issues.length)
    throw new ValidationError('The request contains text that cannot be stored; see errors.', issues);
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

/**
 * The first key or string value (as a dotted path) that holds U+0000 or an unpaired surrogate, walking
 * without recursion.
 */
export function unstorableText(value: unknown, root: string): FieldIssue | undefined {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length) {
    const [current, path] = stack.pop() as [unknown, string];
    if (typeof current === 'string') {
      const message = textProblem(current);
      if (message) return { path, message };
    } else if (Array.isArray(current)) {
      current.forEach((item, i) => {
        stack.push([item, `${path}.${i}`]);
      });
    } else if (current && typeof current === 'object') {
      for (const [key, item] of Object.entries(current)) {
        const message = textProblem(key);
        if (message) return { path, message: `keys ${message}` };
        stack.push([item, `${path}.${key}`]);
      }
    }
  }
  return undefined;
}

function textProblem(text: string): string | undefined {
  if (text.includes('\0')) return NUL_MESSAGE;
  if (LONE_SURROGATE.test(text)) return SURROGATE_MESSAGE;
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
