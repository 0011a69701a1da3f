import type { Router } from "@koa/router";
import type { EmulatorState } from "../http/emulator-state.js";
import type { TwilioEmulator } from "../twilio-emulator.js";
import { invalidParameter } from "../twilio-error.js";
import type { MessageCallbackStatus } from "./api-2010-status-callback.js";

const STATUSES = new Set(["sent", "delivered", "undelivered", "failed", "read"]);

/** `POST /__emulator/message-status`: `simulateMessageStatus` for the standalone emulator. */
export function messageStatusControlRoutes(router: Router<EmulatorState>, emulator: TwilioEmulator): void {
  router.post("/__emulator/message-status", async (ctx) => {
    const json = ((ctx.request as { body?: Record<string, unknown> }).body ?? {}) as Record<string, unknown>;
    const text = (key: string) => (typeof json[key] === "string" ? (json[key] as string) : undefined);
    const accountSid = text("accountSid");
    const messageSid = text("messageSid");
    const status = text("status");
    if (!accountSid || !messageSid) throw invalidParameter("accountSid and messageSid are required");
    if (!status || !STATUSES.has(status)) throw invalidParameter("status must be sent, delivered, undelivered, failed or read");
    const optional: Record<string, string | number> = {};
    for (const key of ["url", "from", "to", "messagingServiceSid"]) if (text(key)) optional[key] = text(key)!;
    if (typeof json.errorCode === "number") optional.errorCode = json.errorCode;
    ctx.body = await emulator.simulateMessageStatus({
      accountSid,
      messageSid,
      status: status as MessageCallbackStatus,
      ...optional,
    });
  });
}
