import type { Readiness } from "../readiness.js";
import type { OperationHandler } from "../operation-router.js";

/**
 * The public port's probes. /healthz: the process answers. /readyz: every tenant's Conversations Service answers —
 * said as ready or not only; which tenants exist and which failed is for operators (the metrics listener's /readyz).
 */
export function healthHandlers(readiness: () => Promise<Readiness>): Record<string, OperationHandler> {
  return {
    getHealth: () => ({ body: { status: "ok" } }),
    getReadiness: async () => {
      const { status } = await readiness();
      return { status: status === "ready" ? 200 : 503, body: { status } };
    },
  };
}
