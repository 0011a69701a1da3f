import { applyDeliveryStatus } from "../inbox/apply-delivery-status.js";
import { conversationUpdate } from "../inbox/conversation-views.js";
import { toDeliveryStatus } from "../inbox/delivery-status.js";
import { deliveryErrorReason } from "../inbox/delivery-error-reasons.js";
import type { DomainEvents } from "../inbox/domain-events.js";
import type { Channel, ConversationRecord } from "../inbox/inbox-types.js";
import { messagesGenerationKey } from "../inbox/list-messages.js";
import { recordMessageAdded } from "../inbox/record-message-added.js";
import { syncParticipantSummary } from "../inbox/manage-participants.js";
import { isOwnWrite } from "../inbox/update-conversation-attributes.js";
import type { TenantInbox } from "../inbox/tenant-inbox.js";
import type { OperationHandler } from "../http/operation-router.js";
import {
  allowListConversationEvent,
  conversationFromEvent,
  eventIdentity,
  isCustomerMessage,
  messageFromEvent,
  type ConversationEventFields,
} from "./conversation-event.js";
import type { Metrics } from "../metrics.js";
import type { WebhookDedupe } from "./webhook-dedupe.js";
import { ignoringDeleted } from "./ignoring-deleted.js";
import { webhookAnswer } from "./webhook-answer.js";

/** One step of handling an event: publishing domain events, or updating Twilio and the cache. */
type Step = () => Promise<void> | void;

const channelOf = (event: ConversationEventFields): Channel | undefined =>
  event.Source === "WHATSAPP" || event.Author?.startsWith("whatsapp:") ? "WhatsApp" : event.Source === "SMS" ? "SMS" : undefined;

function stepsFor(inbox: TenantInbox, event: ConversationEventFields, events: DomainEvents): Step[] {
  const tenantId = inbox.tenant.id;
  const conversationSid = event.ConversationSid;
  if (!conversationSid) return [];
  switch (event.EventType) {
    case "onMessageAdded": {
      const message = messageFromEvent(event);
      const inbound = isCustomerMessage(event);
      return [
        // The message is in Twilio already: tell the room first, then do the bookkeeping.
        () => events.publish(inbound ? "message.received" : "message.sent", { tenantId, conversationSid, message }),
        () => recordMessageAdded(inbox, message, { inbound, channel: channelOf(event), customerAddress: event.Author }),
      ];
    }
    case "onMessageUpdated":
    case "onMessageRemoved": {
      const forget = () => {
        inbox.directory.evict(conversationSid);
        inbox.cache.bumpGeneration(messagesGenerationKey(inbox, conversationSid));
      };
      const messageSid = event.MessageSid;
      if (event.EventType === "onMessageUpdated" || !messageSid) return [forget];
      return [forget, () => events.publish("message.removed", { tenantId, conversationSid, messageSid })];
    }
    case "onDeliveryUpdated": {
      const status = toDeliveryStatus(event.Status);
      if (!status || !event.MessageSid) return [];
      const errorCode = event.ErrorCode && event.ErrorCode !== "0" ? Number(event.ErrorCode) : undefined;
      const reason = deliveryErrorReason(errorCode);
      const messageSid = event.MessageSid;
      return [
        () => events.publish("delivery.receipt", { tenantId, conversationSid, messageSid, status, channel: channelOf(event) ?? "SMS", errorCode, reason }),
        async () => void (await applyDeliveryStatus(inbox, conversationSid, messageSid, status, { errorCode, reason, twilioMessageId: event.ChannelMessageSid })),
      ];
    }
    case "onConversationAdded":
    case "onConversationUpdated":
    case "onConversationStateUpdated": {
      return [
        async () => {
          events.publish("conversation.updated", conversationUpdate(inbox, await freshEntry(inbox, event)));
        },
      ];
    }
    case "onConversationRemoved":
      return [
        () => inbox.directory.forget(conversationSid),
        () => events.publish("conversation.removed", { tenantId, conversationSid }),
      ];
    case "onParticipantAdded":
    case "onParticipantRemoved":
      return [() => syncParticipantSummary(inbox, conversationSid)];
    default:
      return [];
  }
}

/** Everything but the attributes (which only the gateway's own writes change; others may rename or close). */
const sameButAttributes = (a: ConversationRecord, b: ConversationRecord) =>
  a.state === b.state && a.friendlyName === b.friendlyName && a.uniqueName === b.uniqueName;

/**
 * The conversation as it now is. Webhooks can arrive late or out of order (retries, concurrent deliveries), and
 * Twilio's timestamps have one-second resolution: an event no newer than what the cache holds is not trusted, the
 * conversation is read again instead (serialised with the gateway's own writes to it). Nor is an event when the
 * cache holds nothing to compare it with (scaled out, another instance's write has just invalidated it): it may be
 * an old one arriving late.
 */
async function freshEntry(inbox: TenantInbox, event: ConversationEventFields) {
  const conversationSid = event.ConversationSid!;
  const cached = inbox.directory.peek(conversationSid);
  const record = event.EventType === "onConversationStateUpdated" ? undefined : conversationFromEvent(event);
  if (record && cached && Date.parse(cached.record.dateUpdated) < Date.parse(record.dateUpdated)) return inbox.directory.remember(record);
  // Our own write, reported back: the cache already holds this state, or a later one we wrote since. Only when
  // nothing else changed: a rename in the same second as our write is someone else's, and must not be lost.
  if (record && cached && sameButAttributes(cached.record, record) && (cached.record.attributes === record.attributes || isOwnWrite(inbox, conversationSid, record.attributes)))
    return cached;
  return inbox.conversationLock.acquire(conversationSid, async () =>
    inbox.directory.remember(await inbox.gateway.fetchConversation(conversationSid)),
  );
}


/**
 * POST /webhooks/twilio/conversation — Conversations post-event webhooks. The signature was verified before this
 * runs. Each step runs once per event (a redelivery repeats only the steps that failed), and the answer is 2xx only
 * after every step succeeded: a failure answers 5xx so Twilio retries. An event about a conversation or message
 * Twilio says was deleted since (late deliveries and retries) stops there and answers 200 `ignored`.
 */
export function conversationWebhookHandler(deps: { events: DomainEvents; dedupe: WebhookDedupe; metrics?: Metrics }): OperationHandler {
  return async (request) => {
    const inbox = request.webhookTenant!;
    const event = allowListConversationEvent(request.body as Record<string, unknown>);
    const happenedAt = Date.parse(event.DateUpdated ?? event.DateCreated ?? "");
    if (!Number.isNaN(happenedAt)) deps.metrics?.webhookLagSeconds.observe({ event: event.EventType }, Math.max(0, Date.now() - happenedAt) / 1000);
    const identity = `${inbox.tenant.id}:${eventIdentity(event)}`;
    const token = request.ctx.get("i-twilio-idempotency-token");
    const steps = stepsFor(inbox, event, deps.events);
    let duplicate = steps.length > 0;
    let deleted = false;
    for (const [index, step] of steps.entries()) {
      const keys = [`${identity}#${index}`, ...(token ? [`${inbox.tenant.id}:token:${token}#${index}`] : [])];
      const outcome = await ignoringDeleted(deps.dedupe.once(keys, step));
      if ((deleted = outcome === "deleted")) break;
      duplicate &&= outcome === "duplicate";
    }
    const outcome = steps.length === 0 || deleted ? "ignored" : duplicate ? "duplicate" : "applied";
    deps.metrics?.webhooks.inc({ source: "twilio-conversations", outcome });
    return webhookAnswer(outcome);
  };
}
