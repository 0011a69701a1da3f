import { createHash, timingSafeEqual } from "node:crypto";
import type { Next } from "koa";
import type { Store } from "../model/store.js";
import type { Account } from "../model/types.js";
import { TwilioError } from "../twilio-error.js";
import type { EmulatorContext } from "./emulator-state.js";

/** Compares digests, so neither the content nor the length of the expected secret leaks through timing. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * The account a Basic-auth pair acts as: AccountSid + AuthToken, or an API key's SID + secret (its account, and the
 * key's SID).
 */
function credentialOf(store: Store, username: string, password: string): { account: Account; apiKeySid: string | null } | undefined {
  const key = store.apiKeys.get(username);
  if (key) {
    const account = sameSecret(password, key.secret) ? store.accounts.get(key.accountSid) : undefined;
    return account && { account, apiKeySid: key.sid };
  }
  const account = store.accounts.get(username);
  return account && sameSecret(password, account.authToken) ? { account, apiKeySid: null } : undefined;
}

/** HTTP Basic with AccountSid + AuthToken or ApiKeySid + secret; anything else is 401 with code 20003. */
export function authenticate(store: Store) {
  return async (ctx: EmulatorContext, next: Next) => {
    const header = ctx.get("authorization");
    const match = /^Basic\s+(.+)$/i.exec(header);
    const decoded = match ? Buffer.from(match[1]!, "base64").toString("utf8") : "";
    const separator = decoded.indexOf(":");
    const username = decoded.slice(0, separator);
    const password = decoded.slice(separator + 1);
    const credential = separator > 0 ? credentialOf(store, username, password) : undefined;
    if (!credential) throw new TwilioError(401, 20003, "Authenticate");
    ctx.state.account = credential.account;
    ctx.state.apiKeySid = credential.apiKeySid;
    await next();
  };
}
