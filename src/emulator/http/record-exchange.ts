import type { Next } from "koa";
import type { EmulatorContext, EmulatorDeps } from "./emulator-state.js";
import { Params } from "./params.js";

/** Parses query + form into state, then logs the whole exchange once it is answered. */
export function recordExchange(deps: EmulatorDeps) {
  return async (ctx: EmulatorContext, next: Next) => {
    // The body parser parsed a form into Params; any other body carries no form parameters.
    const body = (ctx.request as { body?: unknown }).body;
    ctx.state.form = body instanceof Params ? body : Params.parse("");
    ctx.state.query = Params.parse(ctx.querystring);
    ctx.state.events = [];
    try {
      await next();
    } finally {
      const exchange = {
        method: ctx.method,
        path: ctx.path,
        query: ctx.state.query.toRecord(),
        form: ctx.state.form.toRecord(),
        headers: { ...ctx.request.headers } as Record<string, string>,
        status: ctx.status,
        // A file (MCS content) is not kept in the log: only JSON answers are.
        responseBody: Buffer.isBuffer(ctx.body) || typeof (ctx.body as { pipe?: unknown } | null)?.pipe === "function" ? null : (ctx.body ?? null),
        accountSid: ctx.state.account?.sid ?? null,
      };
      deps.requests.add(exchange);
      deps.emitExchange(exchange);
    }
  };
}
