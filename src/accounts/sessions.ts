import { AppError } from "../errors.js";
import { MAX_SESSIONS_PER_USER, publicUser, type AccountUser } from "./account-records.js";
import type { AccountsContext } from "./accounts-context.js";
import { newSessionId } from "./session-tokens.js";

/** What sign-up, sign-in, refresh and a password change answer (inside the `{ success, data }` envelope). */
export interface SessionGrant {
  user: ReturnType<typeof publicUser>;
  tenant: { id: string; name: string };
  token: string;
  refreshToken: string;
  /** Seconds the access token lives. */
  expiresIn: number;
}

/** Adds a session to a user's record (dropping the oldest beyond MAX_SESSIONS_PER_USER); returns the new record. */
export function withNewSession(user: AccountUser, sessionId: string): AccountUser {
  const kept = Object.entries(user.sessions).slice(-(MAX_SESSIONS_PER_USER - 1));
  return { ...user, sessions: Object.fromEntries([...kept, [sessionId, 0]]) };
}

/** Access and refresh tokens for session `sessionId` of `user`, as written. */
export function grantFor(context: AccountsContext, user: AccountUser, sessionId: string): SessionGrant {
  const counter = user.sessions[sessionId] ?? 0;
  const inbox = context.registry.has(user.tenantId) ? context.registry.get(user.tenantId) : undefined;
  return {
    user: publicUser(user),
    tenant: { id: user.tenantId, name: inbox?.tenant.name ?? user.tenantId },
    token: context.tokens.access(user, sessionId),
    refreshToken: context.tokens.refresh({ userId: user.id, sessionId, counter, tokenVersion: user.tokenVersion }),
    expiresIn: context.tokens.accessTokenTtlSeconds,
  };
}

/** Opens a session for `userId` (one read and one write of their record). */
export async function openSession(context: AccountsContext, userId: string): Promise<SessionGrant> {
  const sessionId = newSessionId();
  const user = await context.users.update(userId, (current) => withNewSession(current, sessionId));
  return grantFor(context, user, sessionId);
}

const REVOKED = () => new AppError("unauthenticated", "the refresh token is invalid or expired", { field: "refreshToken" });

/**
 * Rotates a refresh token: the one presented must be its session's current one; the answer carries the next. A
 * token presented again after its rotation (a copy in someone else's hands, or the owner's after theft) revokes every
 * session of the user: the token version goes up, so every access and refresh token issued before is refused.
 */
export async function refreshSession(context: AccountsContext, refreshToken: string): Promise<SessionGrant> {
  const claims = context.tokens.verifyRefresh(refreshToken);
  let reused = false;
  const user = await context.users
    .update(claims.userId, (current) => {
      if (current.tokenVersion !== claims.tokenVersion) throw REVOKED();
      const expected = current.sessions[claims.sessionId];
      // A session already closed (logout, or the oldest dropped): this token is merely dead, nothing was stolen.
      if (expected === undefined) throw REVOKED();
      if (expected === claims.counter) return { ...current, sessions: { ...current.sessions, [claims.sessionId]: expected + 1 } };
      reused = true;
      return { ...current, tokenVersion: current.tokenVersion + 1, sessions: {} };
    })
    .catch((error) => {
      if (error instanceof AppError && error.code === "not_found") throw REVOKED();
      throw error;
    });
  if (reused) throw new AppError("unauthenticated", "this refresh token was already used: every session of the account is signed out", { field: "refreshToken" });
  return grantFor(context, user, claims.sessionId);
}

/** Ends the session of the access token (its refresh token and, within the session-check cache, the access token). */
export async function closeSession(context: AccountsContext, userId: string, sessionId: string): Promise<void> {
  await context.users.update(userId, (current) => {
    if (!(sessionId in current.sessions)) return undefined;
    const sessions = { ...current.sessions };
    delete sessions[sessionId];
    return { ...current, sessions };
  });
}
