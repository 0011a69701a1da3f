import { AppError } from "../errors.js";
import type { AccountsContext } from "./accounts-context.js";
import { normaliseEmail } from "./email-identity.js";
import { hashPassword, verifyPassword } from "./password-hash.js";
import { openSession, type SessionGrant } from "./sessions.js";

/** One hash computed at first use, so an unknown email costs the same scrypt work as a wrong password. */
let decoyHash: Promise<string> | undefined;

const WRONG = () => new AppError("unauthenticated", "email or password is incorrect");

/**
 * Signs a user in. A wrong password, an unknown email and an invited user without a password get the same answer
 * after the same work (a scrypt verification); failures count against the account (by email, existing or not) and
 * every attempt against the client address (LoginThrottle → 429 with Retry-After).
 */
export async function signIn(context: AccountsContext, input: { email: string; password: string }, ip: string): Promise<SessionGrant> {
  const email = normaliseEmail(input.email);
  await context.throttle.attempt(ip, email);
  const user = await context.users.findByEmail(email);
  const hash = user?.passwordHash ?? (await (decoyHash ??= hashPassword("decoy password never used", context.settings.passwordScryptCost)));
  const matches = await verifyPassword(input.password, hash);
  if (!user || !user.passwordHash || !matches) {
    await context.throttle.failed(email);
    throw WRONG();
  }
  await context.throttle.succeeded(email);
  return openSession(context, user.id);
}
