import Koa from "koa";
import type { Logger } from "pino";
import { AppError } from "../errors.js";
import type { Metrics } from "../metrics.js";
import { errorHandler } from "./error-handler.js";
import type { Readiness } from "./readiness.js";

/**
 * What operators read, served by main.ts on its own listener (METRICS_HOST:METRICS_PORT), never on the public port:
 * `GET /metrics` (Prometheus: tenant ids, per-tenant Twilio calls and errors) and `GET /readyz` with every tenant's
 * state. Not part of openapi.yaml, which describes the public port only.
 */
export function createOperatorApp(deps: { metrics: Metrics; readiness: () => Promise<Readiness>; logger: Logger }): Koa {
  const koa = new Koa();
  koa.use(errorHandler(deps.logger));
  koa.use(async (ctx) => {
    const route = ctx.method === "GET" || ctx.method === "HEAD" ? ctx.path : undefined;
    if (route === "/metrics") {
      ctx.type = deps.metrics.registry.contentType;
      ctx.body = await deps.metrics.registry.metrics();
    } else if (route === "/readyz") {
      const readiness = await deps.readiness();
      ctx.status = readiness.status === "ready" ? 200 : 503;
      ctx.body = readiness;
    } else {
      throw new AppError("not_found", `no route for ${ctx.method} ${ctx.path}`);
    }
  });
  return koa;
}
