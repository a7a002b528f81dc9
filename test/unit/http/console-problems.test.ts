import { describe, expect, it } from 'vitest';
import { problem } from '#shared/http/problem.ts';
import { fieldErrors, problemOf } from '../../../console/src/problems.ts';

describe('the console’s mapping of a problem to form fields', () => {
  it('puts each error on the field its path names, the first message winning', () => {
    const refused = problem(400, 'validation-error', 'The request body is not valid; see errors.', {
      errors: [
        { path: 'body.title', message: 'must not be empty' },
        { path: 'body.title', message: 'must be readable text' },
        { path: 'body.parameters.durationSeconds', message: 'Luma Ray 2 makes 5 or 9 s' },
        { path: 'body.parameters.variables.animal', message: 'required by the template' },
        { path: 'query.limit', message: 'must be at most 100' },
        { path: 'body.sourceClipIds', message: 'give exactly one clip id' },
      ],
    });
    expect(fieldErrors(refused)).toEqual({
      title: 'must not be empty',
      'parameters.durationSeconds': 'Luma Ray 2 makes 5 or 9 s',
      'parameters.variables.animal': 'required by the template',
      limit: 'must be at most 100',
      sourceClipIds: 'give exactly one clip id',
    });
  });

  it('has no field errors for a problem without any', () => {
    expect(fieldErrors(problem(403, 'tier-limit', 'The FREE tier makes clips up to 30 s.'))).toEqual({});
  });
});

describe('the console’s reading of an answer that is not problem+json', () => {
  const answer = (status: number, retryAfter: string | null = null) => ({
    status,
    statusText: '',
    retryAfter,
  });

  it('keeps the API’s own problem as it is', () => {
    const own = problem(429, 'too-many-requests', 'You already have 2 active jobs; wait for one to finish.');
    expect(problemOf(own, answer(429, '30'))).toBe(own);
  });

  it('says when to try again after the gateway’s throttle, from Retry-After', () => {
    expect(problemOf({ message: 'Too Many Requests' }, answer(429, '7')).detail).toBe(
      'Too many requests at once; try again in 7 s.',
    );
    expect(problemOf(undefined, answer(429)).detail).toBe(
      'Too many requests at once; try again in a moment.',
    );
  });

  it('says a gateway error is worth another try', () => {
    expect(problemOf({ message: 'Endpoint request timed out' }, answer(504)).detail).toBe(
      'The service could not answer (Endpoint request timed out); try again in a moment.',
    );
  });
});
