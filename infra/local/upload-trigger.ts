/**
 * The local stand-in for the upload trigger's asynchronous invocation. Deployed, Lambda tries a failed
 * invocation twice more before it goes to the on-failure queue, whose handler abandons the upload; here
 * the same three tries happen in process, a moment apart, and then the upload is abandoned.
 */
export async function ingestWithRetries(
  ingest: () => Promise<unknown>,
  abandon: () => Promise<unknown>,
  onError: (error: unknown, attempt: number) => void,
  delaysMs: readonly number[] = [200, 400],
): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await ingest();
      return;
    } catch (error) {
      onError(error, attempt);
      const delay = delaysMs[attempt];
      if (delay === undefined) break;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
  await abandon();
}
