import { describe, expect, it } from 'vitest';
import { iJsonIssue } from '#shared/http/i-json.ts';

const pathOf = (text: string) => iJsonIssue(text, 'body')?.path;

describe('I-JSON checks on a request body', () => {
  it('name a key given twice in one object, also when one is written with escapes', () => {
    expect(pathOf('{"title":"a","title":"b"}')).toBe('body.title');
    expect(pathOf('{"s":{"a":1,"\\u0061":2}}')).toBe('body.s.a');
    expect(pathOf('{"l":[{"a":1},{"b":1,"b":2}]}')).toBe('body.l.1.b');
  });

  it('let equal keys in different objects through', () => {
    expect(pathOf('{"a":{"a":{"a":1}},"b":[{"a":1},{"a":1}],"c":{"a":[1,{"a":2}]}}')).toBeUndefined();
  });

  it('name a "__proto__" key, which zod drops from the objects it copies', () => {
    expect(pathOf('{"s":{"__proto__":{"x":1}}}')).toBe('body.s.__proto__');
    expect(pathOf('{"s":{"__pro\\u0074o__":1}}')).toBe('body.s.__proto__');
    expect(pathOf('{"s":{"constructor":{"prototype":1}},"t":"__proto__"}')).toBeUndefined();
  });

  it('name numbers a double cannot hold and integers past 2^53', () => {
    expect(pathOf('{"a":1e309}')).toBe('body.a');
    expect(pathOf('{"a":[0,1,-1E400]}')).toBe('body.a.2');
    expect(pathOf('{"a":1e-400}')).toBe('body.a');
    expect(pathOf('{"a":9007199254740992}')).toBe('body.a');
    expect(pathOf('{"a":-12345678901234567890}')).toBe('body.a');
    expect(pathOf('[1,2,99999999999999999999]')).toBe('body.2');
    expect(iJsonIssue('{"a":1e309}', 'body')?.message).toMatch(/64-bit float/);
    expect(iJsonIssue('{"a":9007199254740992}', 'body')?.message).toMatch(/string/);
  });

  it('let numbers JavaScript reads as written through', () => {
    expect(
      pathOf('{"a":9007199254740991,"b":-9007199254740991,"c":-0,"d":0.0e-999,"e":1.5e300,"f":5e-324}'),
    ).toBeUndefined();
  });

  it('read strings as text: braces, quotes, digits and keys inside values mean nothing', () => {
    expect(
      pathOf('{"a":"{\\"a\\":1,\\"a\\":2} 1e999 [","b":"x\\\\","c":"99999999999999999999"}'),
    ).toBeUndefined();
    expect(pathOf('{"a":"x","b":{"k":"a"},"k":1}')).toBeUndefined();
  });

  it('never throw on text that is not JSON (the parser answers it first)', () => {
    expect(pathOf('{"a":')).toBeUndefined();
    expect(pathOf('{"a":"unterminated')).toBeUndefined();
    expect(pathOf('')).toBeUndefined();
  });

  it('find a repeated key at the end of a 1 MiB body', () => {
    const body = JSON.stringify({
      items: Array.from({ length: 20_000 }, (_, i) => ({ id: i, name: `n${i}`, v: [1.5, -2, true, null] })),
    });
    expect(body.length).toBeGreaterThan(1_000_000);
    expect(pathOf(body)).toBeUndefined();
    expect(pathOf(`${body.slice(0, -1)},"items":1}`)).toBe('body.items');
  });
});
