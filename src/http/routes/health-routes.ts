import type { TenantRegistry } from "../../tenants/tenant-registry.js";
import type { OperationHandler } from "../operation-router.js";

/** How long a readiness answer is reused, so frequent probes do not become frequent upstream calls. */
const READINESS_TTL_MS = 5000;

/** /healthz: the process answers. /readyz: every tenant's Conversations Service answers. */
export function healthHandlers(tenants: TenantRegistry): Record<string, OperationHandler> {
  let cached: { at: number; result: { status: "ready" | "unavailable"; tenants: Record<string, "ok" | "unreachable"> } } | undefined;
  return {
    getHealth: () => ({ body: { status: "ok" } }),
    getReadiness: async () => {
      if (!cached || Date.now() - cached.at > READINESS_TTL_MS) {
        const checks = await Promise.all(
          tenants.all().map(async (inbox) => {
            try {
              await inbox.gateway.checkReachable();
              return [inbox.tenant.id, "ok"] as const;
            } catch {
              return [inbox.tenant.id, "unreachable"] as const;
            }
          }),
        );
        const ready = checks.every(([, state]) => state === "ok");
        cached = { at: Date.now(), result: { status: ready ? "ready" : "unavailable", tenants: Object.fromEntries(checks) } };
      }
      return { status: cached.result.status === "ready" ? 200 : 503, body: cached.result };
    },
  };
}
