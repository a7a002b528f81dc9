/**
 * The I-JSON rules (RFC 7493) that JSON.parse does not enforce, so that a body is never stored as something
 * other than what was sent: JSON.parse keeps the last of two equal keys, reads 1e309 as Infinity (which
 * JSON.stringify writes as null) and 1e-400 as 0, rounds integers past 2^53 to another integer, and zod drops
 * a `"__proto__"` key from the objects it copies. Each is a 400 naming the field instead.
 */
import type { FieldIssue } from '../errors.ts';

interface Container {
  /** The keys seen so far (an object), or null (an array). */
  keys: Set<string> | null;
  /** The member being read: the last key of an object, the element's index in an array. */
  member: string;
  index: number;
}

const [QUOTE, COMMA, MINUS, PLUS, DOT, BACKSLASH] = [0x22, 0x2c, 0x2d, 0x2b, 0x2e, 0x5c];
const [OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET] = [0x7b, 0x7d, 0x5b, 0x5d];
const [DIGIT_0, DIGIT_9, LOWER_E, UPPER_E] = [0x30, 0x39, 0x65, 0x45];
const isNumberChar = (c: number) =>
  (c >= DIGIT_0 && c <= DIGIT_9) || c === MINUS || c === PLUS || c === DOT || c === LOWER_E || c === UPPER_E;
const PLAIN_INTEGER = /^-?\d+$/;

/**
 * The first field of a JSON text that JavaScript would read differently from what it says, or undefined.
 * Reads `text`, which JSON.parse has accepted, in one pass without recursion (the request guard has
 * bounded its nesting already).
 */
export function iJsonIssue(text: string, root: string): FieldIssue | undefined {
  const stack: Container[] = [];
  let expectKey = false;
  /** The path of the member being read (each open container's current member), put together for an issue. */
  const here = () => [root, ...stack.map((c) => c.member)].join('.');
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      const object = c === OPEN_BRACE;
      stack.push({ keys: object ? new Set() : null, member: '0', index: 0 });
      expectKey = object;
      i += 1;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      stack.pop();
      expectKey = false;
      i += 1;
    } else if (c === COMMA) {
      const top = stack.at(-1);
      if (top?.keys) expectKey = true;
      else if (top) {
        top.index += 1;
        top.member = String(top.index);
      }
      i += 1;
    } else if (c === QUOTE) {
      const end = stringEnd(text, i);
      const top = stack.at(-1);
      if (expectKey && top?.keys) {
        const key = keyOf(text.slice(i, end));
        if (key === undefined) return undefined;
        top.member = key;
        if (key === '__proto__') {
          return { path: here(), message: 'must not be a key: JavaScript objects cannot keep "__proto__"' };
        }
        if (top.keys.has(key)) {
          return { path: here(), message: 'is given twice in one object; send each key once' };
        }
        top.keys.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === MINUS || (c >= DIGIT_0 && c <= DIGIT_9)) {
      let end = i + 1;
      while (end < text.length && isNumberChar(text.charCodeAt(end))) end += 1;
      const message = numberProblem(text.slice(i, end));
      if (message) return { path: here(), message };
      i = end;
    } else i += 1;
  }
  return undefined;
}

/** The index just past the string token that starts at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0) return text.length;
    // The quote ends the string unless an odd number of backslashes escapes it.
    let slashes = 0;
    while (text.charCodeAt(quote - 1 - slashes) === BACKSLASH) slashes += 1;
    if (slashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

function keyOf(token: string): string | undefined {
  if (!token.includes('\\')) return token.slice(1, -1);
  try {
    return JSON.parse(token) as string;
  } catch {
    return undefined;
  }
}

/** Why JavaScript would not read this JSON number as written, if it would not. */
function numberProblem(token: string): string | undefined {
  // Up to 15 digits with no exponent is always read exactly.
  if (token.length <= 15 && !token.includes('e') && !token.includes('E')) return undefined;
  const value = Number(token);
  if (Number.isNaN(value)) return undefined;
  const [mantissa = ''] = token.split(/[eE]/);
  if (!Number.isFinite(value) || (value === 0 && /[1-9]/.test(mantissa))) {
    return 'must be a number a 64-bit float can hold (magnitude from about 5e-324 to 1.8e308)';
  }
  if (PLAIN_INTEGER.test(token) && !Number.isSafeInteger(value)) {
    return 'must be an integer from -9007199254740991 to 9007199254740991 (larger ones lose digits); send it as a string';
  }
  return undefined;
}
