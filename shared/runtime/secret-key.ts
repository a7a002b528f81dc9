import { tracedClient } from '../observability/tracing.ts';
import { sdkConfig } from '../sdk/sha256.ts';

/** A key kept in Secrets Manager, fetched on first use and kept for the life of the container. */
export function secretKey(secretArn: string | undefined, name: string): () => Promise<Uint8Array> {
  let key: Promise<Uint8Array> | undefined;
  return () => {
    if (!secretArn) return Promise.reject(new Error(`${name} is not set`));
    key ??= import('@aws-sdk/client-secrets-manager')
      .then(({ GetSecretValueCommand, SecretsManagerClient }) =>
        tracedClient(new SecretsManagerClient(sdkConfig())).send(
          new GetSecretValueCommand({ SecretId: secretArn }),
        ),
      )
      .then((out) => Buffer.from(out.SecretString ?? '', 'utf8'))
      .catch((error: unknown) => {
        key = undefined;
        throw error;
      });
    return key;
  };
}
