import type { IncomingMessage, ServerResponse } from "node:http";
import helmet, { type HelmetOptions } from "helmet";
import type { Middleware } from "koa";

/**
 * helmet's security headers. Its policy (and ours: no nonces, no per-request directives) is the same for every
 * response, so helmet computes the headers once, at boot, and each response gets them from that table — instead
 * of a dozen middleware calls and a promise per request (≈ 10 µs, seen in a CPU profile of the warm list).
 *
 * They are added once the answer is made, where the handler did not set its own (the inbox page's and media's
 * Content-Security-Policy), and not to a 304: RFC 9110 §15.4.5 has a 304 carry only the validator and caching
 * fields a 200 would (ETag, Cache-Control, Vary, …) and no other metadata — the client keeps using its stored 200,
 * with that 200's own security headers. A poll answered 304 is then about 700 bytes and a dozen header checks
 * lighter.
 */
export function securityHeaders(options?: Readonly<HelmetOptions>): Middleware {
  const headers = new Map<string, string>();
  const removed = new Set<string>();
  const recorder = {
    setHeader(name: string, value: unknown) {
      headers.set(name, String(value));
      return recorder;
    },
    removeHeader(name: string) {
      headers.delete(name);
      removed.add(name);
    },
  };
  let done = false;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
    done = true;
  });
  if (!done) throw new Error("helmet did not finish at once: its options depend on the request, so it cannot be computed once");
  // Lower case, as Node keeps header names (hasHeader lower-cases its argument on every call otherwise).
  const table = [...headers].map(([name, value]) => [name.toLowerCase(), name, value] as const);
  const removals = [...removed];
  return (ctx, next) =>
    next().then(() => {
      // Straight to Node's response (no response has sent its headers yet here: Koa answers once every middleware
      // is done): Koa's ctx.set adds a check and a type test per header on top of Node's own validation.
      const res = ctx.res;
      for (const name of removals) res.removeHeader(name);
      if (ctx.status === 304) return;
      for (const [lower, name, value] of table) if (!res.hasHeader(lower)) res.setHeader(name, value);
    });
}
