import type { Context } from "koa";
import { AppError } from "../errors.js";
import type { Authenticator } from "../http/operation-router.js";
import type { TenantRegistry } from "../tenants/tenant-registry.js";
import { parseFlatForm } from "../http/flat-form.js";
import { isValidBodySignature, isValidFormSignature } from "../twilio/webhook-signature.js";
import { calledWebhookUrl } from "./webhook-url.js";

/**
 * Authenticates a Twilio webhook before anything else happens: the tenant comes from `AccountSid` (and
 * `ChatServiceSid`), the signature is checked with that tenant's auth token over the exact URL Twilio called
 * (see calledWebhookUrl: `PUBLIC_BASE_URL` + path + query, never anything the caller chose). Missing header → 400;
 * unknown tenant, bad signature or no URL Twilio could have called → 403.
 */
export function twilioSignatureAuthenticator(tenants: TenantRegistry, publicBaseUrl: () => string | undefined): Authenticator {
  return (ctx: Context) => {
    const signature = ctx.get("x-twilio-signature");
    if (!signature) throw new AppError("validation_failed", "X-Twilio-Signature is required", { field: "X-Twilio-Signature" });
    const url = calledWebhookUrl(ctx, publicBaseUrl());
    if (url === undefined) throw new AppError("forbidden", "the webhook signature cannot be checked: the request does not name a URL Twilio calls");
    const request = ctx.request as { rawBody?: string; body?: unknown };
    const rawBody = request.rawBody ?? "";
    // Koa's `request.type` (the header up to `;`), not `ctx.is`: type-is parses and normalises the header anew on each
    // call, and the body parser and router have each done so already for this request.
    const json = ctx.request.type.trim().toLowerCase() === "application/json";
    // A form was parsed into flat fields already (the body parser uses the same parseFlatForm).
    const params = json ? jsonFields(rawBody) : isFields(request.body) ? request.body : parseFlatForm(rawBody);
    const accountSid = typeof params.AccountSid === "string" ? params.AccountSid : undefined;
    const serviceSid = typeof params.ChatServiceSid === "string" ? params.ChatServiceSid : undefined;
    const to = typeof params.To === "string" ? params.To : undefined;
    const tenant = accountSid ? tenants.findByTwilioAccount(accountSid, serviceSid, to) : undefined;
    if (!tenant) throw new AppError("forbidden", "the webhook's account is not served here");
    const authToken = tenant.tenant.authToken;
    const valid = json ? isValidBodySignature(authToken, signature, url, rawBody) : isValidFormSignature(authToken, signature, url, params);
    if (!valid) throw new AppError("forbidden", "the webhook signature is invalid", { field: "X-Twilio-Signature" });
    return { webhookTenant: tenant };
  };
}

const isFields = (body: unknown): body is Record<string, unknown> => typeof body === "object" && body !== null && !Array.isArray(body);

function jsonFields(rawBody: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(rawBody);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
