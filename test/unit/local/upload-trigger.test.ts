import { describe, expect, it } from 'vitest';
import { ingestWithRetries } from '../../../infra/local/upload-trigger.ts';

describe('the local upload trigger', () => {
  it('tries a failed ingest twice more, as Lambda retries an asynchronous invocation, and keeps a late success', async () => {
    let calls = 0;
    const errors: number[] = [];
    let abandoned = false;
    await ingestWithRetries(
      async () => {
        calls += 1;
        if (calls < 3) throw new Error('deadlock detected');
      },
      async () => {
        abandoned = true;
      },
      (_error, attempt) => errors.push(attempt),
      [1, 1],
    );
    expect({ calls, errors, abandoned }).toEqual({ calls: 3, errors: [0, 1], abandoned: false });
  });

  it('abandons the upload after the third failure', async () => {
    let calls = 0;
    let abandoned = false;
    await ingestWithRetries(
      async () => {
        calls += 1;
        throw new Error('still failing');
      },
      async () => {
        abandoned = true;
      },
      () => undefined,
      [1, 1],
    );
    expect({ calls, abandoned }).toEqual({ calls: 3, abandoned: true });
  });
});
