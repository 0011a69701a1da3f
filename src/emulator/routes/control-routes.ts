import type { Router } from "@koa/router";
import type { EmulatorState } from "../http/emulator-state.js";
import type { FaultRule } from "../http/fault-plan.js";
import type { TwilioEmulator } from "../twilio-emulator.js";
import { TwilioError, invalidParameter } from "../twilio-error.js";

type Json = Record<string, unknown>;

/**
 * `/__emulator/*`: the programmatic API over HTTP for the standalone emulator. JSON bodies,
 * no Twilio auth (the server listens on loopback only).
 */
export function controlRoutes(router: Router<EmulatorState>, emulator: TwilioEmulator): void {
  const body = (ctx: { request: unknown }): Json =>
    ((ctx.request as { body?: Json }).body ?? {}) as Json;
  const str = (json: Json, key: string): string => {
    const value = json[key];
    if (typeof value !== "string") throw invalidParameter(`${key} is required`);
    return value;
  };
  const opt = (json: Json, key: string): string | undefined =>
    typeof json[key] === "string" ? (json[key] as string) : undefined;

  router.use("/__emulator", async (ctx, next) => {
    const remote = ctx.req.socket.remoteAddress ?? "";
    if (!/^(127\.|::1$|::ffff:127\.)/.test(remote)) throw new TwilioError(403, 20403, "Forbidden");
    await next();
  });

  router.post("/__emulator/accounts", (ctx) => {
    const json = body(ctx);
    ctx.body = emulator.createAccount({
      ...(opt(json, "friendlyName") ? { friendlyName: opt(json, "friendlyName")! } : {}),
      ...(opt(json, "authToken") ? { authToken: opt(json, "authToken")! } : {}),
      ...(opt(json, "balance") ? { balance: opt(json, "balance")! } : {}),
    });
    ctx.status = 201;
  });

  router.post("/__emulator/services", (ctx) => {
    const json = body(ctx);
    ctx.body = emulator.createService(str(json, "accountSid"), str(json, "friendlyName"));
    ctx.status = 201;
  });

  router.post("/__emulator/webhooks", (ctx) => {
    const json = body(ctx);
    const filters = Array.isArray(json.filters) ? (json.filters as string[]) : undefined;
    emulator.configureWebhooks(str(json, "accountSid"), str(json, "serviceSid"), {
      postWebhookUrl: str(json, "postWebhookUrl"),
      ...(filters ? { filters } : {}),
    });
    ctx.status = 204;
  });

  router.post("/__emulator/inbound", async (ctx) => {
    const json = body(ctx);
    ctx.body = await emulator.simulateInboundMessage({
      accountSid: str(json, "accountSid"),
      ...(opt(json, "serviceSid") ? { serviceSid: opt(json, "serviceSid")! } : {}),
      from: str(json, "from"),
      to: str(json, "to"),
      body: str(json, "body"),
      ...(Array.isArray(json.mediaUrls) ? { mediaUrls: json.mediaUrls as string[] } : {}),
      ...(opt(json, "dateCreated") ? { dateCreated: new Date(opt(json, "dateCreated")!) } : {}),
      // `media: [{ contentType, filename?, base64? | size? }]`
      ...(Array.isArray(json.media)
        ? {
            media: (json.media as Json[]).map((item) => ({
              contentType: str(item, "contentType"),
              ...(opt(item, "filename") ? { filename: opt(item, "filename")! } : {}),
              ...(opt(item, "base64") ? { bytes: Buffer.from(opt(item, "base64")!, "base64") } : {}),
              ...(typeof item.size === "number" ? { size: item.size } : {}),
            })),
          }
        : {}),
    });
  });

  router.post("/__emulator/delivery", async (ctx) => {
    const json = body(ctx);
    await emulator.simulateDelivery({
      accountSid: str(json, "accountSid"),
      conversationSid: str(json, "conversationSid"),
      messageSid: str(json, "messageSid"),
      status: str(json, "status") as "sent",
      ...(typeof json.errorCode === "number" ? { errorCode: json.errorCode } : {}),
    });
    ctx.status = 204;
  });

  router.post("/__emulator/content/approval", (ctx) => {
    const json = body(ctx);
    emulator.setContentApproval({
      accountSid: str(json, "accountSid"),
      contentSid: str(json, "contentSid"),
      status: str(json, "status"),
      ...(opt(json, "rejectionReason") ? { rejectionReason: opt(json, "rejectionReason")! } : {}),
    });
    ctx.status = 204;
  });

  router.post("/__emulator/faults", (ctx) => {
    const json = body(ctx);
    const failures = Array.isArray(json.failures) ? (json.failures as FaultRule[]) : [];
    emulator.setFaultPlan({
      ...(typeof json.latencyMs === "number" ? { latencyMs: json.latencyMs } : {}),
      failures,
    });
    ctx.status = 204;
  });

  router.get("/__emulator/requests", (ctx) => {
    ctx.body = emulator.requests.entries;
  });

  router.get("/__emulator/webhooks", (ctx) => {
    ctx.body = emulator.webhooks.entries;
  });

  router.post("/__emulator/reset-logs", (ctx) => {
    emulator.requests.clear();
    emulator.webhooks.clear();
    ctx.status = 204;
  });

  router.get("/__emulator/idle", async (ctx) => {
    await emulator.whenIdle();
    ctx.status = 204;
  });
}
