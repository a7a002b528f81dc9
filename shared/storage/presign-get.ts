import type { S3Client } from '@aws-sdk/client-s3';

/** SigV4 query parameters the signer adds itself; everything else in a presigned GET is the request's. */
const SIGNING_PARAMS = new Set([
  'X-Amz-Algorithm',
  'X-Amz-Content-Sha256',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-Security-Token',
  'X-Amz-Signature',
  'X-Amz-SignedHeaders',
]);
const PROBE_KEY = 'presign-probe';

/** How S3's serializer writes a `{Key+}` label: each segment URI-encoded, RFC 3986 reserved marks too. */
export function encodeKeyPath(key: string): string {
  return key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join('/');
}

/**
 * Presigned GETs of one bucket at the cost of the signature alone. `getSignedUrl` runs a whole command
 * through a cloned middleware stack, resolves the endpoint twice and builds a new signer for every link;
 * here one link is made that way for a probe key, which fixes the endpoint, the key's path prefix, the
 * signing region and the query the SDK adds (x-id, checksum mode), and every link after it is signed by
 * one long-lived presigner of the SDK (whose SigV4 signing key is derived once per day and credentials).
 * The unit test checks that its links equal getSignedUrl's, parameter for parameter.
 */
export async function createGetPresigner(client: S3Client, bucket: string) {
  const [{ GetObjectCommand }, { getSignedUrl, S3RequestPresigner }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('@aws-sdk/s3-request-presigner'),
  ]);
  const probe = new URL(
    await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: PROBE_KEY }), { expiresIn: 60 }),
  );
  if (!probe.pathname.endsWith(`/${PROBE_KEY}`))
    throw new Error(`unexpected presigned path ${probe.pathname}`);
  const prefix = probe.pathname.slice(0, -PROBE_KEY.length);
  const scope = (probe.searchParams.get('X-Amz-Credential') ?? '').split('/');
  const [signingRegion, signingService] = [scope[2], scope[3]];
  if (!signingRegion || !signingService) throw new Error('presigned probe has no credential scope');
  const extraQuery: Record<string, string> = {};
  for (const [name, value] of probe.searchParams) if (!SIGNING_PARAMS.has(name)) extraQuery[name] = value;
  const host = probe.host;
  const presigner = new S3RequestPresigner({ ...client.config, signingName: signingService });

  return async (
    key: string,
    expiresIn: number,
    contentType?: string,
    signingDate?: Date,
  ): Promise<string> => {
    const signed = await presigner.presign(
      {
        method: 'GET',
        protocol: probe.protocol,
        hostname: probe.hostname,
        ...(probe.port ? { port: Number(probe.port) } : {}),
        path: `${prefix}${encodeKeyPath(key)}`,
        query: { ...extraQuery, ...(contentType ? { 'response-content-type': contentType } : {}) },
        headers: { host },
        body: undefined,
      } as unknown as Parameters<typeof presigner.presign>[0],
      { expiresIn, signingRegion, signingService, ...(signingDate ? { signingDate } : {}) },
    );
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(signed.query ?? {})) {
      for (const v of Array.isArray(value) ? value : [value]) if (v !== null) query.append(name, v);
    }
    return `${probe.protocol}//${host}${signed.path}?${query.toString().replaceAll('+', '%20')}`;
  };
}
