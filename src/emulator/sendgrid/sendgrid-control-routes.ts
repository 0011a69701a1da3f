import type { Router } from "@koa/router";
import type { EmulatorState } from "../http/emulator-state.js";
import { invalidParameter } from "../twilio-error.js";
import type { SendGridFaultStatus } from "./sendgrid-error.js";
import type { SendGridEmulator } from "./sendgrid-emulator.js";
import type { SendGridEventInput } from "./sendgrid-events.js";

type Json = Record<string, unknown>;

const FAULT_STATUSES = new Set([400, 401, 403, 429, 500, 503]);

/** Runs a programmatic call; its plain Errors become 400s of the control API. */
async function control<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof Error && error.name === "Error") throw invalidParameter(error.message);
    throw error;
  }
}

/**
 * `/__emulator/sendgrid/*`: the SendGrid side of the control API for the standalone emulator
 * (JSON bodies; the loopback guard of the control router applies).
 */
export function sendGridControlRoutes(router: Router<EmulatorState>, sendgrid: SendGridEmulator): void {
  const body = (ctx: { request: unknown }): Json => ((ctx.request as { body?: Json }).body ?? {}) as Json;

  router.post("/__emulator/sendgrid/api-keys", async (ctx) => {
    const key = body(ctx).apiKey;
    const apiKey = await control(() => sendgrid.createApiKey(typeof key === "string" ? key : undefined));
    ctx.status = 201;
    ctx.body = { apiKey };
  });

  router.get("/__emulator/sendgrid/webhook", (ctx) => {
    ctx.body = { url: sendgrid.eventWebhookUrl, publicKey: sendgrid.webhookPublicKey };
  });

  router.post("/__emulator/sendgrid/webhook", async (ctx) => {
    const url = body(ctx).url;
    if (typeof url !== "string") throw invalidParameter("url is required");
    await control(() => sendgrid.configureEventWebhook({ url }));
    ctx.status = 204;
  });

  router.post("/__emulator/sendgrid/events", async (ctx) => {
    const json = body(ctx);
    if (!Array.isArray(json.events)) throw invalidParameter("events must be an array");
    ctx.body = await control(() =>
      sendgrid.postEvents(json.events as SendGridEventInput[], {
        ...(typeof json.timestamp === "number" ? { timestamp: json.timestamp } : {}),
        ...(json.tamper === true ? { tamper: true } : {}),
      }),
    );
  });

  router.post("/__emulator/sendgrid/faults", (ctx) => {
    const json = body(ctx);
    const count = typeof json.count === "number" ? json.count : 1;
    if (!FAULT_STATUSES.has(json.status as number)) {
      throw invalidParameter("status must be one of 400, 401, 403, 429, 500, 503");
    }
    sendgrid.failNext(count, json.status as SendGridFaultStatus, Array.isArray(json.errors) ? json.errors : undefined);
    ctx.status = 204;
  });

  router.get("/__emulator/sendgrid/sent", (ctx) => {
    ctx.body = sendgrid.sentMails;
  });
}
