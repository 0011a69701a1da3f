import { applyDeliveryStatus, channelMessageKey } from "../inbox/apply-delivery-status.js";
import { toDeliveryStatus } from "../inbox/delivery-status.js";
import type { DomainEvents } from "../inbox/domain-events.js";
import type { OperationHandler } from "../http/operation-router.js";
import { ignoringDeleted } from "./ignoring-deleted.js";
import type { WebhookDedupe } from "./webhook-dedupe.js";
import { webhookAnswer } from "./webhook-answer.js";

/**
 * POST /webhooks/twilio/{sms,whatsapp}/status — Messaging status callbacks (`MessageSid`, `MessageStatus`,
 * `ErrorCode`). The conversation message is found from the callback URL's `conversationSid`/`messageSid`, or from
 * the SM… SID an earlier delivery receipt recorded; never by scanning.
 */
export function messagingStatusHandler(
  channel: "SMS" | "WhatsApp",
  deps: { events: DomainEvents; dedupe: WebhookDedupe },
): OperationHandler {
  return async (request) => {
    const inbox = request.webhookTenant!;
    const fields = request.body as Record<string, string>;
    const status = toDeliveryStatus(fields.MessageStatus);
    const twilioMessageId = fields.MessageSid!;
    const target =
      request.query.conversationSid && request.query.messageSid
        ? { conversationSid: request.query.conversationSid as string, messageSid: request.query.messageSid as string }
        : inbox.cache.get<{ conversationSid: string; messageSid: string }>(channelMessageKey(inbox, twilioMessageId));
    if (!status || !target) return webhookAnswer("ignored");

    const errorCode = fields.ErrorCode && fields.ErrorCode !== "0" ? Number(fields.ErrorCode) : undefined;
    const { conversationSid, messageSid } = target;
    const identity = `${inbox.tenant.id}:status:${twilioMessageId}:${status}`;
    const token = request.ctx.get("i-twilio-idempotency-token");
    const keys = (step: number) => [`${identity}#${step}`, ...(token ? [`${inbox.tenant.id}:token:${token}#${step}`] : [])];
    // The status is written first: a callback for a message this tenant does not have is ignored (and emits
    // nothing), since Twilio would retry anything but a 2xx.
    const applied = await ignoringDeleted(
      deps.dedupe.once(keys(1), async () => {
        await applyDeliveryStatus(inbox, conversationSid, messageSid, status, { errorCode, twilioMessageId });
      }),
    );
    if (applied === "deleted") return webhookAnswer("ignored");
    const emitted = await deps.dedupe.once(keys(0), () =>
      deps.events.publish("delivery.receipt", { tenantId: inbox.tenant.id, conversationSid, messageSid, status, channel, errorCode }),
    );
    return webhookAnswer(emitted === "duplicate" && applied === "duplicate" ? "duplicate" : "applied");
  };
}
