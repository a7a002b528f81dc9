/**
 * SHA-256 and HMAC-SHA256 for the AWS SDK clients' SigV4 signing, given to every client through its
 * `sha256` option (`sdkConfig`). It computes what the SDK's own node:crypto class computes; the difference
 * is that HMAC keys reach node:crypto as KeyObjects (crypto/hmac-key.ts): on Node 24 that is about a third
 * of a presigned link's CPU and a tenth of a StartExecution call's (bench/sdk-signing.ts). SigV4's signing
 * key is derived once a day per credentials and passed as the same bytes every time, so each becomes a
 * KeyObject once. The SDK's types mark the option internal: test/unit/sdk/sha256.test.ts compares
 * signatures, presigned links and a whole call's Authorization header with the SDK's own, so an SDK that
 * used it otherwise would show there.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { bytesOf, hmacKey } from '../crypto/hmac-key.ts';

type SourceData = string | ArrayBuffer | ArrayBufferView;

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
