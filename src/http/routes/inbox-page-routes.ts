import { existsSync, readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import type { OperationHandler } from "../operation-router.js";

/**
 * Where `npm run build` writes the inbox page (src/web/): `dist/web/` at the package root. This file runs from
 * src/http/routes/ (tsx) or dist/http/routes/ (the build), both three levels below the root.
 */
export const DEFAULT_WEB_BUNDLE_DIR = fileURLToPath(new URL("../../../dist/web/", import.meta.url));

/** The page's one HTML document; every other file of the bundle is named by a hash of its content. */
export const PAGE_FILE = "index.html";

/**
 * The page's Content-Security-Policy: its own script, styles and API only. No inline script or style (the build
 * emits none), no eval, no frames or plugins, and Trusted Types required, so no string ever reaches an HTML sink.
 */
export const INBOX_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join("; ");

/** Hashed files never change under their name: a year, immutable. */
const ASSET_CACHE_CONTROL = "public, max-age=31536000, immutable";

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
};

interface BuiltFile {
  body: Buffer;
  /** Gzipped once at boot (text files only). */
  gzip?: Buffer;
  type: string;
}

export interface WebBundle {
  page: Buffer;
  assets: ReadonlyMap<string, BuiltFile>;
}

/** Reads a built bundle into memory (it is small: about 30 KB gzip); undefined when the directory holds none. */
export function loadWebBundle(dir: string): WebBundle | undefined {
  const pagePath = join(dir, PAGE_FILE);
  if (!existsSync(pagePath)) return undefined;
  const assets = new Map<string, BuiltFile>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (name === PAGE_FILE || !type) continue;
    const body = readFileSync(join(dir, name));
    assets.set(name, { body, type, ...(/^(text|application)\//.test(type) || type.includes("svg") ? { gzip: gzipSync(body, { level: 9 }) } : {}) });
  }
  return { page: readFileSync(pagePath), assets };
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Switchboard</title></head>
<body><main><h1>The inbox page is not built</h1><p>Run <code>npm run build</code> (or <code>npm start</code>, which builds first), then reload.
The API is at <a href="/docs">/docs</a>.</p></main></body></html>
`;

/** `/` and `/app/{asset}`: the inbox page, as built by `npm run build` into `dir`. */
export function inboxPageHandlers(dir: string = DEFAULT_WEB_BUNDLE_DIR): Record<string, OperationHandler> {
  const bundle = loadWebBundle(dir);
  return {
    getInboxPage: () =>
      bundle
        ? { body: bundle.page, type: "text/html; charset=utf-8", headers: { "Cache-Control": "no-cache", "Content-Security-Policy": INBOX_PAGE_CSP } }
        : { body: NOT_BUILT, type: "text/html; charset=utf-8", headers: { "Cache-Control": "no-store", "Content-Security-Policy": INBOX_PAGE_CSP } },
    getInboxAsset: ({ params, ctx }) => {
      const file = bundle?.assets.get(params.asset as string);
      if (!file) return { status: 404, body: { error: { code: "not_found", message: `no such file: ${params.asset as string}` } } };
      const gzip = file.gzip && ctx.acceptsEncodings("gzip", "identity") === "gzip";
      return {
        body: gzip ? file.gzip : file.body,
        type: file.type,
        headers: { "Cache-Control": ASSET_CACHE_CONTROL, Vary: "Accept-Encoding", ...(gzip ? { "Content-Encoding": "gzip" } : {}) },
      };
    },
  };
}
