import type { Context } from "koa";
import { AppError } from "../errors.js";

const LOOPBACK_PEER = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;
const LOOPBACK_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i;

/**
 * Refuses (403) a request unless it comes from a page of this origin opened on this machine: the TCP peer is
 * loopback (the real peer, not X-Forwarded-For), no proxy forwarded it (a reverse proxy on this host would make
 * every remote client look local), the Host is a loopback name (a DNS-rebinding page reaches 127.0.0.1 under its own
 * name), and a browser says it is same-origin (Sec-Fetch-Site, Origin), so another site's script — even with
 * CORS_ORIGINS=* — cannot read the answer.
 */
export function assertLocalPageRequest(ctx: Context): void {
  const refuse = (why: string) => {
    throw new AppError("forbidden", `only a page opened on this machine may ask for this: ${why}`);
  };
  if (!LOOPBACK_PEER.test(ctx.req.socket.remoteAddress ?? "")) refuse("the client is not on loopback");
  if (ctx.get("x-forwarded-for") || ctx.get("forwarded")) refuse("the request came through a proxy");
  const host = ctx.get("host");
  if (!LOOPBACK_HOST.test(host)) refuse("the Host is not a loopback name");
  const site = ctx.get("sec-fetch-site");
  if (site && site !== "same-origin") refuse(`Sec-Fetch-Site is ${site}`);
  const origin = ctx.get("origin");
  if (origin && origin !== `${ctx.protocol}://${host}`) refuse("the Origin is another site");
}
