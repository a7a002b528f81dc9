/**
 * A browser POST upload's policy, checked as S3 checks it: the policy's signature, its expiration, each of
 * its conditions, and that the form carries no field the policy does not name.
 */
import { createHmac } from 'node:crypto';
import { type Credentials, parseAmzDate, parseCredential, S3AuthError, signingKey } from './s3-sigv4.ts';

/** Form fields S3 leaves out of the policy's conditions (x-ignore-* too). */
const UNCONDITIONED = new Set(['policy', 'x-amz-signature', 'file']);

export interface SizeRange {
  minBytes: number;
  maxBytes: number;
}

const refused = (why: string) => new S3AuthError(403, 'AccessDenied', `Invalid according to Policy: ${why}`);

/**
 * `fields` are the form's fields before the file, names lower-cased. Returns the size range the file must
 * fall in (content-length-range; any size up to S3's 5 GB when the policy sets none).
 */
export function checkPostPolicy(
  fields: ReadonlyMap<string, string>,
  bucket: string,
  credentials: Credentials,
  now: number,
): SizeRange {
  const policy = fields.get('policy');
  const provided = fields.get('x-amz-signature');
  const credential = fields.get('x-amz-credential');
  const amzDate = fields.get('x-amz-date');
  if (!policy || !provided || !credential || !amzDate || fields.get('x-amz-algorithm') !== 'AWS4-HMAC-SHA256')
    throw new S3AuthError(
      403,
      'AccessDenied',
      'A POST upload needs the Policy, X-Amz-Algorithm (AWS4-HMAC-SHA256), X-Amz-Credential, X-Amz-Date ' +
        'and X-Amz-Signature fields.',
    );
  if (Number.isNaN(parseAmzDate(amzDate)))
    throw new S3AuthError(400, 'InvalidArgument', 'X-Amz-Date must look like 20261127T161500Z.');
  const scope = parseCredential(credential, amzDate, credentials, 'InvalidArgument');
  const key = signingKey(credentials.secretAccessKey, scope.date, scope.region, scope.service);
  if (createHmac('sha256', key).update(policy, 'utf8').digest('hex') !== provided)
    throw new S3AuthError(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );

  let document: { expiration?: unknown; conditions?: unknown };
  try {
    document = JSON.parse(Buffer.from(policy, 'base64').toString('utf8'));
  } catch {
    throw new S3AuthError(400, 'InvalidPolicyDocument', 'The policy is not base64-encoded JSON.');
  }
  const expiration = Date.parse(String(document.expiration));
  if (Number.isNaN(expiration))
    throw new S3AuthError(400, 'InvalidPolicyDocument', 'The policy has no valid expiration.');
  if (now > expiration) throw refused('Policy expired.');
  if (!Array.isArray(document.conditions))
    throw new S3AuthError(400, 'InvalidPolicyDocument', 'The policy has no conditions list.');

  const fieldValue = (name: string) => (name === 'bucket' ? bucket : fields.get(name));
  const named = new Set<string>();
  const range: SizeRange = { minBytes: 0, maxBytes: 5 * 1024 ** 3 };
  for (const condition of document.conditions as unknown[]) {
    const failed = () => refused(`Policy Condition failed: ${JSON.stringify(condition)}`);
    if (Array.isArray(condition)) {
      const [op, a, b] = condition as [unknown, unknown, unknown];
      if (op === 'content-length-range') {
        range.minBytes = Number(a);
        range.maxBytes = Number(b);
        continue;
      }
      const name = String(a).replace(/^\$/, '').toLowerCase();
      named.add(name);
      const value = fieldValue(name);
      if (op === 'eq' && value !== b) throw failed();
      if (op === 'starts-with' && !(value ?? '').startsWith(String(b))) throw failed();
      if (op !== 'eq' && op !== 'starts-with')
        throw new S3AuthError(400, 'InvalidPolicyDocument', `Unknown condition ${JSON.stringify(condition)}`);
    } else if (condition && typeof condition === 'object') {
      for (const [field, expected] of Object.entries(condition)) {
        const name = field.toLowerCase();
        named.add(name);
        if (fieldValue(name) !== expected) throw failed();
      }
    }
  }
  const extra = [...fields.keys()].filter(
    (name) => !UNCONDITIONED.has(name) && !name.startsWith('x-ignore-') && !named.has(name),
  );
  if (extra.length > 0) throw refused(`Extra input fields: ${extra.join(', ')}`);
  return range;
}
