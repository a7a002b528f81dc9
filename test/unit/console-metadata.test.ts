import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../../console/src/api.ts';
import { metadataOf } from '../../console/src/metadata.ts';

const refusal = (text: string) => {
  try {
    metadataOf(text);
  } catch (error) {
    return error instanceof ApiProblem ? error.fields : error;
  }
  throw new Error(`${text} was taken`);
};

describe("the console's clip metadata field", () => {
  it('takes a JSON object, and an empty field as no metadata', () => {
    expect(metadataOf(' {"scene": 3, "tags": ["snow"]} ')).toEqual({ scene: 3, tags: ['snow'] });
    expect(metadataOf('  \n')).toEqual({});
  });

  it('points out on the field what is not JSON, or not an object', () => {
    expect(refusal('{scene: 3}')).toEqual({
      metadata: expect.stringMatching(/^is not valid JSON; write an object/),
    });
    for (const text of ['[1, 2]', '"snow"', '3', 'null'])
      expect(refusal(text)).toEqual({ metadata: expect.stringMatching(/^must be a JSON object/) });
  });
});
