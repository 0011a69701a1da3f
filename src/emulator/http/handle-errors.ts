import type { Next } from "koa";
import { TwilioError, twilioErrorBody } from "../twilio-error.js";
import type { EmulatorContext } from "./emulator-state.js";

/** Turns TwilioErrors (and anything unexpected) into Twilio's error body. */
export function handleErrors() {
  return async (ctx: EmulatorContext, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = twilioErrorBody(404, 20404, `The requested resource ${ctx.path} was not found`);
      }
    } catch (error) {
      const twilioError =
        error instanceof TwilioError ? error : new TwilioError(500, 20500, "Internal Server Error");
      if (!(error instanceof TwilioError)) console.error("[twilio-emulator]", error);
      ctx.status = twilioError.status;
      ctx.body = twilioError.toBody();
      if (twilioError.retryAfterSeconds !== undefined) {
        ctx.set("Retry-After", String(twilioError.retryAfterSeconds));
      }
    }
  };
}
