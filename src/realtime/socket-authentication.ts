import type { TokenVerifier } from "../http/access-token.js";
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
 * for a REST request (`requestedTenant`: the handshake's `tenantId`, or the organization the namespace names).
 * Throws AppError (unauthenticated, token_expired, forbidden, validation_failed).
 */
export function authenticateSocket(
  deps: { verifyToken: TokenVerifier; tenants: TenantRegistry },
  auth: unknown,
  requestedTenant: string | undefined,
): SocketIdentity {
  const token = (auth as { token?: unknown } | null | undefined)?.token;
  const principal = deps.verifyToken(typeof token === "string" ? token : undefined);
  const tenantId = selectTenantId(principal, requestedTenant, (id) => deps.tenants.has(id));
  return { userId: principal.userId, tenantId, expiresAtMs: principal.expiresAtMs };
}
