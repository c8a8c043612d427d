// The dashboard's files at /ui: the page and its hashed assets, embedded in the executable by
// build.mjs (read from dist/ui when running from the sources), compressed once and kept in memory.
// The page talks only to /v0 with the signed-in user's rights, so nothing here needs a principal.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import type { Context, Env, Hono } from 'hono';
import { NotFoundError } from '../errors.js';
import { errorAnswer, errorResponse } from './errors-http.js';

/** The page may load only its own files and talk only to its own origin (the API and its WebSockets). */
export const UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // xterm.js sizes its rows with a <style> element it writes at run time.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
  svg: 'image/svg+xml',
  woff2: 'font/woff2',
};

/** One file of the dashboard with its compressed forms. */
interface UiFile { type: string; raw: Buffer; br: Buffer; gzip: Buffer }

interface SeaAssets { isSea(): boolean; getAsset(key: string): ArrayBuffer }

/** node:sea when running as the single executable; null under tsx (node:sea has no ESM typings in Node 20). */
function seaAssets(): SeaAssets | null {
  try {
    const req = typeof require === 'function' ? require : createRequire(import.meta.url);
    const sea = req('node:sea') as SeaAssets;
    return sea.isSea() ? sea : null;
  } catch {
    return null;
  }
}

/** Reads the dashboard's files: from the executable's assets, else from dist/ui; null when it was never built. */
function loadFiles(): Map<string, UiFile> | null {
  const sea = seaAssets();
  const read = sea
    ? (name: string) => Buffer.from(sea.getAsset(`ui/${name}`))
    : (name: string) => readFileSync(new URL(`../../dist/ui/${name}`, import.meta.url));
  let names: string[];
  try {
    names = (JSON.parse(read('manifest.json').toString('utf8')) as { files: string[] }).files;
  } catch {
    return null;
  }
  const files = new Map<string, UiFile>();
  for (const name of names) {
    const raw = read(name);
    files.set(name, {
      type: TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream',
      raw,
      br: brotliCompressSync(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
      gzip: gzipSync(raw, { level: 9 }),
    });
  }
  return files;
}

/** The answer for one file, in the best encoding the browser accepts. */
function answer(c: Context, file: UiFile, headers: Record<string, string>): Response {
  const accepted = c.req.header('accept-encoding') ?? '';
  const [body, encoding] = /\bbr\b/.test(accepted) ? [file.br, 'br'] : /\bgzip\b/.test(accepted) ? [file.gzip, 'gzip'] : [file.raw, null];
  const h: Record<string, string> = {
    ...headers,
    'content-type': file.type,
    'content-length': String(body.length),
    vary: 'Accept-Encoding',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
  if (encoding) h['content-encoding'] = encoding;
  return new Response(c.req.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers: h });
}

/** Whether a path is one of the dashboard's files (public: the page signs in through the API). */
export function isUiPath(path: string): boolean {
  return path === '/ui' || path === '/ui/' || (path.startsWith('/ui/assets/') && !path.includes('/', '/ui/assets/'.length));
}

/** Serve the dashboard at /ui (the page) and /ui/assets/* (immutable, hashed); authentication lets isUiPath through. */
export function mountUi<E extends Env>(app: Hono<E>): void {
  let files: Map<string, UiFile> | null | undefined;
  const get = () => (files === undefined ? (files = loadFiles()) : files);
  const notFound = (msg: string) => errorResponse(errorAnswer(new NotFoundError(msg), { challenge: false }));
  const missing = () => notFound('the dashboard is not built into this haas: run npm run build');

  app.get('/ui', (c) => c.redirect('/ui/', 301));
  app.get('/ui/', (c) => {
    const page = get()?.get('index.html');
    if (!page) return missing();
    return answer(c, page, { 'cache-control': 'no-cache', 'content-security-policy': UI_CSP, 'x-frame-options': 'DENY' });
  });
  app.get('/ui/assets/:file', (c) => {
    const all = get();
    if (!all) return missing();
    const file = all.get(`assets/${c.req.param('file')}`);
    if (!file) return notFound(`no such dashboard file: ${c.req.path}`);
    return answer(c, file, { 'cache-control': 'public, max-age=31536000, immutable' });
  });
}
