import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { AppError } from "../errors.js";
import type { AccountUser } from "./account-records.js";
import type { AccountsContext } from "./accounts-context.js";
import { hashPassword, verifyPassword } from "./password-hash.js";
import { checkPasswordPolicy } from "./password-policy.js";
import { newSessionId } from "./session-tokens.js";
import { grantFor, type SessionGrant } from "./sessions.js";

/** An invite token: `<user id>.<secret>`; only the secret's SHA-256 is kept (in the user's record). */
export function newInvite(ttlSeconds: number): { token: (userId: string) => string; hash: string; expiresAt: string } {
  const secret = randomBytes(24).toString("base64url");
  return {
    token: (userId) => `${userId}.${secret}`,
    hash: sha256(secret),
    expiresAt: new Date(Date.now() + ttlSeconds * 1000).toISOString(),
  };
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** A new password replaces the hash and signs every other session out: a new token version, one new session. */
async function replacePassword(context: AccountsContext, user: AccountUser, password: string): Promise<SessionGrant> {
  checkPasswordPolicy(password, { email: user.email }, "newPassword");
  const passwordHash = await hashPassword(password, context.settings.passwordScryptCost);
  const sessionId = newSessionId();
  const written = await context.users.update(user.id, (current) => ({
    ...current,
    passwordHash,
    tokenVersion: current.tokenVersion + 1,
    sessions: { [sessionId]: 0 },
  }));
  return grantFor(context, written, sessionId);
}

/** Changes the signed-in user's own password; the current one must be given. */
export async function changePassword(
  context: AccountsContext,
  userId: string,
  input: { currentPassword?: string; newPassword: string },
  ip: string,
): Promise<SessionGrant> {
  if (!input.currentPassword) throw new AppError("validation_failed", "currentPassword is required", { field: "currentPassword" });
  const user = await context.users.fetch(userId);
  if (!user) throw new AppError("unauthenticated", "the session has ended; sign in again", { field: "Authorization" });
  // A stolen access token must not become a way to guess the password: failures count like sign-in's.
  await context.throttle.attempt(ip, user.email);
  if (!user.passwordHash || !(await verifyPassword(input.currentPassword, user.passwordHash))) {
    await context.throttle.failed(user.email);
    throw new AppError("unauthenticated", "currentPassword is incorrect", { field: "currentPassword" });
  }
  return replacePassword(context, user, input.newPassword);
}

const INVALID_INVITE = () => new AppError("unauthenticated", "the invite token is invalid or expired", { field: "inviteToken" });

/**
 * Sets an invited user's password with the token their inviter was given and signs them in. The token is checked
 * and spent under the user's write lock, so it works once even when presented twice at the same moment.
 */
export async function acceptInvite(context: AccountsContext, input: { inviteToken: string; newPassword: string }): Promise<SessionGrant> {
  const [userId, secret] = input.inviteToken.split(".");
  if (!userId || !secret || !/^US[0-9a-fA-F]{32}$/.test(userId)) throw INVALID_INVITE();
  checkPasswordPolicy(input.newPassword, {}, "newPassword");
  const passwordHash = await hashPassword(input.newPassword, context.settings.passwordScryptCost);
  const sessionId = newSessionId();
  const written = await context.users
    .update(userId, (current) => {
      const invite = current.invite;
      if (!invite || Date.parse(invite.expiresAt) < Date.now()) throw INVALID_INVITE();
      const expected = Buffer.from(invite.hash, "hex");
      const actual = Buffer.from(sha256(secret), "hex");
      if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) throw INVALID_INVITE();
      checkPasswordPolicy(input.newPassword, { email: current.email }, "newPassword");
      return { ...current, invite: undefined, passwordHash, tokenVersion: current.tokenVersion + 1, sessions: { [sessionId]: 0 } };
    })
    .catch((error) => {
      if (error instanceof AppError && error.code === "not_found") throw INVALID_INVITE();
      throw error;
    });
  return grantFor(context, written, sessionId);
}
