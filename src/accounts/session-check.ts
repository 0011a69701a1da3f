import { AppError } from "../errors.js";
import type { Principal } from "../http/access-token.js";
import type { TenantRegistry } from "../tenants/tenant-registry.js";
import type { Accounts } from "./accounts-context.js";

const ENDED = () => new AppError("unauthenticated", "the session has ended; sign in again", { field: "Authorization" });

/**
 * The operation router's principal check. A token this gateway issued is held against its user's record (read at
 * most SESSION_CHECK_CACHE_MS ago): a bumped token version (refresh reuse, password change), a closed session
 * (logout) or a deleted user ends it, and the role and tenant are the record's, so a role change applies without a
 * new token. Any token naming a tenant created at sign-up that this instance does not serve yet has it loaded.
 */
export function createSessionCheck(accounts: Accounts, registry: TenantRegistry): (principal: Principal) => Promise<Principal> {
  const check = createPrincipalCheck(accounts, registry);
  return async (principal) => check(principal);
}

/**
 * The same check, answering at once (no promise) where it has nothing to wait for: a token that names no session
 * and only tenants served already. The operation router runs it on every request.
 */
export function createPrincipalCheck(accounts: Accounts, registry: TenantRegistry): (principal: Principal) => Principal | Promise<Principal> {
  const full = fullCheck(accounts, registry);
  return (principal) => {
    if (principal.session) return full(principal);
    if (accounts.enabled) for (const tenantId of principal.tenantIds) if (!registry.has(tenantId)) return full(principal);
    return principal;
  };
}

function fullCheck(accounts: Accounts, registry: TenantRegistry): (principal: Principal) => Promise<Principal> {
  return async (principal) => {
    if (accounts.enabled) {
      for (const tenantId of principal.tenantIds) if (!registry.has(tenantId)) await (await accounts.context()).tenants.ensure(tenantId);
    }
    if (!principal.session) return principal;
    if (!accounts.enabled) throw ENDED();
    const user = await (await accounts.context()).users.get(principal.userId);
    const { sessionId, tokenVersion } = principal.session;
    if (!user || user.tokenVersion !== tokenVersion || !(sessionId in user.sessions) || !principal.tenantIds.includes(user.tenantId)) throw ENDED();
    return { ...principal, role: user.role, tenantIds: [user.tenantId] };
  };
}
