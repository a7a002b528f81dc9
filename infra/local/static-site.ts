/**
 * Serves the built web console (console/dist) at `/`, as CloudFront serves it from S3 when deployed, with
 * the same security headers.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { LOCAL_CONSOLE_HEADERS } from '../console/security-headers.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/**
 * Answers a GET or HEAD for a file of the console; false when `pathname` is not one. `config.json` is what
 * the deployed site gets at deploy time: here the API and its event stream share this origin.
 */
export async function serveConsole(
  dir: string,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (pathname === '/config.json') {
    res
      .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(req.method === 'HEAD' ? undefined : JSON.stringify({ apiUrl: '', eventsUrl: '' }));
    return true;
  }
  const relative = pathname === '/' ? 'index.html' : decodedPath(pathname)?.replace(/^\/+/, '');
  // A path that is not percent-encoding names no file here (the API answers it).
  if (relative === undefined) return false;
  const file = path.resolve(dir, relative);
  if (!file.startsWith(path.resolve(dir) + path.sep)) return false;
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) return false;
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'content-length': info.size,
    // Hashed asset names never change; the page itself is checked each time.
    'cache-control': relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...LOCAL_CONSOLE_HEADERS,
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
  return true;
}

function decodedPath(pathname: string): string | undefined {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
}
