import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Versioned } from '../db/row-version.ts';
import { PreconditionFailedError } from '../errors.ts';
import { etagOf } from './responses.ts';

/**
 * Evaluates If-Match (RFC 9110, 13.1.1) for a write of one resource. Without the header, or with `*` (any
 * current representation: the write itself answers 404 when there is none), there is nothing to check and
 * the write is unconditional. Otherwise the resource is read with its row version; unless a listed tag is,
 * by strong comparison, the ETag its GET answers now (`represent` gives that GET's body), the answer is 412.
 * The returned version is what the write must be conditioned on, so that a writer in between also gives 412.
 */
export async function ifMatchVersion<T>(
  event: APIGatewayProxyEventV2,
  resource: string,
  read: () => Promise<Versioned<T>>,
  represent: (row: T) => unknown,
): Promise<string | undefined> {
  const header = event.headers['if-match'];
  if (header === undefined) return undefined;
  const tags = header.split(',').map((t) => t.trim());
  if (tags.includes('*')) return undefined;
  const { row, version } = await read();
  // A weak tag (W/"…") never matches strongly; our ETags have no commas to split.
  if (!tags.includes(etagOf(represent(row)))) throw new PreconditionFailedError(resource);
  return version;
}
