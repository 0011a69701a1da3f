import type { TenantRegistry } from "../tenants/tenant-registry.js";

/** How long a readiness answer is reused, so frequent probes do not become frequent upstream calls. */
const READINESS_TTL_MS = 5000;

/** Ready when every tenant's Conversations Service answers; the per-tenant detail is for operators only. */
export interface Readiness {
  status: "ready" | "unavailable";
  tenants: Record<string, "ok" | "unreachable">;
}

/** Checks every tenant's Conversations Service, at most once per READINESS_TTL_MS (concurrent probes share it). */
export function createReadinessCheck(tenants: TenantRegistry, options: { skip?: (tenantId: string) => boolean } = {}): () => Promise<Readiness> {
  let cached: { at: number; result: Promise<Readiness> } | undefined;
  const check = async (): Promise<Readiness> => {
    const checks = await Promise.all(
      tenants.all().filter((inbox) => !options.skip?.(inbox.tenant.id)).map(async (inbox) => {
        try {
          await inbox.gateway.checkReachable();
          return [inbox.tenant.id, "ok"] as const;
        } catch {
          return [inbox.tenant.id, "unreachable"] as const;
        }
      }),
    );
    return { status: checks.every(([, state]) => state === "ok") ? "ready" : "unavailable", tenants: Object.fromEntries(checks) };
  };
  return () => {
    if (!cached || Date.now() - cached.at > READINESS_TTL_MS) cached = { at: Date.now(), result: check() };
    return cached.result;
  };
}
