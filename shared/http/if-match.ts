import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Versioned } from '../db/row-version.ts';
import { PreconditionFailedError } from '../errors.ts';
import { etagOf, noneMatchNames } from './responses.ts';

/**
 * Evaluates the preconditions of a write of one resource: If-Match (RFC 9110, 13.1.1), then If-None-Match
 * (13.1.2). Without either, or with If-Match `*` alone (any current representation: the write itself answers
 * 404 when there is none), the write is unconditional and nothing is read. Otherwise the resource is read
 * with its row version and `represent` gives the body its GET answers, whose ETag is compared:
 * - If-Match fails (412) unless a listed tag is that ETag, by strong comparison;
 * - If-None-Match fails (412) on `*`, since the resource exists, or when a listed tag is the ETag, by weak
 *   comparison: a client that sent it wanted the write only if the resource is no longer what it saw.
 * The returned version is what the write must be conditioned on, so that a writer in between also gives 412.
 */
export async function ifMatchVersion<T>(
  event: APIGatewayProxyEventV2,
  resource: string,
  read: () => Promise<Versioned<T>>,
  represent: (row: T) => unknown,
): Promise<string | undefined> {
  const match = event.headers['if-match']?.split(',').map((t) => t.trim());
  const noneMatch = event.headers['if-none-match'] !== undefined;
  if (!noneMatch && (match === undefined || match.includes('*'))) return undefined;
  const { row, version } = await read();
  const etag = etagOf(represent(row));
  // A weak tag (W/"…") never matches strongly; our ETags have no commas to split.
  if (match && !match.includes('*') && !match.includes(etag)) throw new PreconditionFailedError(resource);
  if (noneMatchNames(event, etag)) throw new PreconditionFailedError(resource, 'If-None-Match');
  return version;
}
