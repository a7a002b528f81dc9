/**
 * HLS through a private bucket. A signed S3 URL covers one object, but a player resolves the variant
 * playlists and segments relative to the master playlist, where no signature follows. So the API serves
 * the playlists under a path that carries a short-lived HMAC token (`/v1/media/hls/{token}/{file}`):
 * relative variant URIs resolve under the same token, and segment URIs are rewritten to signed S3 URLs.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { hmacKey } from '../crypto/hmac-key.ts';
import { NotFoundError } from '../errors.ts';

export interface HlsGrant {
  userId: string;
  clipId: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

const b64 = (data: Buffer | string) => Buffer.from(data).toString('base64url');
const mac = (key: Uint8Array, payload: string) => createHmac('sha256', hmacKey(key)).update(payload).digest();

export function signHlsToken(key: Uint8Array, grant: HlsGrant): string {
  const payload = b64(`${grant.userId}.${grant.clipId}.${grant.expiresAt}`);
  return `${payload}.${b64(mac(key, payload))}`;
}

/**
 * A token this key did not sign, or one that has expired: a refused credential, answered as not found
 * (the link's media is unknown to whoever holds it).
 */
export class RefusedHlsTokenError extends NotFoundError {
  constructor() {
    super('media');
  }
}

/** The grant of a token this key signed and that has not expired; anything else is refused. */
export function verifyHlsToken(key: Uint8Array, token: string, now = Date.now()): HlsGrant {
  const [payload, signature, extra] = token.split('.');
  const expected = payload ? mac(key, payload) : undefined;
  const given = signature ? Buffer.from(signature, 'base64url') : undefined;
  if (
    extra !== undefined ||
    !expected ||
    !given ||
    given.length !== expected.length ||
    !timingSafeEqual(given, expected)
  ) {
    throw new RefusedHlsTokenError();
  }
  const [userId, clipId, expiresAt] = Buffer.from(payload!, 'base64url').toString().split('.');
  if (!userId || !clipId || !expiresAt || Number(expiresAt) * 1000 <= now) throw new RefusedHlsTokenError();
  return { userId, clipId, expiresAt: Number(expiresAt) };
}

/** A playlist file name as written by the transcoder (no paths, no tricks). */
export const PLAYLIST_NAME = /^[\w-]+\.m3u8$/;

/**
 * Rewrites a playlist: segment URIs become signed URLs; playlist URIs stay relative (they resolve under
 * the same token). Tags and comments pass through.
 */
export async function rewritePlaylist(text: string, signSegment: (name: string) => Promise<string>) {
  const lines = await Promise.all(
    text.split('\n').map(async (line) => {
      const uri = line.trim();
      if (!uri || uri.startsWith('#') || PLAYLIST_NAME.test(uri)) return line;
      if (!/^[\w-]+\.(ts|m4s|mp4|aac)$/.test(uri)) return '';
      return signSegment(uri);
    }),
  );
  return lines.join('\n');
}
