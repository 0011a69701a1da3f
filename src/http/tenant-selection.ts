import { AppError } from "../errors.js";
import type { Principal } from "./access-token.js";

/**
 * Picks the one tenant a request runs in: the `X-Tenant-Id` header when given, else the token's only tenant.
 * A tenant the token does not grant, or one this deployment does not serve, is 403 — never a silent fallback.
 */
export function selectTenantId(principal: Principal, requested: string | undefined, served: (id: string) => boolean): string {
  if (principal.tenantIds.length === 0) throw new AppError("forbidden", "the token grants no tenant");
  let tenantId: string;
  if (requested !== undefined) {
    if (!principal.tenantIds.includes(requested))
      throw new AppError("forbidden", `the token does not grant tenant ${requested}`, { field: "X-Tenant-Id" });
    tenantId = requested;
  } else if (principal.tenantIds.length === 1) {
    tenantId = principal.tenantIds[0]!;
  } else {
    throw new AppError("validation_failed", "the token grants several tenants: X-Tenant-Id must choose one", { field: "X-Tenant-Id" });
  }
  if (!served(tenantId)) throw new AppError("forbidden", `tenant ${tenantId} is not served here`, { field: "X-Tenant-Id" });
  return tenantId;
}
