/**
 * An AWS SDK client given either as an instance or as a factory called on first use. Composition roots pass
 * factories that `await import()` the client package, so a Lambda function loads only the SDK clients its
 * routes reach: an unused client costs neither construction nor module load at cold start.
 */
export type ClientSource<C extends object> = C | (() => Promise<C>);

/** The client, built once by the first caller (a failed build is retried by the next). */
export function clientGetter<C extends object>(source: ClientSource<C>): () => Promise<C> {
  if (typeof source !== 'function') return () => Promise.resolve(source);
  let client: Promise<C> | undefined;
  return () => {
    client ??= source().catch((error: unknown) => {
      client = undefined;
      throw error;
    });
    return client;
  };
}
