import type { TenantRegistry } from "../tenants/tenant-registry.js";
import { webhookUrl } from "./webhook-url.js";

/** The post-event webhooks the gateway handles (Twilio fires only the ones listed). */
export const CONVERSATION_WEBHOOK_FILTERS = [
  "onConversationAdded",
  "onConversationUpdated",
  "onConversationRemoved",
  "onConversationStateUpdated",
  "onMessageAdded",
  "onMessageUpdated",
  "onMessageRemoved",
  "onParticipantAdded",
  "onParticipantRemoved",
  "onDeliveryUpdated",
];

export const CONVERSATION_WEBHOOK_PATH = "/api/v1/chat/webhooks/twilio/conversation";
/** Where SendGrid's Event Webhook must post (set in SendGrid's settings; emulator mode wires it). */
export const EMAIL_EVENTS_PATH = "/api/v1/chat/webhooks/twilio/email/status";

/** Points every tenant's Conversations Service post-event webhook at this gateway. */
export async function registerConversationWebhooks(tenants: TenantRegistry, publicBaseUrl: string): Promise<void> {
  await Promise.all(
    tenants.all().map((inbox) => inbox.gateway.configurePostEventWebhook(webhookUrl(publicBaseUrl, CONVERSATION_WEBHOOK_PATH), CONVERSATION_WEBHOOK_FILTERS)),
  );
}
