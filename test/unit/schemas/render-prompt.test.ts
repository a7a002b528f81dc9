import { expect, it } from 'vitest';
import { renderPrompt } from '#shared/templates/schema.ts';

it('counts only own string properties of the variables; prototype names are missing', () => {
  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
    const rendered = renderPrompt(`a {{${name}}} fox`, { animal: 'cat' });
    expect(rendered, name).toEqual({ text: 'a  fox', missing: [name] });
  }
  expect(renderPrompt('{{length}}', 'abc' as never).missing).toEqual(['length']);
  expect(renderPrompt('{{a}}', { a: 5 } as never).missing).toEqual(['a']);
  const own = JSON.parse('{"constructor":"builder","__proto__":"x"}') as Record<string, string>;
  expect(renderPrompt('{{constructor}} {{__proto__}}', own)).toEqual({ text: 'builder x', missing: [] });
});
