import { AppError } from "../errors.js";
import type { Authenticator } from "../http/operation-router.js";
import { isValidEventSignature } from "../sendgrid/email-sender.js";
import type { TenantRegistry } from "../tenants/tenant-registry.js";

/** How far a SendGrid signature timestamp may be from now; older deliveries are replays. */
export const SENDGRID_TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

/**
 * Authenticates a SendGrid Event Webhook: the tenant is named by the `tenantId` custom arg the gateway set on the
 * mail, the ECDSA signature over timestamp + raw body is checked with that tenant's public key, and a stale
 * timestamp is refused. Missing headers → 400; anything else wrong → 403.
 */
export function sendgridSignatureAuthenticator(tenants: TenantRegistry, now: () => number = Date.now): Authenticator {
  return (ctx) => {
    const signature = ctx.get("x-twilio-email-event-webhook-signature");
    const timestamp = ctx.get("x-twilio-email-event-webhook-timestamp");
    if (!signature) throw new AppError("validation_failed", "X-Twilio-Email-Event-Webhook-Signature is required", { field: "X-Twilio-Email-Event-Webhook-Signature" });
    if (!/^\d{1,12}$/.test(timestamp))
      throw new AppError("validation_failed", "X-Twilio-Email-Event-Webhook-Timestamp must be Unix seconds", { field: "X-Twilio-Email-Event-Webhook-Timestamp" });
    if (Math.abs(now() / 1000 - Number(timestamp)) > SENDGRID_TIMESTAMP_TOLERANCE_SECONDS)
      throw new AppError("forbidden", "the webhook timestamp is stale", { field: "X-Twilio-Email-Event-Webhook-Timestamp" });
    const events = (ctx.request as { body?: unknown }).body;
    const first = Array.isArray(events) ? (events[0] as { tenantId?: unknown } | undefined) : undefined;
    const tenantId = typeof first?.tenantId === "string" ? first.tenantId : undefined;
    const inbox = tenantId && tenants.has(tenantId) ? tenants.get(tenantId) : undefined;
    const publicKey = inbox?.tenant.sendgrid?.webhookPublicKey;
    if (!inbox || !publicKey) throw new AppError("forbidden", "the events name no tenant with a SendGrid webhook key");
    const rawBody = (ctx.request as { rawBody?: string }).rawBody ?? "";
    if (!isValidEventSignature(publicKey, rawBody, signature, timestamp))
      throw new AppError("forbidden", "the webhook signature is invalid", { field: "X-Twilio-Email-Event-Webhook-Signature" });
    return { webhookTenant: inbox };
  };
}
