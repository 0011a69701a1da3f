import { applyDeliveryStatus } from "../inbox/apply-delivery-status.js";
import type { DeliveryStatus, DomainEvents } from "../inbox/domain-events.js";
import type { OperationHandler } from "../http/operation-router.js";
import { ignoringDeleted } from "./ignoring-deleted.js";
import type { WebhookDedupe } from "./webhook-dedupe.js";
import { webhookAnswer } from "./webhook-answer.js";

/** The SendGrid event fields the gateway reads, allow-listed (custom args come back as top-level keys). */
interface SendgridEvent {
  event: string;
  sgEventId: string;
  tenantId?: string;
  conversationSid?: string;
  messageSid?: string;
  reason?: string;
}

/** SendGrid event → the message status it implies and the receipt it emits. */
const MAPPING: Record<string, { status: DeliveryStatus; receipt: DeliveryStatus | "opened" | "clicked" }> = {
  delivered: { status: "delivered", receipt: "delivered" },
  open: { status: "read", receipt: "opened" },
  click: { status: "read", receipt: "clicked" },
  bounce: { status: "failed", receipt: "failed" },
  dropped: { status: "failed", receipt: "failed" },
};

function allowList(raw: unknown): SendgridEvent | undefined {
  if (!raw || typeof raw !== "object") return undefined;
  const e = raw as Record<string, unknown>;
  const text = (key: string) => (typeof e[key] === "string" ? (e[key] as string) : undefined);
  const event = text("event");
  const sgEventId = text("sg_event_id");
  if (!event || !sgEventId) return undefined;
  return {
    event,
    sgEventId,
    tenantId: text("tenantId"),
    conversationSid: text("conversationSid"),
    messageSid: text("messageSid"),
    reason: text("reason") ?? text("response"),
  };
}

/**
 * POST /webhooks/twilio/email/status — SendGrid's signed Event Webhook. Each event finds its conversation message
 * through the custom args set at send time; delivered/open/click/bounce/dropped move its status and emit
 * `delivery:receipt`. Each event is applied once (by `sg_event_id`); any failure answers 5xx so SendGrid retries.
 */
export function sendgridEventHandler(deps: { events: DomainEvents; dedupe: WebhookDedupe }): OperationHandler {
  return async (request) => {
    const inbox = request.webhookTenant!;
    const tenantId = inbox.tenant.id;
    let applied = 0;
    for (const event of (request.body as unknown[]).map(allowList)) {
      const mapping = event && MAPPING[event.event];
      // Events of other tenants or of mail the gateway did not send are not ours to apply.
      if (!event || !mapping || event.tenantId !== tenantId || !event.conversationSid || !event.messageSid) continue;
      const { conversationSid, messageSid, reason } = event;
      const key = `${tenantId}:sendgrid:${event.sgEventId}`;
      const written = await ignoringDeleted(
        deps.dedupe.once([`${key}#1`], async () => {
          await applyDeliveryStatus(inbox, conversationSid, messageSid, mapping.status, mapping.status === "failed" ? { reason } : {});
        }),
      );
      if (written === "deleted") continue; // a message this tenant does not have: nothing to apply or emit
      const emitted = await deps.dedupe.once([`${key}#0`], () =>
        deps.events.publish("delivery.receipt", { tenantId, conversationSid, messageSid, status: mapping.receipt, channel: "Email", ...(mapping.status === "failed" && reason ? { reason } : {}) }),
      );
      if (emitted === "applied" || written === "applied") applied++;
    }
    return webhookAnswer(applied > 0 ? "applied" : "ignored");
  };
}
