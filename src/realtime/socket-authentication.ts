import type { Principal, TokenVerifier } from "../http/access-token.js";
import { selectTenantId } from "../http/tenant-selection.js";
import type { TenantRegistry } from "../tenants/tenant-registry.js";

/** Who a socket is: set on `socket.data` by the handshake check, on every namespace. */
export interface SocketIdentity {
  userId: string;
  tenantId: string;
  /** The token's `exp` in ms since the epoch: the socket is disconnected then. */
  expiresAtMs: number;
}

/**
 * The one handshake check of every namespace (`/`, `/chat`, the organization live namespaces), and of a socket
 * recovering its session: the token in `auth.token` verified by the same code as REST, then the tenant selected as
 * for a REST request (`requestedTenant`: the handshake's `tenantId`, or the organization the namespace names), with
 * the same session check as REST.
 * Throws AppError (unauthenticated, token_expired, forbidden, validation_failed).
 */
export async function authenticateSocket(
  deps: SocketAuthenticationDependencies,
  auth: unknown,
  requestedTenant: string | undefined,
): Promise<{ identity: SocketIdentity; principal: Principal }> {
  const token = (auth as { token?: unknown } | null | undefined)?.token;
  const verified = deps.verifyToken(typeof token === "string" ? token : undefined);
  const principal = deps.checkPrincipal ? await deps.checkPrincipal(verified) : verified;
  const tenantId = selectTenantId(principal, requestedTenant, (id) => deps.tenants.has(id));
  return { identity: { userId: principal.userId, tenantId, expiresAtMs: principal.expiresAtMs }, principal };
}

export interface SocketAuthenticationDependencies {
  verifyToken: TokenVerifier;
  tenants: TenantRegistry;
  /**
   * As for REST (src/accounts/session-check.ts): a session token of this gateway is held against its user's record
   * (ended sessions refused, the current role and tenant), and a tenant created on another instance is loaded.
   */
  checkPrincipal?: (principal: Principal) => Promise<Principal>;
}
