import { expect, it } from 'vitest';
import { titleFromPrompt } from '#shared/clips/title.ts';

it('takes a title of the prompt’s first 100 units without cutting a character in half', () => {
  const fox = '\u{1F98A}';
  expect(titleFromPrompt(`${'a'.repeat(99)}${fox} in snow`, 'x')).toBe('a'.repeat(99));
  expect(titleFromPrompt(`${'a'.repeat(98)}${fox} in snow`, 'x')).toBe(`${'a'.repeat(98)}${fox}`);
  expect(titleFromPrompt('  a fox  ', 'x')).toBe('a fox');
  expect(titleFromPrompt('   ', 'generate 1234')).toBe('generate 1234');
});
