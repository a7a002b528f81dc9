import { expect, it } from 'vitest';
import {
  RefusedHlsTokenError,
  rewritePlaylist,
  signHlsToken,
  verifyHlsToken,
} from '#shared/media/hls-links.ts';

const key = new Uint8Array(32).fill(7);
const grant = { userId: 'u1', clipId: 'c1', expiresAt: 2_000_000_000 };
const now = 1_900_000_000_000;

it('accepts its own unexpired token and refuses anything else (counted as a refused credential)', () => {
  const token = signHlsToken(key, grant);
  expect(verifyHlsToken(key, token, now)).toEqual(grant);
  expect(() => verifyHlsToken(key, token, 2_000_000_000_000)).toThrow(RefusedHlsTokenError);
  expect(() => verifyHlsToken(new Uint8Array(32).fill(8), token, now)).toThrow(RefusedHlsTokenError);
  const [payload, signature] = token.split('.');
  const forged = Buffer.from('u2.c1.2000000000').toString('base64url');
  expect(() => verifyHlsToken(key, `${forged}.${signature}`, now)).toThrow(RefusedHlsTokenError);
  expect(() => verifyHlsToken(key, `${payload}.`, now)).toThrow(RefusedHlsTokenError);
  expect(() => verifyHlsToken(key, `${token}.x`, now)).toThrow(RefusedHlsTokenError);
  expect(() => verifyHlsToken(key, 'garbage', now)).toThrow(RefusedHlsTokenError);
});

it('signs segment URIs, keeps playlist URIs relative, and drops anything else', async () => {
  const text = [
    '#EXTM3U',
    '#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=640x360',
    'index_360p.m3u8',
    '#EXTINF:6.0,',
    'index_360p_00000.ts',
    '../../../other-user/secret.ts',
    'https://evil.example/x.ts',
  ].join('\n');
  const out = await rewritePlaylist(text, async (name) => `https://signed/${name}?sig=1`);
  expect(out.split('\n')).toEqual([
    '#EXTM3U',
    '#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=640x360',
    'index_360p.m3u8',
    '#EXTINF:6.0,',
    'https://signed/index_360p_00000.ts?sig=1',
    '',
    '',
  ]);
});
