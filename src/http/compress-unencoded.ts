import type { Middleware } from "koa";
import compress from "koa-compress";

const NOTHING_NEXT = () => Promise.resolve();

/**
 * koa-compress for the answers a handler did not encode itself. koa-compress does its work once the handlers are
 * done (before them it only adds `Vary: Accept-Encoding`), so it runs after them here, and not at all for an answer
 * whose handler chose the coding (a cached page: `ctx.compress = false`, Vary set by the router) — the warm
 * compressed read (and a 304) costs no compression middleware.
 */
export function compressUnencoded(options: compress.CompressOptions): Middleware {
  const compressor = compress(options);
  return async (ctx, next) => {
    await next();
    // A 304 has no body to compress; its handler names the Vary a 200 would carry (RFC 9110 §15.4.5).
    if ((ctx as { compress?: boolean }).compress === false || ctx.status === 304) return;
    await compressor(ctx, NOTHING_NEXT);
  };
}
