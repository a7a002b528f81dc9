/**
 * An AWS SDK client given either as an instance or as a factory called on first use. Composition roots pass
 * factories that `await import()` the client package, so a Lambda function loads only the SDK clients its
 * routes reach: an unused client costs neither construction nor module load at cold start.
 *
 * Every client is traced here (shared/observability/tracing.ts), whichever way it was given.
 */
import { tracedClient } from '../observability/tracing.ts';

export type ClientSource<C extends object> = C | (() => Promise<C>);

/** The client, built once by the first caller (a failed build is retried by the next). */
export function clientGetter<C extends object>(source: ClientSource<C>): () => Promise<C> {
  if (typeof source !== 'function') {
    const client = Promise.resolve(tracedClient(source));
    return () => client;
  }
  let client: Promise<C> | undefined;
  return () => {
    client ??= source()
      .then(tracedClient)
      .catch((error: unknown) => {
        client = undefined;
        throw error;
      });
    return client;
  };
}
