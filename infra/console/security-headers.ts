/**
 * The web console's security headers, one definition for CloudFront (deployed) and the local server, so that
 * `npm start` cannot be framed by another page either, and a console change the policy would block fails
 * locally (the browser test) before it breaks a deployed stage.
 */

/**
 * The Content-Security-Policy, given where media, thumbnails and API calls may come from besides the page's
 * own origin. hls.js plays through blob: URLs and a blob: worker; Pico CSS draws its icons as data: images.
 */
export function consoleContentSecurityPolicy(remoteSources: string): string {
  return (
    "default-src 'self'; script-src 'self'; style-src 'self'; " +
    `img-src 'self' ${remoteSources} data:; media-src 'self' ${remoteSources} blob:; ` +
    `connect-src 'self' ${remoteSources}; worker-src 'self' blob:; ` +
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
  );
}

/** Deployed: signed media links of the bucket, the API and the event stream's function URL, all https. */
export const DEPLOYED_REMOTE_SOURCES = 'https:';

/** `npm start` serves media from the S3 stand-in, on another port of this machine over plain http. */
const LOCAL_REMOTE_SOURCES = 'https: http://127.0.0.1:* http://localhost:*';

/**
 * What the local server sends with every console file: the deployed response headers policy, less HSTS
 * (the local server speaks plain http).
 */
export const LOCAL_CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': consoleContentSecurityPolicy(LOCAL_REMOTE_SOURCES),
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-content-type-options': 'nosniff',
};
