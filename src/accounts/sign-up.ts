import { AppError } from "../errors.js";
import { newTenantId } from "../tenants/dynamic-tenants.js";
import type { AccountsContext } from "./accounts-context.js";
import { normaliseEmail } from "./email-identity.js";
import { hashPassword } from "./password-hash.js";
import { checkPasswordPolicy } from "./password-policy.js";
import { newSessionId } from "./session-tokens.js";
import { grantFor, type SessionGrant } from "./sessions.js";

/**
 * Sign-up: a new tenant (a Conversations Service of the platform account, with its record) and its OWNER (a User of
 * the directory service). The owner is created first: Twilio's identity uniqueness claims the email, so a taken email
 * (409) creates nothing else. Should the tenant fail, the owner is removed again.
 */
export async function signUp(
  context: AccountsContext,
  input: { tenantName: string; email: string; password: string; name: string },
  ip: string,
): Promise<SessionGrant> {
  if (!context.settings.registrationEnabled) throw new AppError("forbidden", "sign-up is closed on this deployment (REGISTRATION_ENABLED)");
  const email = normaliseEmail(input.email);
  checkPasswordPolicy(input.password, { email });
  await context.throttle.attempt(ip, `sign-up:${ip}`);
  const tenantId = newTenantId();
  const sessionId = newSessionId();
  const owner = await context.users
    .create({
      email,
      name: input.name.trim(),
      role: "OWNER",
      tenantId,
      passwordHash: await hashPassword(input.password, context.settings.passwordScryptCost),
      tokenVersion: 0,
      sessions: { [sessionId]: 0 },
      createdAt: new Date().toISOString(),
    })
    .catch((error) => {
      if (error instanceof AppError && error.code === "conflict") throw new AppError("conflict", "an account with this email already exists", { field: "email" });
      throw error;
    });
  try {
    await context.tenants.create({ name: input.tenantName.trim() }, tenantId);
  } catch (error) {
    await context.users.delete(owner.id).catch(() => undefined);
    throw error;
  }
  return grantFor(context, owner, sessionId);
}
