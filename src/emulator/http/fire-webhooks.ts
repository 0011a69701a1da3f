import type { Next } from "koa";
import type { WebhookDispatcher } from "../webhooks/webhook-dispatcher.js";
import type { EmulatorContext } from "./emulator-state.js";

/** Fires the events a request produced once its response has gone out. */
export function fireWebhooks(dispatcher: WebhookDispatcher) {
  return async (ctx: EmulatorContext, next: Next) => {
    await next();
    if (ctx.state.events.length === 0) return;
    const sent = new Promise<void>((resolve) => {
      ctx.res.once("finish", () => resolve());
      ctx.res.once("close", () => resolve());
    });
    dispatcher.enqueue(ctx.state.events, sent);
  };
}
