import { createHmac } from 'node:crypto';
import { hmacKey } from '../crypto/hmac-key.ts';

/** The stable, keyed stand-in for an erased user's id in the audit log: not reversible without the key. */
export function auditPseudonym(key: Uint8Array, userId: string): string {
  return `erased:${createHmac('sha256', hmacKey(key)).update(userId).digest('base64url')}`;
}
