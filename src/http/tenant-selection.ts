import { AppError } from "../errors.js";
import type { TenantInbox } from "../inbox/tenant-inbox.js";
import type { TenantRegistry } from "../tenants/tenant-registry.js";
import type { Principal } from "./access-token.js";

/**
 * How a surface refuses a tenant the request may not use. "Not granted by the token", "not served here" and "no
 * such tenant" get one answer, word for word, and it names no tenant, so a caller learns nothing about which
 * tenants exist or what an alias maps to.
 */
export type TenantRefusal = () => AppError;

/** The chat, inbound SMS and organization inbox APIs: 403, naming the field that chose the tenant. */
export const forbiddenTenant =
  (field: string): TenantRefusal =>
  () =>
    new AppError("forbidden", "the token does not grant this tenant", { field });

/** The PHP-compatible API: what the PHP backend answered an unknown `account_id`, which its frontends handle. */
export const accountNotFound: TenantRefusal = () => new AppError("tenant_not_found", "Account not found", { field: "account_id" });

/**
 * Picks the one tenant a request runs in: the `X-Tenant-Id` header when given, else the token's only tenant.
 * A tenant the token does not grant, or one this deployment does not serve, is refused — never a silent fallback.
 */
export function selectTenantId(
  principal: Principal,
  requested: string | undefined,
  served: (id: string) => boolean,
  refuse: TenantRefusal = forbiddenTenant("X-Tenant-Id"),
): string {
  if (requested !== undefined) {
    if (!principal.tenantIds.includes(requested) || !served(requested)) throw refuse();
    return requested;
  }
  if (principal.tenantIds.length > 1)
    throw new AppError("validation_failed", "the token grants several tenants: X-Tenant-Id must choose one", { field: "X-Tenant-Id" });
  const only = principal.tenantIds[0];
  if (only === undefined || !served(only)) throw new AppError("forbidden", "the token grants no tenant served here", { field: "Authorization" });
  return only;
}

/**
 * The tenant a request names itself — the organization inbox's path, the PHP-compatible API's `account_id` — by
 * id or alias. Unknown, unserved and not granted are refused alike (`refuse`), so an alias never reveals its tenant.
 */
export function selectNamedTenant(tenants: TenantRegistry, principal: Principal, idOrAlias: string, refuse: TenantRefusal): TenantInbox {
  const inbox = tenants.findByIdOrAlias(idOrAlias);
  if (!inbox || !principal.tenantIds.includes(inbox.tenant.id)) throw refuse();
  return inbox;
}
