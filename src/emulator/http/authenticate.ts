import type { Next } from "koa";
import type { Store } from "../model/store.js";
import { TwilioError } from "../twilio-error.js";
import type { EmulatorContext } from "./emulator-state.js";

/** HTTP Basic with AccountSid + AuthToken; anything else is 401 with code 20003. */
export function authenticate(store: Store) {
  return async (ctx: EmulatorContext, next: Next) => {
    const header = ctx.get("authorization");
    const match = /^Basic\s+(.+)$/i.exec(header);
    const decoded = match ? Buffer.from(match[1]!, "base64").toString("utf8") : "";
    const separator = decoded.indexOf(":");
    const username = decoded.slice(0, separator);
    const password = decoded.slice(separator + 1);
    const account = separator > 0 ? store.accounts.get(username) : undefined;
    if (!account || account.authToken !== password) {
      throw new TwilioError(401, 20003, "Authenticate");
    }
    ctx.state.account = account;
    await next();
  };
}
