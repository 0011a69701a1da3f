import { createPublicKey, createSecretKey } from "node:crypto";
import jwt from "jsonwebtoken";
import { LRUCache } from "lru-cache";
import type { Config } from "../config.js";
import { EXTERNAL_TOKEN_DEFAULT_ROLE, isRole, type Role } from "../accounts/roles.js";
import { SESSION_ISSUER, SESSION_KEY_ID } from "../accounts/session-tokens.js";
import { AppError } from "../errors.js";

/** Who is calling: the user id, the tenants their token grants, and their role there. */
export interface Principal {
  userId: string;
  tenantIds: string[];
  /** When the token expires (its `exp`), in ms since the epoch: sockets are disconnected then. */
  expiresAtMs: number;
  /** The token's `role` claim; an external token without one acts as EXTERNAL_TOKEN_DEFAULT_ROLE. */
  role: Role;
  /** Set for tokens this gateway issued (src/accounts/): checked against the user's record on every REST request. */
  session?: { sessionId: string; tokenVersion: number };
}

export type TokenVerifier = (token: string | undefined) => Principal;

/**
 * Tokens verified lately, by their exact text: a client sends the same token on every request until it expires, and
 * its signature, claims and lifetime check give the same answer each time — only the clock moves, so `exp` is checked
 * again on every use. A token that fails is never remembered. Bounded: past this many, the least recently used go.
 */
const VERIFIED_TOKENS_MAX = 10_000;

/**
 * Verifies access tokens for REST and Socket.IO alike: the algorithm is pinned by configuration (so `none` and the
 * other family are refused), `exp` must be present and in the future and, with a maximum lifetime configured, no
 * further off than that (see `lifetimeSeconds`), `sub` (or `userId`) names the user and `tenants` (array) or `tenant`
 * (string) the tenants they belong to.
 */
export function createTokenVerifier(settings: Config["jwt"], sessionSecret?: string): TokenVerifier {
  // Built once: given a string, jsonwebtoken tries to parse it as a public key on every call (~1 ms) first.
  const key = settings.algorithm === "HS256" ? createSecretKey(Buffer.from(settings.verificationKey)) : createPublicKey(settings.verificationKey);
  const sessionKey = sessionSecret ? createSecretKey(Buffer.from(sessionSecret)) : undefined;
  const verified = new LRUCache<string, Principal>({ max: VERIFIED_TOKENS_MAX });
  const verify = (token: string): Principal => {
    let payload: jwt.JwtPayload;
    // Tokens this gateway issued name their key (`kid`); every other token is checked exactly as before.
    const own = sessionKey !== undefined && headerKeyId(token) === SESSION_KEY_ID;
    try {
      const decoded = own
        ? jwt.verify(token, sessionKey, { algorithms: ["HS256"], issuer: SESSION_ISSUER })
        : jwt.verify(token, key, {
            algorithms: [settings.algorithm],
            issuer: settings.issuer,
            audience: settings.audience,
          });
      if (typeof decoded === "string") throw new Error("payload is not an object");
      payload = decoded;
    } catch (error) {
      if (error instanceof jwt.TokenExpiredError)
        throw new AppError("token_expired", "the token has expired", { field: "Authorization" });
      throw new AppError("unauthenticated", "the token is invalid", { field: "Authorization" });
    }
    if (typeof payload.exp !== "number")
      throw new AppError("unauthenticated", "the token has no expiry (exp)", { field: "Authorization" });
    const maxLifetime = settings.maxLifetimeSeconds ?? 0;
    if (maxLifetime > 0 && lifetimeSeconds(payload.exp, payload.iat, Date.now() / 1000) > maxLifetime)
      throw new AppError("unauthenticated", `the token lives longer than the ${maxLifetime} s this API accepts`, { field: "Authorization" });
    const userId = typeof payload.sub === "string" && payload.sub ? payload.sub : payload.userId;
    if (typeof userId !== "string" || userId.length === 0)
      throw new AppError("unauthenticated", "the token names no user (sub)", { field: "Authorization" });
    const tenants: unknown = payload.tenants ?? (payload.tenant !== undefined ? [payload.tenant] : []);
    const tenantIds = Array.isArray(tenants) ? tenants.filter((t): t is string => typeof t === "string") : [];
    if (own) {
      // A refresh token is no access token; a session token always names its session, version and role.
      if (payload.typ !== "access" || typeof payload.sid !== "string" || !Number.isInteger(payload.ver) || !isRole(payload.role))
        throw new AppError("unauthenticated", "the token is invalid", { field: "Authorization" });
      return { userId, tenantIds, expiresAtMs: payload.exp * 1000, role: payload.role, session: Object.freeze({ sessionId: payload.sid, tokenVersion: payload.ver }) };
    }
    // An issuer may spell the role in lower case; any other value is refused rather than guessed at.
    const role = typeof payload.role === "string" ? payload.role.toUpperCase() : payload.role;
    if (role !== undefined && !isRole(role))
      throw new AppError("unauthenticated", "the token's role is not OWNER, ADMIN or AGENT", { field: "Authorization" });
    return { userId, tenantIds, expiresAtMs: payload.exp * 1000, role: role ?? EXTERNAL_TOKEN_DEFAULT_ROLE };
  };
  return (token) => {
    if (!token) throw new AppError("unauthenticated", "a Bearer token is required", { field: "Authorization" });
    let principal = verified.get(token);
    if (!principal) {
      principal = verify(token);
      Object.freeze(principal.tenantIds);
      verified.set(token, Object.freeze(principal));
    }
    // As jsonwebtoken decides it (expired once now ≥ exp): a remembered token expires on time.
    if (Date.now() >= principal.expiresAtMs) {
      verified.delete(token);
      throw new AppError("token_expired", "the token has expired", { field: "Authorization" });
    }
    return principal;
  };
}

/** Leeway for an issuer whose clock runs ahead of ours, when the lifetime is counted from now. */
const CLOCK_SKEW_SECONDS = 60;

/**
 * How long a token claims to live: `exp - iat`, and never less than `exp - now` (less the clock-skew leeway), so a
 * token without `iat`, or with an `iat` set in the future to look short-lived, is measured from now.
 */
export function lifetimeSeconds(exp: number, iat: unknown, nowSeconds: number): number {
  const fromNow = exp - nowSeconds - CLOCK_SKEW_SECONDS;
  return typeof iat === "number" && Number.isFinite(iat) ? Math.max(exp - iat, fromNow) : fromNow;
}

/** The token from `Authorization: Bearer <token>`, if any. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1];
}

/** The `kid` of a JWT's header, read without parsing its payload (the verifier's hot path); undefined if none. */
function headerKeyId(token: string): unknown {
  const end = token.indexOf(".");
  if (end <= 0 || end > 1024) return undefined;
  try {
    return (JSON.parse(Buffer.from(token.slice(0, end), "base64url").toString("utf8")) as { kid?: unknown })?.kid;
  } catch {
    return undefined;
  }
}
