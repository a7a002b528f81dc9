/**
 * SHA-256 and HMAC-SHA256 for the AWS SDK clients' SigV4 signing, given to every client through its
 * documented `sha256` option (`sdkConfig`). It computes what the SDK's own node:crypto class computes; the
 * difference is how an HMAC key reaches node:crypto. Given a Buffer, Node 24's createHmac (24.18 and 24.21
 * measured; 26.10 no longer) first asks whether the key is a KeyObject or a CryptoKey by throwing and
 * catching an error for each, and an error captures the stack: deep in the SDK's middleware that is about
 * a third of a presigned link's CPU and a tenth of a StartExecution call's (bench/sdk-signing.ts). A
 * KeyObject passes both checks at once.
 * SigV4's signing key is derived once a day per credentials and passed as the same bytes every time, so
 * each is turned into a KeyObject once (weakly held); a string key goes to node:crypto as it is.
 */
import { createHash, createHmac, createSecretKey, type Hash, type Hmac, type KeyObject } from 'node:crypto';

type SourceData = string | ArrayBuffer | ArrayBufferView;

/** Per key array: the KeyObject made from it, and a copy of the bytes it was made from. */
const keyObjects = new WeakMap<object, { bytes: Buffer; key: KeyObject }>();

function bytesOf(data: ArrayBuffer | ArrayBufferView): Buffer {
  return ArrayBuffer.isView(data)
    ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
    : Buffer.from(data);
}

function hmacKey(secret: SourceData): string | KeyObject {
  if (typeof secret === 'string') return secret;
  const bytes = bytesOf(secret);
  const kept = keyObjects.get(secret);
  // The same array with other bytes in it (nothing in the SDK reuses one, but nothing forbids it either).
  if (kept?.bytes.equals(bytes)) return kept.key;
  const key = createSecretKey(bytes);
  keyObjects.set(secret, { bytes: Buffer.from(bytes), key });
  return key;
}

/** The SDK's `Checksum` (and `Hash`) interface: update, digest, reset; an HMAC when given a secret. */
export class KeyObjectSha256 {
  readonly digestLength = 32;
  readonly #secret: SourceData | undefined;
  #hash: Hash | Hmac;
  #finished = false;

  constructor(secret?: SourceData) {
    // As the SDK's class: an empty string is no secret.
    this.#secret = secret || undefined;
    this.#hash = this.#create();
  }

  update(data: SourceData, encoding?: 'utf8' | 'ascii' | 'latin1'): void {
    if (this.#finished) throw new Error('Attempted to update an already finished hash.');
    if (typeof data === 'string') this.#hash.update(data, encoding ?? 'utf8');
    else this.#hash.update(bytesOf(data));
  }

  /** An HMAC is finished by its digest; a plain hash may go on (as the SDK's class, it digests a copy). */
  async digest(): Promise<Uint8Array> {
    let out: Buffer;
    if (this.#secret === undefined) out = (this.#hash as Hash).copy().digest();
    else {
      this.#finished = true;
      out = this.#hash.digest();
    }
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }

  reset(): void {
    this.#hash = this.#create();
    this.#finished = false;
  }

  #create(): Hash | Hmac {
    return this.#secret === undefined ? createHash('sha256') : createHmac('sha256', hmacKey(this.#secret));
  }
}

/** An AWS SDK client's configuration with the signing hash above; `new SFNClient(sdkConfig())`. */
export function sdkConfig<C extends object>(config?: C): C & { sha256: typeof KeyObjectSha256 } {
  return { ...(config ?? ({} as C)), sha256: KeyObjectSha256 };
}
